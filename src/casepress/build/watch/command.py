"""``casepress watch`` itself: serve one case until Ctrl-C (or SIGTERM), then clean up."""

from __future__ import annotations

import errno
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from casepress.core.diagnostics import display_path
from casepress.core.project import Project
from casepress.build.watch.preview import Preview
from casepress.build.watch.state import WatchSettings


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
