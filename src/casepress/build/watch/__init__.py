"""``casepress watch``: rebuild on every save, serve on localhost with live reload.

One process, three threads and a PDF worker process, a module each:

- the *watcher* thread (:mod:`~casepress.build.watch.events`) waits (watchfiles)
  for saves of the files the last build read (:mod:`casepress.build.inputs`, what
  the rebuild check hashes); a burst of saves (an editor's write-rename-chmod)
  becomes one rebuild. The preview (:mod:`~casepress.build.watch.preview`)
  rebuilds the HTML in-process with everything warm: modules are imported once,
  ``render_html`` keeps each journal's Jinja environment (compiled templates) for
  the process, and the citation processor finds its formatted entries in its
  cache. Only the watcher builds: builds never overlap.
- the *server* (:mod:`~casepress.build.watch.server`, a ``ThreadingHTTPServer``)
  serves the preview folder, injecting live reload into every page it sends; the
  state it reports is :mod:`~casepress.build.watch.state`'s hub.
- the *PDF* (:mod:`~casepress.build.watch.pdf`) is laid out after each good HTML
  build by a worker process, never in this one.
- :mod:`~casepress.build.watch.command` is what the CLI calls: it serves until Ctrl-C.

The preview folder (:mod:`~casepress.build.watch.folder`) is a temporary folder,
removed on exit, not ``output/<slug>/``: the preview holds drafts (every save,
half-finished sentences included), and ``output/`` belongs to ``casepress build``,
whose manifest records each case's digest and files (PDF and checklist PDF
included) and whose collection index links them; writing drafts there would leave
that folder out of step with its manifest. Every file of the preview is replaced
atomically (written beside, then renamed), so the server never sends a half-written
page.
"""

from __future__ import annotations

from casepress.build.watch.command import serve
from casepress.build.watch.events import InputWatcher
from casepress.build.watch.folder import PreviewFolder, forget_templates
from casepress.build.watch.pdf import PdfJob, PdfResult, PdfRunner, diagnostic_from_json, pdf_worker_main
from casepress.build.watch.preview import Preview
from casepress.build.watch.server import PreviewHandler, PreviewServer, inject
from casepress.build.watch.state import EVENTS_PATH, KEEPALIVE_SECONDS, STATE_PATH, Hub, PreviewState, WatchSettings

__all__ = ["EVENTS_PATH", "KEEPALIVE_SECONDS", "STATE_PATH", "Hub", "InputWatcher", "PdfJob", "PdfResult",
           "PdfRunner", "Preview", "PreviewFolder", "PreviewHandler", "PreviewServer", "PreviewState",
           "WatchSettings", "diagnostic_from_json", "forget_templates", "inject", "pdf_worker_main", "serve"]
