"""A layout worker: a process that imports WeasyPrint while the build checks the case and renders
its HTML, then lays out the PDFs the build sends it (the article's, then the checklist's).

A single case's build is sequential on one core: check and HTML, ``import weasyprint``, then the
layouts. With a spare core, the import runs beside the check instead of after it. The worker
is forked when the case's build starts (it shares the modules already imported, and no
interpreter starts), reads jobs from a pipe and answers each with the
:class:`~casepress.outputs.pdf.LaidOut` of :func:`~casepress.outputs.pdf.lay_out`, pickled.
Everything else about the PDF stays in the build's process: the checks before the layout
(``preflight``) and the report after it (:func:`~casepress.outputs.pdf.report_layout`, which
locates a table too wide for its column in the case), so both paths report alike.

- **Where.** :func:`wanted` is the one decision: a build that makes a PDF, on a platform that
  forks safely, with a core to spare. Elsewhere the layout runs in the build's process.
- **Lifetime.** The worker dies with the build's process (``die_with_parent``), ignores Ctrl-C
  (the build's process kills it), and is killed as soon as the case is done with it, failed
  or not: one that never got a job has only spent a spare core on an import.
- **Failure.** A worker that dies is a ``pdf-failed`` error at the case (never a traceback);
  an exception inside the layout comes back as the ``internal`` error it would have been here.

``casepress watch`` runs the same worker (:func:`serve`) with a runner of its own
(:mod:`casepress.build.watch.pdf`): a fresh interpreter per job, since it would fork from a
process with running threads, killed when a newer save supersedes its layout.
"""

from __future__ import annotations

import os
import signal
import struct
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from casepress.core.options import BuildOptions
    from casepress.outputs.pdf import Files, LaidOut

HEADER = struct.Struct("<Q")
"""A frame's length, before its pickle."""
PIPE_BYTES = 1 << 20
"""The pipes' buffer (Linux): a PDF of a few MB crosses in a few writes, not a hundred."""


def can_fork() -> bool:
    """Whether this platform forks safely: not without ``os.fork`` (Windows), nor on macOS, whose
    system frameworks may not survive a fork (as multiprocessing says there)."""
    return hasattr(os, "fork") and sys.platform != "darwin"


def wanted(cases: int, jobs: int, cpus: int, options: BuildOptions) -> bool:
    """Whether each of ``cases`` builds (with up to ``jobs`` processes, on ``cpus`` CPUs) lays out
    its PDFs in a worker: the build makes a PDF, the platform forks, and a core is spare for
    every worker (one case on a machine of two CPUs or more, or fewer cases than jobs and CPUs)."""
    from casepress.outputs import registry

    if cases < 1 or not can_fork() or cases >= cpus or (cases > 1 and cases >= jobs):
        return False
    return any(o.name == "pdf" for o in registry.select(options.outputs, options.pdf))


@contextmanager
def started(start: bool) -> Iterator[LayoutWorker | None]:
    """A worker for one case's build when ``start`` (None without, or when it cannot fork), killed
    on the way out, however the build ends."""
    worker = LayoutWorker.start() if start else None
    try:
        yield worker
    finally:
        if worker is not None:
            worker.close()


class LayoutWorker:
    """The build's end of a worker: a :data:`~casepress.outputs.pdf.Layout`, one job at a time."""

    def __init__(self, pid: int, jobs: int, results: int) -> None:
        self.pid: int | None = pid
        """The worker's process id; None once it was reaped."""
        self._jobs = jobs
        """The pipe the jobs are written to."""
        self._results = results
        """The pipe the results are read from."""
        self.status: int | None = None
        """How it ended (``os.waitpid``'s status), once reaped."""

    @classmethod
    def start(cls) -> LayoutWorker | None:
        """Fork a worker, which starts importing WeasyPrint; None when the system refuses a
        process or a pipe (then the layout runs here)."""
        try:
            jobs_read, jobs_write = os.pipe()
            results_read, results_write = os.pipe()
        except OSError:
            return None
        for fd in (jobs_write, results_write):
            _widen(fd)
        # Whatever this process buffered would be written twice if the worker wrote it too.
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError:
            for fd in (jobs_read, jobs_write, results_read, results_write):
                os.close(fd)
            return None
        if pid == 0:
            os.close(jobs_write)
            os.close(results_read)
            _fresh_streams()
            serve(jobs_read, results_write, parent)
        os.close(jobs_read)
        os.close(results_write)
        return cls(pid, jobs_write, results_read)

    def __call__(self, html: str, files: Files, variant: str | None) -> LaidOut:
        """Lay out ``html`` in the worker (it reads ``files`` as :func:`~casepress.outputs.pdf.lay_out`
        would); raises :class:`~casepress.outputs.pdf.LayoutFailed` when it died or raised."""
        from casepress.outputs.pdf import LayoutFailed

        reply = request(self._jobs, self._results, html, files, variant) if self.pid is not None else None
        if reply is None:
            self.close()
            raise LayoutFailed(f"the PDF layout worker died ({self.ending()}); the PDF was not made")
        return reply

    def ending(self) -> str:
        """How the worker ended, in words (once reaped)."""
        status = self.status
        if status is None:
            return "it is still running"
        if os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            try:
                return f"killed by {signal.Signals(number).name}"
            except ValueError:
                return f"killed by signal {number}"
        return f"exit status {os.WEXITSTATUS(status)}"

    def close(self) -> None:
        """Kill the worker (it keeps nothing worth waiting for) and reap it; idempotent."""
        if self.pid is None:
            return
        for fd in (self._jobs, self._results):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:  # pragma: no cover - reaped elsewhere (a SIGCHLD handler)
            pass
        try:
            self.status = os.waitpid(self.pid, 0)[1]
        except ChildProcessError:  # pragma: no cover - as above
            self.status = 0
        self.pid = None


_FORKED_STREAMS: list[object] = []
"""The build's stdout and stderr objects as a forked worker found them (kept, never used)."""


def _fresh_streams() -> None:
    """Give a forked worker stream objects of its own on the same descriptors: a thread of the
    build (the progress bar's) may have held the old ones' locks at the fork, and a warning
    written to them would then wait forever. The old ones are kept, so that no finalizer
    flushes them."""
    _FORKED_STREAMS.extend((sys.stdout, sys.stderr))
    try:
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - lives as long as the process
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
    except OSError:  # no such descriptor: nothing to write to anyway
        pass


def _widen(fd: int) -> None:
    """Ask for :data:`PIPE_BYTES` of buffer on a pipe (Linux); elsewhere, or when refused, the default."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)  # type: ignore[attr-defined]
    except (ImportError, AttributeError, OSError):
        pass


def request(jobs: int, results: int, html: str, files: Files, variant: str | None) -> LaidOut | None:
    """Send a worker serving on the pipes ``jobs`` and ``results`` (:func:`serve`) one layout and
    read its answer: the layout, or None when the worker died; raises
    :class:`~casepress.outputs.pdf.LayoutFailed` with the ``internal`` error of an exception in it."""
    from casepress.outputs.pdf import LayoutFailed

    try:
        _send(jobs, (html, dict(files), variant))
        reply = _receive(results)
    except OSError:  # it died while the job was being written
        return None
    if reply is None:
        return None
    kind, value = reply
    if kind == "raised":
        raise LayoutFailed(value.message, value)
    return value  # type: ignore[no-any-return]


def serve(jobs: int, results: int, parent: int) -> NoReturn:
    """A worker: import WeasyPrint, then answer each job read from ``jobs`` on ``results`` until
    ``jobs`` closes; ends with ``parent``. Never returns (a forked worker must not run on into the
    build's code): every way out is ``os._exit``."""
    code = 1
    try:
        from casepress.build.workers import become_worker

        become_worker(parent)  # Ctrl-C is the build's to handle: it kills us
        import weasyprint  # noqa: F401  (the point of starting early)

        from casepress.core import internal
        from casepress.outputs.pdf import lay_out

        while (job := _receive(jobs)) is not None:
            try:
                reply: tuple[str, Any] = ("laid-out", lay_out(*job))
            except Exception as exc:  # noqa: BLE001 - reported as the build reports its own
                reply = ("raised", internal.diagnostic(exc, internal.current_case.get()))
            _send(results, reply)
        code = 0
    except BaseException:  # noqa: BLE001 - the build reports a worker that ends without an answer
        pass
    finally:
        os._exit(code)


def _send(fd: int, message: object) -> None:
    """Write one frame: the pickle's length, then the pickle."""
    import pickle

    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    _write_all(fd, HEADER.pack(len(data)))
    _write_all(fd, data)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _receive(fd: int) -> Any:
    """Read one frame; None at the end of the pipe (the other end closed, or died)."""
    import pickle

    header = _read_exactly(fd, HEADER.size)
    if header is None:
        return None
    data = _read_exactly(fd, HEADER.unpack(header)[0])
    return None if data is None else pickle.loads(data)


def _read_exactly(fd: int, size: int) -> bytearray | None:
    buffer = bytearray(size)
    view, done = memoryview(buffer), 0
    while done < size:
        count = os.readv(fd, [view[done:]])
        if count == 0:
            return None
        done += count
    return buffer
