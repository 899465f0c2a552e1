"""The collection's manifest: what each case folder holds and what it was built from.

``output/.casepress-manifest.json`` records, per case, the hash of its inputs (the rebuild
check), what the collection index shows (title, authors, date, keywords) and the files of
every output written (kind -> path, the kinds as :mod:`casepress.outputs.registry` names
them); swaps recorded in the output folder's journal (:mod:`casepress.build.publish`) are read
with it. Both the pipeline (which writes an entry with each swap) and the batch runner (which
reads it to skip unchanged cases) import this module; neither imports the other's.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from casepress.core.diagnostics import Diagnostic, Location, Severity, display_path
from casepress.core.limits import MAX_CASE_BYTES
from casepress.load.caseinputs import CaseInputs, read_inputs
from casepress.build.publish import lock, peek, peek_slug, settle, sweep

InputsRecord = dict[str, Any]
"""A case's :class:`~casepress.load.caseinputs.CaseInputs` as JSON, with ``source``, the sha256 of
the case.yaml bytes they were read from."""

MANIFEST = ".casepress-manifest.json"
MANIFEST_VERSION = 2
"""2: entries keep the case's warnings (replayed when the case is unchanged)."""


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
    """Kind -> path relative to the output folder, for every output the folder holds (the kinds
    of :mod:`casepress.outputs.registry`: ``html``, ``pdf``, ``checklist``, ``checklist_pdf``,
    ``jats``, ``docx``, ``zip``, and, written with the article, ``figure:<id>`` for each figure
    casepress drew)."""
    warnings: list[dict[str, Any]] = field(default_factory=list)
    """The warnings the build reported (``Diagnostic.to_json``, files relative to the project),
    printed again when the case is unchanged, so ``--strict`` fails whatever the cache says."""
    seconds: float | None = None
    """How long the build took (its stages, in its worker, to the millisecond): the next batch
    starts its longest cases first (:func:`casepress.build.batch.schedule`). None when unknown."""
    inputs: InputsRecord | None = None
    """What the case's YAML names outside its folder (:func:`inputs_record`), with the hash of the
    case.yaml it was read from, so a no-op rebuild need not parse YAML it has read before."""

    @classmethod
    def from_json(cls, slug: str, data: object) -> CaseEntry | None:
        """An entry read back from JSON, or None when it has the wrong shape (the case is rebuilt)."""
        if not isinstance(data, dict) or not _FIELDS.issuperset(data):
            return None
        strings = ("slug", "digest", "title", "journal")
        lists = ("authors", "keywords")
        files, warnings, published = data.get("files"), data.get("warnings", []), data.get("published")
        if not (all(isinstance(data.get(k), str) for k in strings) and data["slug"] == slug
                and all(isinstance(data.get(k), list) and all(isinstance(x, str) for x in data[k]) for k in lists)
                and isinstance(files, dict) and all(isinstance(v, str) for v in files.values())
                and bool(files) and all(isinstance(k, str) for k in files)
                and isinstance(warnings, list) and all(_is_warning(w) for w in warnings)
                and (published is None or _is_date(published)) and _is_seconds(data.get("seconds"))
                and _is_inputs(data.get("inputs"))):
            return None
        return cls(**data)


def _is_inputs(value: object) -> bool:
    return value is None or (
        isinstance(value, dict) and set(value) == {"source", "journal", "csl", "bibliography"}
        and isinstance(value["source"], str) and isinstance(value["journal"], str)
        and (value["csl"] is None or isinstance(value["csl"], str))
        and isinstance(value["bibliography"], list) and all(isinstance(b, str) for b in value["bibliography"]))


def _is_seconds(value: object) -> bool:
    return value is None or (type(value) in (int, float) and 0 <= value < 1e9)  # type: ignore[operator]


_FIELDS = frozenset(f.name for f in fields(CaseEntry))


def _is_date(value: object) -> bool:
    import datetime as dt

    if not isinstance(value, str):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_warning(value: object) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("code"), str) and isinstance(value.get("message"), str)
            and all(value.get(k) is None or isinstance(value.get(k), str) for k in ("file", "path", "hint"))
            and all(value.get(k) is None or type(value.get(k)) is int for k in ("line", "column")))


def _source(case_file: Path) -> bytes:
    """case.yaml's bytes as the inputs are read from them (nothing above ``MAX_CASE_BYTES``)."""
    try:
        with open(case_file, "rb") as stream:
            raw = stream.read(MAX_CASE_BYTES + 1)
    except OSError:
        return b""
    return raw if len(raw) <= MAX_CASE_BYTES else b""


def _read(raw: bytes) -> CaseInputs:
    text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")  # as read_text
    return read_inputs(text)


def case_inputs(case_file: Path, known: InputsRecord | None = None, source: bytes | None = None) -> CaseInputs:
    """What ``case_file`` names outside its folder: ``known`` (a manifest entry's record) when it
    was read from these very bytes, else read from the YAML (never raises). ``source``: the
    file's bytes when the caller has read them already."""
    raw = _source(case_file) if source is None else source if len(source) <= MAX_CASE_BYTES else b""
    if known is not None and known["source"] == hashlib.sha256(raw).hexdigest():
        return CaseInputs(journal=known["journal"], csl=known["csl"], bibliography=tuple(known["bibliography"]))
    return _read(raw)


def inputs_record(case_file: Path) -> InputsRecord:
    """The manifest's record of ``case_file``'s inputs (:attr:`CaseEntry.inputs`). A pure function
    of the file's bytes, so any build may record it for whatever case.yaml it reads."""
    raw = _source(case_file)
    inputs = _read(raw)
    return {"source": hashlib.sha256(raw).hexdigest(), "journal": inputs.journal, "csl": inputs.csl,
            "bibliography": list(inputs.bibliography)}


def portable_warnings(diagnostics: Iterable[Diagnostic], root: Path) -> list[dict[str, Any]]:
    """The warnings among ``diagnostics`` as JSON, their files relative to the project ``root``."""
    base = os.path.abspath(root)
    kept = []
    for item in diagnostics:
        if item.severity is not Severity.WARNING:
            continue
        record = item.to_json()
        file = record.get("file")
        if isinstance(file, str) and Path(os.path.abspath(file)).is_relative_to(base):
            record["file"] = Path(os.path.relpath(os.path.abspath(file), base)).as_posix()
        kept.append(record)
    return kept


def replay_warnings(entry: CaseEntry, root: Path) -> list[Diagnostic]:
    """The warnings an unchanged case reported when it was built, located as a fresh build would."""
    replayed = []
    for record in entry.warnings:
        file = record.get("file")
        location = None
        if isinstance(file, str):
            shown = file if os.path.isabs(file) else display_path(root / file)
            location = Location(shown, record.get("line"), record.get("column"))
        replayed.append(Diagnostic(Severity.WARNING, record["code"], record["message"], location,
                                   record.get("path"), record.get("hint")))
    return replayed


@dataclass
class Manifest:
    """The record of what is in an output folder and what it was built from.

    The file is ``output/.casepress-manifest.json``; swaps that finished after it
    was last saved are in the output folder's journal (:mod:`casepress.build.publish`)
    and are read with it, so the manifest as loaded is always true to the folders.
    """

    cases: dict[str, CaseEntry] = field(default_factory=dict)
    """Built cases by slug."""

    @classmethod
    def load(cls, path: Path, journal: bool = True) -> Manifest:
        """Read a manifest (and, with ``journal``, the swaps recorded beside it); a missing,
        unreadable or wrongly shaped file is empty, and a wrongly shaped entry is dropped
        (that case is rebuilt)."""
        manifest = cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
        if isinstance(data, dict) and data.get("version") == MANIFEST_VERSION and isinstance(data.get("cases"), dict):
            manifest.add(data["cases"])
        if journal:
            manifest.add(peek(path.parent))
        return manifest

    def add(self, raw: dict[str, Any]) -> None:
        """Take in JSON entries by slug (wrongly shaped ones are ignored)."""
        for slug, record in raw.items():
            entry = CaseEntry.from_json(slug, record) if isinstance(slug, str) else None
            if entry is not None:
                self.cases[slug] = entry

    def dumps(self) -> str:
        """Stable JSON (sorted keys), so that unchanged collections give unchanged manifests."""
        payload = {"version": MANIFEST_VERSION, "cases": {s: asdict(e) for s, e in sorted(self.cases.items())}}
        return json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n"

    def save(self, path: Path) -> None:
        """Write atomically (nothing is written when the file already holds the same)."""
        from casepress.build.output import write_files

        write_files(path.parent, {path.name: self.dumps()}, {})


_parsed: dict[Path, tuple[tuple[int, int, int], Manifest]] = {}
"""Manifest files parsed by this process, with the (inode, size, mtime) they had: a batch's
workers read the file once, not once per case."""


def current_entry(output_root: Path, slug: str) -> CaseEntry | None:
    """The entry true now for one case: its completed swap's when one is pending in the journal,
    else the manifest file's (:meth:`Manifest.load` for one slug, in time independent of how many
    cases the batch has built so far)."""
    pending = peek_slug(output_root, slug)
    if pending is not None:
        return CaseEntry.from_json(slug, pending)
    path = output_root / MANIFEST
    try:
        info = path.stat()
    except OSError:
        return None
    key = (info.st_ino, info.st_size, info.st_mtime_ns)
    cached = _parsed.get(path)
    if cached is None or cached[0] != key:
        _parsed.clear()  # one output folder at a time
        cached = _parsed[path] = (key, Manifest.load(path, journal=False))
    return cached[1].cases.get(slug)


def finish(output_root: Path, write: Callable[[Manifest], None] | None = None) -> None:
    """Fold the finished swaps into the manifest file and clean up after dead builds.

    Under the output folder's lock: interrupted swaps are finished or undone,
    the manifest is saved, ``write`` (the collection index) runs, and leftovers of
    dead writers are removed. When no swap finished and the file is there, it already
    says everything and is neither read nor written again (unless ``write`` needs it): a
    no-op rebuild of a large collection costs no second parse and no re-serialization.
    Raises OSError when the folder cannot be written to and something needs writing.
    """
    path = output_root / MANIFEST
    try:
        with lock(output_root):
            with settle(output_root) as finished:
                changed = bool(finished) or not path.is_file()
                if changed or write is not None:
                    manifest = Manifest.load(path, journal=False)
                    manifest.add(finished)
                    if changed:
                        manifest.save(path)
                    if write is not None:
                        write(manifest)
            sweep(output_root)
    except OSError:
        if path.is_file() and not peek(output_root):
            if write is not None:
                write(Manifest.load(path))  # raises again if the index is out of date
            return
        raise


def merge_manifests(paths: Iterable[Path]) -> Manifest:
    """One manifest from several shards' (later files win on the same slug)."""
    merged = Manifest()
    for path in paths:
        merged.cases.update(Manifest.load(path).cases)
    return merged
