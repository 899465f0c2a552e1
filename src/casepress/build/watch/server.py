"""The HTTP server of the preview: the served folder, with live reload injected into its pages.

Into every HTML page it sends (never into the files on disk) it injects a small
script that listens on the Server-Sent Events endpoint :data:`EVENTS_PATH`: a newer
good build reloads the page; a broken one shows a banner with the located
diagnostics over the last good page, which stays visible underneath.
"""

from __future__ import annotations

import json
import socket
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from casepress.build.watch.folder import PreviewFolder
from casepress.build.watch.state import EVENTS_PATH, KEEPALIVE_SECONDS, STATE_PATH, Hub


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

