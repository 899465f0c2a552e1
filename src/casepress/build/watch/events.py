"""The watcher: which files to watch (those the last build read), and the loop that waits for saves.

The watch set is :func:`casepress.build.inputs.build_inputs`, the list the rebuild
check hashes, taken again after every build: the case file, the .bib files and
figures it names (inside the case folder or elsewhere in the project), the case
folder's other files as the de-identification check scans them, and the template
folders along the journal's ``extends`` chain. Nothing else: a save in another
journal's folder, the preview folder or a hidden editor file rebuilds nothing.

A burst of saves (an editor's write-rename-chmod) becomes one rebuild: watchfiles
waits for ``step_ms`` of quiet, ``debounce_ms`` at most. When idle, the watcher also
compares the mtimes of the files read with the last build's, in case an event was lost.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from casepress.core.project import Project
from casepress.build.inputs import BuildInputs, build_inputs, read_case_text
from casepress.build.watch.folder import forget_templates
from casepress.build.watch.state import WatchSettings


class InputWatcher:
    """The files the last build read, and the watchfiles loop over them (run in its own thread)."""

    def __init__(self, case_file: Path, project: Project, settings: WatchSettings, stopped: threading.Event,
                 journal: str | None = None) -> None:
        self.case_file = case_file
        """The case's ``case.yaml``."""
        self.project = project
        """The project it belongs to."""
        self.settings = settings
        """How long a burst of saves lasts, how often to poll."""
        self.stopped = stopped
        """Set when the preview stops; the loop ends when it sees it."""
        self.journal = journal
        """The journal the builds use instead of the case's own (None: the case's)."""
        self.ignored: Path | None = None
        """A folder never watched (the preview folder, written by every build)."""
        self._figures: tuple[str, ...] = ()
        self.inputs: BuildInputs = build_inputs(case_file, project, read_case_text(case_file), journal)
        """What the last build read (before the first: what the case file names)."""
        self._built_stamp: dict[Path, tuple[int, int]] = {}
        self._pending_stamp: dict[Path, tuple[int, int]] | None = None

    def learn(self, text: str, data: object | None) -> None:
        """Watch what the build just made read: ``text`` is the case file it read, ``data`` that
        text as loaded YAML (None when it does not parse: the last figures stay watched)."""
        if data is not None:  # the figures as the de-identification check finds them in the YAML
            from casepress.check.deid.files import named_figure_files

            self._figures = tuple(name for name, _ in named_figure_files(data))
        self.inputs = build_inputs(self.case_file, self.project, text, self.journal, self._figures)

    def watched_files(self) -> list[Path]:
        """Every file now watched that exists (the build may look for others), sorted."""
        found: set[Path] = set()
        for root in self.watched_roots():
            for top, _, files in os.walk(root):
                found.update(p for p in (Path(top) / f for f in files) if self.is_relevant(p))
        return sorted(found)

    # -- watching ------------------------------------------------------------------------

    def watched_roots(self) -> list[Path]:
        """The case folder, the template folders, and the folders of files that lie elsewhere."""
        files, folders = self.inputs.outside()
        # A folder looked for but missing is watched from the nearest folder there is (its
        # template root's journals/ at most), so that creating it rebuilds.
        roots = [self.inputs.case_dir, *(_existing(f) for f in folders), *(f.parent for f in files)]
        kept: list[Path] = []
        for root in roots:  # nested folders would report each change twice
            if root.is_dir() and not any(root.is_relative_to(k) for k in kept):
                kept = [k for k in kept if not k.is_relative_to(root)] + [root]
        return kept

    def is_relevant(self, path: Path) -> bool:
        """True for a change that can alter the build (the watched folders hold other files too)."""
        if self.ignored is not None and path.is_relative_to(self.ignored):
            return False
        return self.inputs.reads(path)

    def input_stamp(self) -> dict[Path, tuple[int, int]]:
        """Mtime and size of the files the build read by name (a cheap check for a missed save)."""
        stamps: dict[Path, tuple[int, int]] = {}
        for path in sorted(self.inputs.files):
            try:
                stat = path.stat()
            except OSError:
                stamps[path] = (-1, -1)
            else:
                stamps[path] = (stat.st_mtime_ns, stat.st_size)
        return stamps

    def _missed_save(self) -> bool:
        """True when a file the build read by name changed since the last build and no event said so.

        A safety net, checked whenever the watcher idles: watchfiles drops a change that
        lands just as it times out, and some mounts (network, containers) send no events.
        The change must look the same on two checks in a row, so that a file still being
        written is not read half-way (what the event path's quiet period ensures).
        """
        current = self.input_stamp()
        changed = any(self._built_stamp.get(path, stamp) != stamp for path, stamp in current.items())
        if not changed:
            self._pending_stamp = None
            return False
        stable = current == self._pending_stamp
        self._pending_stamp = current
        return stable

    def _is_template(self, path: Path) -> bool:
        return any(path.is_relative_to(f) for f in self.inputs.folders)

    def building(self) -> None:
        """A build starts reading now: a save from now on is seen again."""
        self._built_stamp = self.input_stamp()
        self._pending_stamp = None

    def run(self, rebuild: Callable[[list[Path] | None], object], ready: threading.Event,
            say: Callable[[str], None]) -> None:
        """Wait for saves until stopped: build once as soon as the watcher listens (then set
        ``ready``), then ``rebuild`` with the changed paths after each burst."""
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
                        rebuild(None)
                        ready.set()
                    if changes:
                        paths = [Path(p) for _, p in changes]
                        if any(self._is_template(p) for p in paths):
                            forget_templates()
                        rebuild(paths)
                    elif self._missed_save():
                        rebuild([self.case_file])
                    if self.watched_roots() != roots:
                        break  # the build reads another folder (a .bib elsewhere, another journal): watch it
            except Exception as exc:  # noqa: BLE001 - e.g. a watched folder was removed; keep serving
                say(f"watch: {type(exc).__name__}: {exc}; watching again")
                self.stopped.wait(1.0)


def _existing(folder: Path) -> Path:
    """``folder``, or its nearest ancestor that is a folder."""
    while not folder.is_dir() and folder.parent != folder:
        folder = folder.parent
    return folder
