"""The PDF, laid out in a worker process after each good HTML build.

WeasyPrint holds the GIL for seconds, so a thread would slow every HTML rebuild
made meanwhile, and a thread cannot be stopped when a newer build supersedes it,
while a process can be killed. A spare worker imports WeasyPrint ahead of time,
so a job does not wait for the imports. A worker is the build's layout worker
(:mod:`casepress.build.layout`: the same jobs and answers, over its stdin and stdout), started as
a fresh interpreter rather than forked, since this process runs threads; the checks before the
layout and the report after it run here (:func:`~casepress.outputs.pdf.html_to_pdf`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casepress.build.layout import request
from casepress.core.diagnostics import Diagnostic, Diagnostics, Location, Severity
from casepress.build.watch.folder import PreviewFolder
from casepress.outputs.pdf import Files, LayoutFailed, html_to_pdf
from casepress.stages.work import LaidOut, Layout


@dataclass(frozen=True)
class PdfJob:
    """One PDF to lay out: everything :func:`~casepress.outputs.pdf.html_to_pdf` needs, as plain data."""

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
    """A PDF worker: at a lower priority, the build's layout worker (:func:`casepress.build.layout.serve`)
    on stdin and stdout: it imports WeasyPrint, then answers each job until stdin closes (a spare
    that was never used exits quietly)."""
    from casepress.build.layout import serve

    if hasattr(os, "nice"):
        os.nice(10)  # the HTML builds are what the author waits for: they get the CPU first
    serve(sys.stdin.fileno(), sys.stdout.fileno(), os.getppid())


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
            diagnostics = Diagnostics()
            pdf = html_to_pdf(job.html, job.files, job.variant, job.origin, diagnostics, layout=_in(worker))
            if pdf is not None:
                staged.write_bytes(pdf.data)
            _finish(worker)
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
            result = PdfResult(pdf is not None, pdf.page_count if pdf else 0, tuple(diagnostics),
                               time.perf_counter() - started)
            if result.ok:
                self._folder.install(job.name, staged)
            self._on_done(job, result)
        finally:
            staged.unlink(missing_ok=True)


def _in(worker: subprocess.Popen[bytes]) -> Layout:
    """The :data:`~casepress.stages.work.Layout` of a worker process: its one job, answered on its
    stdout; a worker that dies (or is killed: superseded) is :class:`LayoutFailed` with the last
    line it wrote on stderr."""

    def lay_out(html: str, files: Files, variant: str | None) -> LaidOut:
        assert worker.stdin is not None and worker.stdout is not None
        laid = request(worker.stdin.fileno(), worker.stdout.fileno(), html, files, variant)
        if laid is None:
            err = _finish(worker)
            tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit status {worker.returncode}"]
            raise LayoutFailed(f"the PDF worker failed: {tail[0]}")
        return laid

    return lay_out


def _finish(worker: subprocess.Popen[bytes]) -> bytes:
    """Close a worker's stdin (it exits: one job per worker) and wait for it; what it wrote on stderr."""
    try:
        _out, err = worker.communicate()
    except (OSError, ValueError):  # its pipes were closed (the runner closed)
        err = b""
    return err
