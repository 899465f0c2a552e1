"""The preview: watch, build, publish, serve (the threads of one ``casepress watch``)."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Self

from casepress.core.diagnostics import Diagnostic, Diagnostics, Location, display_path, render_text, summary
from casepress.core.project import Project
from casepress.build.watch.events import InputWatcher
from casepress.build.watch.folder import PreviewFolder
from casepress.build.watch.pdf import PdfJob, PdfResult, PdfRunner
from casepress.build.watch.server import PreviewServer
from casepress.build.watch.state import Hub, PreviewState, WatchSettings

if TYPE_CHECKING:
    from casepress.build.pipeline import BuiltCase


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
        self.watcher = InputWatcher(self.case_file, project, self.settings, self.stopped, self.options.journal)
        """What the last build read, watched for saves."""
        self._workdir: Path | None = None
        self._folder: PreviewFolder | None = None
        self._server: PreviewServer | None = None
        self._threads: list[threading.Thread] = []
        self._echo_lock = threading.Lock()
        self._pdf_warnings: tuple[Diagnostic, ...] = ()

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
        self.watcher.ignored = self._workdir
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
            threading.Thread(target=self.watcher.run, args=(self.rebuild, self.ready, self.say), name="casepress-watch",
                             daemon=True),
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

    # -- building ------------------------------------------------------------------------

    def rebuild(self, changed: list[Path] | None = None) -> PreviewState:
        """Build the HTML, publish it if good, report in the terminal, start the PDF."""
        from casepress.build.pipeline import gather

        assert self._folder is not None
        diagnostics = Diagnostics()
        self.watcher.building()
        started = time.perf_counter()
        try:
            built = gather(self.case_file, self.project, self.options, diagnostics)
        except Exception as exc:  # noqa: BLE001 - a crashing stage is a bug, but must not end the preview
            self.say(traceback.format_exc().rstrip())
            diagnostics.error("internal-error", f"casepress crashed: {type(exc).__name__}: {exc}",
                              Location(display_path(self.case_file)))
            built = None
        build_ms = (time.perf_counter() - started) * 1000
        self._learn(built)
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

    def _learn(self, built: BuiltCase | None) -> None:
        """Watch what this build read, from the case file as the build read it (loaded again when
        the build failed; when it does not even parse, the watch set stays as it was)."""
        from casepress.load.source import load_yaml

        doc = built.checked.doc if built is not None else load_yaml(self.case_file, Diagnostics())
        if doc is not None:
            self.watcher.learn(doc.text, doc.data)

    def _publish(
        self, built: BuiltCase, items: tuple[Diagnostic, ...], build_ms: float
    ) -> tuple[PreviewState, list[str]]:
        """Write the build into the preview folder and announce it; returns the state and the files."""
        assert self._folder is not None
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

