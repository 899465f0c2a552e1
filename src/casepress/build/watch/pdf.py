"""The PDF, laid out in a worker process after each good HTML build.

WeasyPrint holds the GIL for seconds, so a thread would slow every HTML rebuild
made meanwhile, and a thread cannot be stopped when a newer build supersedes it,
while a process can be killed. A spare worker imports WeasyPrint ahead of time,
so a job does not wait for the imports.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casepress.core.diagnostics import Diagnostic, Diagnostics, Location, Severity
from casepress.build.watch.folder import PreviewFolder


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


WORKER_CODE = "import sys; from casepress.build.watch.pdf import pdf_worker_main; sys.exit(pdf_worker_main())"
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

