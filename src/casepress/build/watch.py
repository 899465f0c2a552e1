"""``casepress watch``: rebuild on every save, serve on localhost with live reload.

One process, three threads and a PDF worker process:

- the *watcher* thread waits (watchfiles) for saves under the case folder, the
  .bib files the case names and the template folders; a burst of saves (an
  editor's write-rename-chmod) becomes one rebuild. When idle it also compares
  the mtimes of the case and .bib files with the last build's, in case an event
  was lost. It rebuilds the HTML in-process with everything warm: modules are
  imported once, ``render_html`` keeps each journal's Jinja environment
  (compiled templates) for the process, and the citation processor finds its
  formatted entries in its cache. Only the watcher builds: builds never overlap.
- the *server* (``ThreadingHTTPServer``) serves the preview folder. Into every
  HTML page it sends (never into the files on disk) it injects a small script
  that listens on the Server-Sent Events endpoint :data:`EVENTS_PATH`: a newer
  good build reloads the page; a broken one shows a banner with the located
  diagnostics over the last good page, which stays visible underneath.
- the *PDF* is laid out after each good HTML build by a worker process, never
  in this one: WeasyPrint holds the GIL for seconds, so a thread would slow
  every HTML rebuild made meanwhile, and a thread cannot be stopped when a
  newer build supersedes it, while a process can be killed. A spare worker
  imports WeasyPrint ahead of time, so a job does not wait for the imports.

The preview folder is a temporary folder, removed on exit, not ``output/<slug>/``:
the preview holds drafts (every save, half-finished sentences included), and
``output/`` belongs to ``casepress build``, whose manifest records each case's
digest and files (PDF and checklist PDF included) and whose collection index
links them; writing drafts there would leave that folder out of step with its
manifest. Every file of the preview is replaced atomically (written beside,
then renamed), so the server never sends a half-written page.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Self
from urllib.parse import unquote, urlsplit

from casepress.core.diagnostics import (
    Diagnostic,
    Diagnostics,
    Location,
    Severity,
    display_path,
    render_text,
    summary,
)
from casepress.build.output import replace_file
from casepress.core.project import Project

if TYPE_CHECKING:
    from casepress.build.pipeline import BuiltCase

EVENTS_PATH = "/__casepress/events"
"""The Server-Sent Events stream the injected script listens to (one ``build`` event per state)."""
STATE_PATH = "/__casepress/state"
"""The current state as JSON (handy for scripts and tests)."""
KEEPALIVE_SECONDS = 15.0
"""How often an idle event stream sends a comment, so a closed page is noticed and its thread ends."""


# ---------------------------------------------------------------------------------------
# Settings and state
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WatchSettings:
    """How to watch and serve."""

    host: str = "127.0.0.1"
    """Address to serve on (localhost by default: the preview is for the author only)."""
    port: int = 8000
    """Port to serve on; 0 picks a free one."""
    pdf: bool = True
    """Lay out the PDF in the background after each good HTML build."""
    step_ms: int = 20
    """Quiet time that ends a burst of saves: a rebuild starts once nothing changed for this long."""
    debounce_ms: int = 1600
    """Longest a burst is grouped before rebuilding anyway (someone saving in a loop)."""
    poll_ms: int = 300
    """How often an idle watcher returns to Python: to say it listens, and to re-check which folders to watch."""


@dataclass(frozen=True)
class PreviewState:
    """What the browser and the terminal are told after each build; one immutable value per change."""

    version: int = 0
    """Bumped on every change of state (the event id of the stream)."""
    generation: int = 0
    """Number of good builds so far: the build whose page is served (0: none yet)."""
    ok: bool = True
    """False when the latest edit broke the case (the last good page is still served)."""
    diagnostics: tuple[Diagnostic, ...] = ()
    """Diagnostics of the latest build attempt, sorted by place."""
    build_ms: float = 0.0
    """How long the latest HTML build took (every stage, not the writing)."""
    publish_ms: float = 0.0
    """How long writing the latest good build into the preview folder took."""
    pdf: Literal["off", "building", "ready", "failed"] = "off"
    """The latest PDF job: none (PDFs off), in progress, written, or failed (see ``pdf_diagnostics``)."""
    pdf_generation: int = 0
    """The good build the served PDF belongs to (0: none)."""
    pdf_diagnostics: tuple[Diagnostic, ...] = ()
    """Diagnostics of the latest PDF layout."""

    def to_json(self) -> dict[str, Any]:
        """The event's payload: diagnostics as the terminal prints them (file:line:col: ...)."""
        items = Diagnostics(list(self.diagnostics))
        return {
            "version": self.version,
            "generation": self.generation,
            "ok": self.ok,
            "summary": summary(items),
            "diagnostics": [d.format() for d in self.diagnostics],
            "build_ms": round(self.build_ms, 1),
            "pdf": self.pdf,
            "pdf_generation": self.pdf_generation,
            "pdf_diagnostics": [d.format() for d in self.pdf_diagnostics if d.severity is Severity.ERROR],
        }


class Hub:
    """The latest :class:`PreviewState`, and a condition every event stream waits on.

    The lock is also held while the preview folder is written, so that a page and
    the generation injected into it are always read together.
    """

    def __init__(self) -> None:
        self.lock = threading.Condition(threading.RLock())
        self._state = PreviewState()
        self.closed = False

    @property
    def state(self) -> PreviewState:
        """The current state."""
        with self.lock:
            return self._state

    def publish(self, **changes: Any) -> PreviewState:
        """Replace fields of the state, bump its version and wake every stream."""
        with self.lock:
            self._state = replace(self._state, version=self._state.version + 1, **changes)
            self.lock.notify_all()
            return self._state

    def wait_newer(self, version: int, timeout: float) -> PreviewState | None:
        """The state once its version is above ``version``; None on timeout or when closed."""
        with self.lock:
            self.lock.wait_for(lambda: self.closed or self._state.version > version, timeout)
            return self._state if not self.closed and self._state.version > version else None

    def wait_until(self, predicate: Callable[[PreviewState], bool], timeout: float) -> PreviewState | None:
        """The first state for which ``predicate`` holds, or None after ``timeout`` seconds."""
        with self.lock:
            ok = self.lock.wait_for(lambda: self.closed or predicate(self._state), timeout)
            return self._state if ok and predicate(self._state) else None

    def close(self) -> None:
        """End every event stream."""
        with self.lock:
            self.closed = True
            self.lock.notify_all()


# ---------------------------------------------------------------------------------------
# The preview folder: each file replaced atomically
# ---------------------------------------------------------------------------------------


class PreviewFolder:
    """The served folder: the latest good build's pages and the files they need.

    Files are replaced one by one, each atomically, rather than swapping the whole
    folder as ``casepress build`` does: a swap leaves an instant with no folder (a
    request then fails), and copying every font again on each keystroke is wasted time.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        """The folder served."""
        self._signatures: dict[str, tuple[object, ...]] = {}
        """Output-relative path -> what it was written from (a source's mtime and size, or a digest)."""

    def publish(self, texts: Mapping[str, str], blobs: Mapping[str, bytes], copies: Mapping[str, Path]) -> list[str]:
        """Write what a build gathered (as ``write_built`` would), skipping files that did not
        change, and remove the files the build no longer has. Returns every file now published.

        Pages go last, so a reloading page finds its figures and stylesheets in place.
        """
        for name, source in copies.items():
            stat = source.stat()
            self._put(name, ("copy", str(source), stat.st_mtime_ns, stat.st_size), source)
        for name, data in blobs.items():
            self._put(name, ("data", hashlib.blake2b(data).digest()), data)
        for name, text in texts.items():
            encoded = text.encode("utf-8")
            self._put(name, ("data", hashlib.blake2b(encoded).digest()), encoded)
        published = {*texts, *blobs, *copies}
        for name in set(self._signatures) - published:
            self._inside(name).unlink(missing_ok=True)
            del self._signatures[name]
        return sorted(published)

    def _put(self, name: str, signature: tuple[object, ...], content: bytes | Path) -> None:
        """Write ``name`` unless it was last written from the same ``signature``."""
        if self._signatures.get(name) != signature:
            data = content.read_bytes() if isinstance(content, Path) else content
            replace_file(self._inside(name), data)
            self._signatures[name] = signature

    def install(self, name: str, staged: Path) -> None:
        """Move a finished file (the PDF, written beside its place) into place atomically."""
        os.replace(staged, self._inside(name))

    def staging(self, name: str) -> Path:
        """A hidden path beside ``name`` to write it to first."""
        handle, path = tempfile.mkstemp(prefix=f".{Path(name).name}.", suffix=".tmp", dir=self.root)
        os.close(handle)
        return Path(path)

    def _inside(self, name: str) -> Path:
        dest = (self.root / name).resolve()
        if not dest.is_relative_to(self.root.resolve()):
            raise OSError(f"refusing to write outside the preview folder: {name}")
        return dest


# ---------------------------------------------------------------------------------------
# Warm Jinja environments
# ---------------------------------------------------------------------------------------


def forget_templates() -> None:
    """Drop the process's Jinja environments, so the next build looks every template up again.

    ``render_html`` keeps one environment per lookup chain, and Jinja re-checks the
    mtime of each template it loaded, so an edited template is picked up without
    this. A *new* file that shadows a loaded one (a case's own ``templates/`` copy of
    a partial, say) is not: Jinja never looks for it. The watcher calls this on any
    change in a template folder; the next build compiles again (from Jinja's
    bytecode cache when one is set), every other build stays warm.
    """
    from casepress.outputs.html import forget_environments

    forget_environments()


# ---------------------------------------------------------------------------------------
# The PDF, in a worker process
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfJob:
    """One PDF to lay out: everything ``render_pdf.html_to_pdf`` needs, as plain data."""

    generation: int
    """The good build it belongs to."""
    name: str
    """Output-relative file name (``<slug>.pdf``)."""
    html: str
    """The article's HTML (as built, without the live-reload script)."""
    files: dict[str, Path]
    """Output-relative path -> source file the layout may read."""
    variant: str | None
    """WeasyPrint PDF variant."""
    origin: Location
    """Where PDF problems are reported (the case file)."""

    def to_json(self, output: Path) -> dict[str, Any]:
        """The worker's input; it writes the PDF to ``output``."""
        origin = self.origin
        return {
            "html": self.html,
            "files": {k: str(v) for k, v in self.files.items()},
            "variant": self.variant,
            "origin": {"file": origin.file, "line": origin.line, "column": origin.column},
            "output": str(output),
        }


@dataclass(frozen=True)
class PdfResult:
    """What a worker reported."""

    ok: bool
    """True when the PDF was written."""
    pages: int
    """Its page count."""
    diagnostics: tuple[Diagnostic, ...]
    """Refused URLs (errors), WeasyPrint's warnings, or the worker's crash."""
    seconds: float
    """Wall time from submission to the result."""


WORKER_CODE = "import sys; from casepress.build.watch import pdf_worker_main; sys.exit(pdf_worker_main())"
"""The worker's command line (``python -c``), so that it never depends on how casepress was started."""


def pdf_worker_main() -> int:
    """A PDF worker: import WeasyPrint, then lay out the one job read from stdin (JSON).

    Writes the PDF where the job says and prints ``{ok, pages, diagnostics}`` on stdout.
    An empty stdin (a spare worker that was never used) exits quietly.
    """
    if hasattr(os, "nice"):
        os.nice(10)  # the HTML builds are what the author waits for: they get the CPU first
    import weasyprint  # noqa: F401  (imported before the job arrives: this may be a spare)

    from casepress.outputs.pdf import html_to_pdf

    raw = sys.stdin.buffer.read()
    if not raw.strip():
        return 0
    job = json.loads(raw)
    origin = Location(**job["origin"])
    diagnostics = Diagnostics()
    try:
        pdf = html_to_pdf(job["html"], {k: Path(v) for k, v in job["files"].items()}, job["variant"],
                          origin, diagnostics)
    except Exception as exc:  # noqa: BLE001 - a layout crash is reported like any other PDF error
        diagnostics.error("pdf-failed", f"WeasyPrint failed: {type(exc).__name__}: {exc}", origin)
        pdf = None
    if pdf is not None:
        Path(job["output"]).write_bytes(pdf.data)
    json.dump({"ok": pdf is not None, "pages": pdf.page_count if pdf else 0,
               "diagnostics": [d.to_json() for d in diagnostics]}, sys.stdout)
    return 0


def diagnostic_from_json(data: Mapping[str, Any]) -> Diagnostic:
    """The inverse of :meth:`Diagnostic.to_json`."""
    location = Location(data["file"], data["line"], data["column"]) if data.get("file") is not None else None
    return Diagnostic(Severity(data["severity"]), data["code"], data["message"], location, data.get("path"),
                      data.get("hint"))


class PdfRunner:
    """Runs one PDF job at a time in a worker process; a newer job kills the one in progress."""

    def __init__(self, folder: PreviewFolder, on_done: Callable[[PdfJob, PdfResult], None]) -> None:
        self._folder = folder
        self._on_done = on_done
        self._lock = threading.Lock()
        self._spare: subprocess.Popen[bytes] | None = None
        self._running: subprocess.Popen[bytes] | None = None
        self._latest = 0
        self._closed = False
        self._threads: list[threading.Thread] = []
        self.superseded = 0
        """How many jobs were killed by a newer one (reported by the terminal and the tests)."""

    def start(self) -> None:
        """Start the first spare worker, so the first job finds WeasyPrint imported."""
        with self._lock:
            self._spare = self._spawn()

    def submit(self, job: PdfJob) -> None:
        """Lay out ``job`` in the background, killing the job in progress (now out of date)."""
        with self._lock:
            if self._closed:
                return
            self._latest = job.generation
            if self._running is not None and self._running.poll() is None:
                self._running.kill()
                self.superseded += 1
            worker = self._spare if self._spare is not None and self._spare.poll() is None else self._spawn()
            self._spare = None
            self._running = worker
            thread = threading.Thread(target=self._run, args=(worker, job), name=f"casepress-pdf-{job.generation}",
                                      daemon=True)
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def close(self) -> None:
        """Kill every worker and wait for their threads."""
        with self._lock:
            self._closed = True
            workers = [w for w in (self._running, self._spare) if w is not None]
            self._spare = None
            threads = list(self._threads)
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
            if worker.stdin is not None and not worker.stdin.closed:
                try:
                    worker.stdin.close()
                except OSError:
                    pass
        for thread in threads:
            thread.join(timeout=10)
        for worker in workers:
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            for stream in (worker.stdout, worker.stderr):
                if stream is not None:
                    stream.close()

    def _spawn(self) -> subprocess.Popen[bytes]:
        # A session of its own: Ctrl-C in the terminal reaches the whole foreground process group,
        # and a worker dying of it would be reported as a failed PDF; this process kills its
        # workers itself. If this process dies, the worker reads EOF (a spare) or fails to write
        # its result, and exits. stderr is captured for the failure message.
        isolate: dict[str, Any] = {"start_new_session": True}
        if sys.platform == "win32":
            isolate = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
        return subprocess.Popen([sys.executable, "-c", WORKER_CODE], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, **isolate)

    def _run(self, worker: subprocess.Popen[bytes], job: PdfJob) -> None:
        started = time.perf_counter()
        staged = self._folder.staging(job.name)
        try:
            payload = json.dumps(job.to_json(staged)).encode("utf-8")
            try:
                out, err = worker.communicate(payload)
            except (OSError, ValueError):  # killed while its input was being written
                out, err = b"", b""
            with self._lock:
                current = job.generation == self._latest and not self._closed  # else superseded
                if self._running is worker:
                    self._running = None
                    # Idle now: warm a spare for the next save. Not while a newer job runs, so
                    # that no import competes with that layout and the HTML builds for the CPU.
                    if not self._closed and (self._spare is None or self._spare.poll() is not None):
                        self._spare = self._spawn()
            if not current:
                return
            result = _read_result(out, err, worker.returncode, job, time.perf_counter() - started)
            if result.ok:
                self._folder.install(job.name, staged)
            self._on_done(job, result)
        finally:
            staged.unlink(missing_ok=True)


def _read_result(out: bytes, err: bytes, code: int | None, job: PdfJob, seconds: float) -> PdfResult:
    try:
        data = json.loads(out)
        return PdfResult(bool(data["ok"]), int(data["pages"]),
                         tuple(diagnostic_from_json(d) for d in data["diagnostics"]), seconds)
    except (ValueError, KeyError, TypeError):
        tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit status {code}"]
        crash = Diagnostic(Severity.ERROR, "pdf-failed", f"the PDF worker failed: {tail[0]}", job.origin)
        return PdfResult(False, 0, (crash,), seconds)


# ---------------------------------------------------------------------------------------
# The HTTP server
# ---------------------------------------------------------------------------------------

LIVE_SCRIPT = """<script>/* casepress watch: live reload (added by the preview server, not in the file) */
(function () {
  "use strict";
  var PAGE_GENERATION = %(generation)d;
  var dismissed = -1, banner = null;
  function hide() { if (banner) { banner.remove(); banner = null; } }
  function show(state) {
    var broken = !state.ok;
    var pdfBroken = state.ok && state.pdf === "failed" && state.pdf_generation === state.generation;
    if ((!broken && !pdfBroken) || state.version === dismissed) { hide(); return; }
    if (!banner) {
      var style = document.createElement("style");
      style.textContent = "#casepress-banner{position:fixed;top:0;left:0;right:0;z-index:2147483647;" +
        "max-height:45vh;overflow:auto;margin:0;padding:.6em 1em;background:#fff4f4;color:#5a0000;" +
        "border-bottom:3px solid #c00;box-shadow:0 2px 8px rgba(0,0,0,.25);font:14px/1.4 system-ui,sans-serif}" +
        "#casepress-banner pre{margin:.4em 0 0;white-space:pre-wrap;font:12px/1.4 ui-monospace,monospace}" +
        "#casepress-banner button{float:right;border:0;background:none;font-size:18px;cursor:pointer}" +
        "@media print{#casepress-banner{display:none}}";
      document.head.appendChild(style);
      banner = document.createElement("div");
      banner.id = "casepress-banner";
      banner.setAttribute("role", "alert");
      document.body.appendChild(banner);
    }
    banner.textContent = "";
    var close = document.createElement("button");
    close.type = "button"; close.title = "Hide until the next build"; close.textContent = "\\u00d7";
    close.onclick = function () { dismissed = state.version; hide(); };
    var title = document.createElement("strong");
    title.textContent = broken
      ? "The latest edit does not build (" + state.summary + "); this is the last good version."
      : "The PDF could not be laid out; the HTML is up to date.";
    var list = document.createElement("pre");
    list.textContent = (broken ? state.diagnostics : state.pdf_diagnostics).join("\\n");
    banner.append(close, title, list);
  }
  var source = new EventSource("%(events)s");
  source.addEventListener("build", function (event) {
    var state = JSON.parse(event.data);
    if (state.generation !== PAGE_GENERATION) { source.close(); location.reload(); return; }
    show(state);
  });
})();
</script>
"""
"""Injected before ``</body>``: reload on a newer good build, else show the banner (text only, never HTML)."""

WAITING_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>casepress watch: %(slug)s</title></head>
<body><p>Waiting for the first good build of <code>%(slug)s</code>&hellip;</p>
</body></html>
"""
"""Served at ``/`` until the case has built once (it reloads itself when it has)."""


def inject(html: str, generation: int) -> str:
    """``html`` with the live-reload script before its last ``</body>`` (or at the end)."""
    script = LIVE_SCRIPT % {"generation": generation, "events": EVENTS_PATH}
    at = html.lower().rfind("</body>")
    return html + script if at < 0 else html[:at] + script + html[at:]


class PreviewServer(ThreadingHTTPServer):
    """The HTTP server of one preview; request threads are daemons, event streams end on close."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], hub: Hub, folder: PreviewFolder, slug: str) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.hub = hub
        """The state the pages and event streams report."""
        self.folder = folder
        """The folder served."""
        self.slug = slug
        """The case's name (for the waiting page)."""
        super().__init__(address, PreviewHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser closing a connection mid-response is routine, not worth a traceback."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class PreviewHandler(SimpleHTTPRequestHandler):
    """Serves the preview folder; HTML pages get the live-reload script, nothing is cached."""

    server: PreviewServer

    def __init__(self, request: Any, client_address: Any, server: PreviewServer) -> None:
        super().__init__(request, client_address, server, directory=str(server.folder.root))

    def do_GET(self) -> None:
        """Route: the event stream, the state, an HTML page (injected), or a static file."""
        path = urlsplit(self.path).path
        if path == EVENTS_PATH:
            self._events()
        elif path == STATE_PATH:
            self._send(200, "application/json", json.dumps(self.server.hub.state.to_json()).encode("utf-8"))
        elif not self._page(head=False):
            super().do_GET()

    def do_HEAD(self) -> None:
        """Like GET, without the body (and without the event stream)."""
        if not self._page(head=True):
            super().do_HEAD()

    def end_headers(self) -> None:
        """Nothing may be cached: every reload must show the latest build."""
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal is for diagnostics."""

    def _page(self, head: bool) -> bool:
        """Send an HTML page with the script; False when the path is not a page."""
        url_path = unquote(urlsplit(self.path).path)
        file = Path(self.translate_path(self.path))
        if url_path.endswith("/") or file.is_dir():
            if not url_path.endswith("/"):
                return False  # let http.server redirect to the slash form
            file = file / "index.html"
        if file.suffix.lower() not in (".html", ".htm"):
            return False
        hub = self.server.hub
        with hub.lock:  # the page and its generation are read together (a build writes under this lock)
            generation = hub.state.generation
            try:
                html = file.read_text(encoding="utf-8")
            except FileNotFoundError:
                if url_path not in ("/", "/index.html"):
                    return False  # http.server answers 404
                html = WAITING_PAGE % {"slug": self.server.slug}
        self._send(200, "text/html; charset=utf-8", inject(html, generation).encode("utf-8"), head)
        return True

    def _send(self, code: int, content_type: str, body: bytes, head: bool = False) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _events(self) -> None:
        """The Server-Sent Events stream: the current state at once, then every change."""
        hub = self.server.hub
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.end_headers()
        self.close_connection = True
        seen = -1
        try:
            self.wfile.write(b"retry: 1000\n\n")  # reconnect quickly once the server is back
            while not hub.closed:
                state = hub.wait_newer(seen, KEEPALIVE_SECONDS)
                if state is None:
                    if hub.closed:
                        break
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    data = json.dumps(state.to_json())
                    self.wfile.write(f"id: {state.version}\nevent: build\ndata: {data}\n\n".encode())
                    seen = state.version
                self.wfile.flush()
        except (ConnectionError, OSError):
            pass  # the page was closed or reloaded


# ---------------------------------------------------------------------------------------
# The preview: watch, build, publish, serve
# ---------------------------------------------------------------------------------------


def _stderr(text: str) -> None:
    import click

    click.echo(text, err=True)


class Preview:
    """A running ``casepress watch``: :meth:`start` it, then :meth:`stop` it (or use ``with``).

    Only the watcher thread builds: ``render_html`` sets per-build filters on its
    shared Jinja environments, so two builds at once would mix their state.
    """

    def __init__(self, case_file: Path, project: Project, settings: WatchSettings | None = None,
                 echo: Callable[[str], None] = _stderr) -> None:
        """``echo`` receives every terminal message (diagnostics in ``casepress check``'s format)."""
        from casepress.build.pipeline import BuildOptions

        self.case_file = case_file.resolve()
        """The case's ``case.yaml``."""
        self.project = project
        """The project it belongs to."""
        self.settings = settings or WatchSettings()
        """Where to serve and how to watch."""
        self.echo = echo
        """Where terminal messages go."""
        self.hub = Hub()
        """The state shown to the pages."""
        self.ready = threading.Event()
        """Set once the first build is published and the watcher is listening."""
        self.stopped = threading.Event()
        """Set by :meth:`stop`; the watcher ends when it sees it."""
        self.options = BuildOptions(output_root=Path(tempfile.gettempdir()), pdf=False)
        """HTML-only builds (``output_root`` is unused: the preview writes its own folder)."""
        self.pdf: PdfRunner | None = None
        """The PDF worker, when PDFs are on."""
        self._template_dirs = tuple(r.resolve() for r in project.template_roots)
        self._workdir: Path | None = None
        self._folder: PreviewFolder | None = None
        self._server: PreviewServer | None = None
        self._threads: list[threading.Thread] = []
        self._bibs: frozenset[Path] = frozenset()
        self._echo_lock = threading.Lock()
        self._pdf_warnings: tuple[Diagnostic, ...] = ()
        self._built_stamp: dict[Path, tuple[int, int]] = {}
        self._pending_stamp: dict[Path, tuple[int, int]] | None = None

    # -- lifecycle -----------------------------------------------------------------------

    @property
    def slug(self) -> str:
        """The case folder's name."""
        return self.case_file.parent.name

    @property
    def url(self) -> str:
        """The address of the served article."""
        assert self._server is not None, "not started"
        host, port = self._server.server_address[:2]
        shown = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(str(host), str(host))
        return f"http://{f'[{shown}]' if ':' in shown else shown}:{port}/"

    @property
    def folder(self) -> Path:
        """The preview folder served."""
        assert self._folder is not None, "not started"
        return self._folder.root

    def start(self) -> None:
        """Bind the port (OSError when taken), then serve and watch in background threads."""
        self._workdir = Path(tempfile.mkdtemp(prefix=f"casepress-watch-{self.slug}-"))
        self._folder = PreviewFolder(self._workdir)
        try:
            self._server = PreviewServer((self.settings.host, self.settings.port), self.hub, self._folder, self.slug)
        except BaseException:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
            raise
        if self.settings.pdf:
            self.pdf = PdfRunner(self._folder, self._pdf_done)
            self.pdf.start()
        self._threads = [
            threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                             name="casepress-serve", daemon=True),
            threading.Thread(target=self._watch, name="casepress-watch", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stop watching and serving, kill the PDF workers, remove the preview folder."""
        self.stopped.set()
        if self._server is not None and self._threads:
            self._server.shutdown()
        self.hub.close()
        for thread in self._threads:
            thread.join(timeout=10)
        if self.pdf is not None:
            self.pdf.close()
        if self._server is not None:
            self._server.server_close()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- watching ------------------------------------------------------------------------

    def watched_roots(self) -> list[Path]:
        """The case folder, the template folders, and the folders of .bib files that lie elsewhere."""
        roots = [self.case_file.parent, *self._template_dirs]
        roots += [bib.parent for bib in sorted(self._bibs)]
        kept: list[Path] = []
        for root in roots:  # nested folders would report each change twice
            if root.is_dir() and not any(root.is_relative_to(k) for k in kept):
                kept = [k for k in kept if not k.is_relative_to(root)] + [root]
        return kept

    def is_relevant(self, path: Path) -> bool:
        """True for a change that can alter the build (the watched folders hold other files too)."""
        if self._workdir is not None and path.is_relative_to(self._workdir):
            return False
        return (path.is_relative_to(self.case_file.parent) or path in self._bibs
                or any(path.is_relative_to(r) for r in self._template_dirs))

    def _input_stamp(self) -> dict[Path, tuple[int, int]]:
        """Mtime and size of the case file and its .bib files (a cheap check for a missed save)."""
        stamps: dict[Path, tuple[int, int]] = {}
        for path in (self.case_file, *sorted(self._bibs)):
            try:
                stat = path.stat()
            except OSError:
                stamps[path] = (-1, -1)
            else:
                stamps[path] = (stat.st_mtime_ns, stat.st_size)
        return stamps

    def _missed_save(self) -> bool:
        """True when the case or a .bib file changed since the last build and no event said so.

        A safety net, checked whenever the watcher idles: watchfiles drops a change that
        lands just as it times out, and some mounts (network, containers) send no events.
        The change must look the same on two checks in a row, so that a file still being
        written is not read half-way (what the event path's quiet period ensures).
        """
        current = self._input_stamp()
        changed = any(self._built_stamp.get(path, stamp) != stamp for path, stamp in current.items())
        if not changed:
            self._pending_stamp = None
            return False
        stable = current == self._pending_stamp
        self._pending_stamp = current
        return stable

    def _is_template(self, path: Path) -> bool:
        folders = [self.case_file.parent / "templates", *self._template_dirs]
        return any(path.is_relative_to(f) for f in folders)

    def _watch(self) -> None:
        import watchfiles

        base_filter = watchfiles.DefaultFilter()

        def keep(change: watchfiles.Change, path: str) -> bool:
            return base_filter(change, path) and self.is_relevant(Path(path))

        first = True
        while not self.stopped.is_set():
            roots = self.watched_roots()
            try:
                for changes in watchfiles.watch(
                    *roots, watch_filter=keep, debounce=self.settings.debounce_ms, step=self.settings.step_ms,
                    stop_event=self.stopped, rust_timeout=self.settings.poll_ms, yield_on_timeout=True,
                    raise_interrupt=False,
                ):
                    if first:  # the watcher is live now: build once, so no save can slip between
                        first = False
                        self.rebuild()
                        self.ready.set()
                    if changes:
                        paths = [Path(p) for _, p in changes]
                        if any(self._is_template(p) for p in paths):
                            forget_templates()
                        self.rebuild(paths)
                    elif self._missed_save():
                        self.rebuild([self.case_file])
                    if self.watched_roots() != roots:
                        break  # the case names another .bib folder: watch again with it
            except Exception as exc:  # noqa: BLE001 - e.g. a watched folder was removed; keep serving
                self.say(f"watch: {type(exc).__name__}: {exc}; watching again")
                self.stopped.wait(1.0)

    # -- building ------------------------------------------------------------------------

    def rebuild(self, changed: list[Path] | None = None) -> PreviewState:
        """Build the HTML, publish it if good, report in the terminal, start the PDF."""
        from casepress.build.pipeline import gather

        assert self._folder is not None
        diagnostics = Diagnostics()
        self._built_stamp = self._input_stamp()  # before reading: a save from now on is seen again
        self._pending_stamp = None
        started = time.perf_counter()
        try:
            built = gather(self.case_file, self.project, self.options, diagnostics)
        except Exception as exc:  # noqa: BLE001 - a crashing stage is a bug, but must not end the preview
            self.say(traceback.format_exc().rstrip())
            diagnostics.error("internal-error", f"casepress crashed: {type(exc).__name__}: {exc}",
                              Location(display_path(self.case_file)))
            built = None
        build_ms = (time.perf_counter() - started) * 1000
        published: list[str] | None = None
        if built is not None:
            try:
                state, published = self._publish(built, tuple(diagnostics.sorted()), build_ms)
            except OSError as exc:  # disk full, a figure deleted since the build read it...
                diagnostics.error("write-failed", f"could not write the preview into {self.folder}: {exc}")
        if published is None:
            state = self.hub.publish(ok=False, diagnostics=tuple(diagnostics.sorted()), build_ms=build_ms)
        self._report(state, changed)
        if built is not None and published is not None and self.pdf is not None:
            # The layout reads the files as published (figures stripped of their metadata), so
            # the PDF shows what the page shows; a newer build may replace them meanwhile, but
            # each file is replaced whole, and that build supersedes this job anyway.
            files = {name: self.folder / name for name in published}
            self.pdf.submit(PdfJob(state.generation, f"{built.checked.slug}.pdf", built.texts["index.html"],
                                   files, self.options.pdf_variant, Location(display_path(built.checked.doc.path))))
        return state

    def _publish(
        self, built: BuiltCase, items: tuple[Diagnostic, ...], build_ms: float
    ) -> tuple[PreviewState, list[str]]:
        """Write the build into the preview folder and announce it; returns the state and the files."""
        from casepress.cite.library import bibliography_files

        assert self._folder is not None
        case_dir = self.case_file.parent
        self._bibs = frozenset(p.resolve() for p in bibliography_files(built.checked.case, case_dir, self.project.root))
        started = time.perf_counter()
        with self.hub.lock:  # a page is never read between its files and its generation
            published = self._folder.publish(built.texts, built.blobs, built.copies)
            publish_ms = (time.perf_counter() - started) * 1000
            state = self.hub.publish(
                generation=self.hub.state.generation + 1, ok=True, diagnostics=items, build_ms=build_ms,
                publish_ms=publish_ms, pdf="building" if self.pdf is not None else "off",
            )
        return state, published

    def _pdf_done(self, job: PdfJob, result: PdfResult) -> None:
        self.hub.publish(pdf="ready" if result.ok else "failed", pdf_generation=job.generation,
                         pdf_diagnostics=result.diagnostics)
        items = tuple(sorted(result.diagnostics, key=Diagnostic.sort_key))
        if result.ok:
            # WeasyPrint's warnings (CSS it ignores) rarely change between saves: print them when they do.
            if items and items != self._pdf_warnings:
                self.say(render_text(items))
            self._pdf_warnings = items
            note = f", {summary(Diagnostics(list(items)))}" if items else ""
            self.say(f"PDF ready: {self.url}{job.name} ({result.pages} pages in {result.seconds:.1f} s{note})")
        else:
            self.say(render_text(items))
            self.say(f"PDF failed ({summary(Diagnostics(list(items)))}); the HTML is up to date")

    def _report(self, state: PreviewState, changed: list[Path] | None) -> None:
        """The terminal: what changed, the diagnostics as ``casepress check`` prints them, the timing."""
        stamp = time.strftime("%H:%M:%S")
        what = "first build"
        if changed:  # an editor's temporary files come and go: name the files that are still there
            existing = {display_path(p) for p in changed if p.exists()}
            names = sorted(existing or {display_path(p) for p in changed})
            what = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        lines = [f"[{stamp}] {what}"]
        if state.diagnostics:
            lines.append(render_text(state.diagnostics))
        lines.append(summary(Diagnostics(list(state.diagnostics))))
        if state.ok:
            lines.append(f"HTML rebuilt in {state.build_ms:.0f} ms (+{state.publish_ms:.0f} ms to write) "
                         f"-> {self.url}")
        else:
            lines.append(f"build failed after {state.build_ms:.0f} ms; still serving the last good version")
        self.say("\n".join(lines))

    def say(self, text: str) -> None:
        """One message to the terminal (threads never interleave their lines)."""
        with self._echo_lock:
            self.echo(text)


# ---------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM stops the preview as Ctrl-C does (so the preview folder is removed)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _uninterrupted() -> Iterator[None]:
    """A second Ctrl-C while stopping would leave workers and the preview folder behind: ignore it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def serve(case_file: Path, project: Project, host: str = "127.0.0.1", port: int = 8000, pdf: bool = True) -> int:
    """Serve the case until interrupted; returns the exit code (0 after Ctrl-C, 1 if the port is taken)."""
    import click

    preview = Preview(case_file, project, WatchSettings(host=host, port=port, pdf=pdf))
    try:
        with _terminate_as_interrupt():
            try:
                preview.start()
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    why = "the port is already in use (another casepress watch?); pick another with --port, or --port 0"
                else:
                    why = exc.strerror or str(exc)
                click.echo(f"error: cannot serve on {host}:{port}: {why}", err=True)
                return 1
            click.echo(f"Serving {display_path(case_file.parent)} at {preview.url} (Ctrl-C to stop)")
            click.echo(f"Preview folder: {preview.folder}", err=True)
            while not preview.stopped.wait(0.5):
                pass
    except KeyboardInterrupt:
        click.echo("Stopping.", err=True)
    finally:
        with _uninterrupted():
            preview.stop()
    return 0
