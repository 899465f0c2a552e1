"""BibTeX files to CSL-JSON items, the format the citation ecosystem shares.

bibtexparser 2 splits a file into blocks (entries, ``@string``, ``@preamble``,
comments and blocks it could not read); everything after that is this module and its
parts, in order: ``bibtex_blocks`` (values), this module (files, duplicates, crossref),
``bibtex_convert`` with ``bibtex_names`` and ``bibtex_latex`` (conversion):

1. **Values.** Each raw field value is evaluated the way BibTeX does: ``#``
   concatenation, ``@string`` macros (case-insensitive, defined in file order and
   visible to later files, as with ``\\bibliography{abbrev,refs}``), the predefined
   month macros ``jan``..``dec`` and bare numbers. bibtexparser 2 resolves a macro
   only when it is the whole value and leaves ``jnci # " Monogr"`` raw, hence our own
   evaluator.
2. **Crossref.** A child inherits every field it lacks from its ``crossref``
   parent, with biblatex's renames: the parent's ``title`` becomes the child's
   ``booktitle`` (``journaltitle`` for a ``@periodical`` parent), a ``@book``
   parent's ``author`` also becomes an ``@inbook`` child's ``bookauthor``.
   Identifiers of the parent (DOI, URL, eprint, PMID, PMCID) and bookkeeping
   fields are not inherited: they name the parent, not the child.
3. **Conversion** to CSL-JSON, as citeproc-js and pandoc read it. LaTeX is decoded
   with pylatexenc's parser; text fields become CSL "rich text": ``\\textit``,
   ``\\emph``, ``{\\em ..}`` give ``<i>``, ``\\textbf`` ``<b>``, ``\\textsuperscript``
   and math ``^{..}`` ``<sup>``, ``\\textsubscript`` and math ``_`` ``<sub>``. In
   titles, a brace group that protects case (``{DNA}``) becomes
   ``<span class="nocase">DNA</span>``; a group that starts with an accent or
   symbol command (``{\\"u}``) is a BibTeX "special character" and protects
   nothing. Nothing is HTML-escaped: ``\\&`` is a plain ``&``; escaping is the
   renderer's job.

Conventions a formatter must know:

* ``"casepress-et-al": true`` marks an author list that ended in ``and others``;
  the named authors are kept and the formatter appends "et al.". An editor list
  ending in ``and others`` sets ``"casepress-et-al-editor": true`` likewise. These
  keys are not CSL: strip ``casepress-*`` keys before handing items to citeproc.
* A whole-braced name (``{World Health Organization}``) is ``{"literal": ...}``.
* ``eprinttype = {arxiv}`` becomes a ``note`` ``arXiv:ID [class]``; ``pmid`` and
  ``pmcid`` become ``PMID`` and ``PMCID``.
* Fields this module does not know (``abstract``, ``keywords``, ``file``,
  ``annotation``, ...) are ignored on purpose, and so are an ``eprint`` without
  ``eprinttype`` and a ``langid`` that is neither in our table nor a locale code.

Problems are located diagnostics (1-based lines; bibtexparser's are 0-based).
Errors: ``bibtex-syntax`` (unreadable block or field), ``duplicate-key`` (within
or across files; the first definition wins), ``encoding`` (unreadable or not
UTF-8). Warnings: ``incomplete-entry`` (no title, or no author and no editor),
``invalid-doi`` (left out), ``invalid-date``, ``invalid-name``, ``undefined-macro``,
``unknown-crossref``, ``unknown-entry-type``, ``duplicate-field`` (the first one
is used) and ``latex-command`` (an unknown command, left out).
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casepress.core.diagnostics import Diagnostics, Location, display_path, warning_code
from casepress.cite.recorded import diagnostics_record, replay_diagnostics

if TYPE_CHECKING:
    from casepress.cite.bibtex_blocks import RawEntry

warning_code("crossref-cycle", "a .bib entry is on a crossref ring (it inherits from the others only)")
warning_code("unknown-crossref", "a .bib entry's crossref names no entry of the bibliography")

# ---------------------------------------------------------------------------
# Public interface
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BibEntry:
    """One bibliography entry, converted."""

    key: str
    """The citation key."""
    item: dict[str, Any]
    """The entry as a CSL-JSON item (``id`` is the key)."""
    file: Path
    """The .bib file it comes from."""
    line: int
    """1-based line of the ``@type{key,`` header."""

    @property
    def location(self) -> Location:
        """Where the entry starts."""
        return Location(display_path(self.file), self.line, 1)


def load_bibliography(files: Iterable[Path], diagnostics: Diagnostics) -> dict[str, BibEntry]:
    """Every entry of ``files`` by key, in file order; problems go to ``diagnostics``.

    Malformed entries, duplicate keys (within a file or across files) and files
    that are not readable UTF-8 are errors; the first definition of a key wins.
    A missing file is the caller's business (it is reported as unreadable here).
    """
    files = list(files)
    try:
        contents = [path.read_bytes() for path in files]
    except OSError:
        contents = None  # unreadable: take the slow path, which reports it
    key = _library_key(files, contents) if contents is not None else None
    if key is not None:
        hit = _MEMO.get(key) or _replay(_CACHE().get(key), files)
        if hit is not None:
            _MEMO[key] = hit
            entries, found = hit
            diagnostics.extend(found)
            return dict(entries)
    local = Diagnostics()
    sources = ((path, _read_text(path, local)) for path in files)
    entries = _load_sources(sources, local)
    diagnostics.extend(local)
    if key is not None:
        _MEMO[key] = (entries, list(local))
        _CACHE().put(key, _record(entries, list(local), files))
    return entries


# Converting a library is the slow part of `casepress check`; its result depends only on
# the files' bytes (and this code), so it is kept in memory for the process and on disk.
_MEMO: dict[str, tuple[dict[str, BibEntry], list[Any]]] = {}


def _CACHE() -> Any:
    from casepress.core.cache import JsonCache

    return JsonCache.named("bib")


_CONVERTING_CODE = (
    "casepress.cite.bibtex", "casepress.cite.bibtex_blocks", "casepress.cite.bibtex_convert",
    "casepress.cite.bibtex_latex", "casepress.cite.bibtex_names", "casepress.cite.biblatex_terms",
    "casepress.cite.sentence_case", "casepress.cite.recorded",
)
"""The modules whose code shapes a converted library (part of its cache key), with the BibTeX
parser's and the LaTeX decoder's versions."""


def _library_key(files: list[Path], contents: list[bytes]) -> str:
    from casepress.core.cache import code_digest, digest

    code = code_digest(*_CONVERTING_CODE, libraries=("bibtexparser", "pylatexenc"))
    return digest("bib-v1", code, *[p for pair in zip([str(f) for f in files], contents) for p in pair])


def _record(entries: dict[str, BibEntry], found: list[Any], files: list[Path]) -> dict[str, Any]:
    index = {f: i for i, f in enumerate(files)}
    return {
        "entries": [[e.key, e.item, index.get(e.file, 0), e.line] for e in entries.values()],
        "diagnostics": diagnostics_record(found, files),
    }


def _replay(record: Any, files: list[Path]) -> tuple[dict[str, BibEntry], list[Any]] | None:
    """A cached record back as entries and diagnostics, with today's display paths."""
    if not isinstance(record, dict):
        return None
    try:
        entries = {key: BibEntry(key, item, files[i], line) for key, item, i, line in record["entries"]}
        return entries, replay_diagnostics(record["diagnostics"], files)
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def parse_bibtex_text(text: str, path: Path, diagnostics: Diagnostics) -> dict[str, BibEntry]:
    """The entries of one BibTeX text, as if read from ``path`` (handy in tests)."""
    return _load_sources([(path, text)], diagnostics)


def to_csl_json(entries: Mapping[str, BibEntry] | Iterable[BibEntry]) -> list[dict[str, Any]]:
    """The CSL-JSON list of ``entries`` (copies: callers may change them freely)."""
    values = entries.values() if isinstance(entries, Mapping) else entries
    return [copy.deepcopy(entry.item) for entry in values]


# ---------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------


def _read_text(path: Path, diagnostics: Diagnostics) -> str | None:
    """The file's text, or None after an ``encoding`` error (never a traceback)."""
    shown = display_path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        diagnostics.error(
            "encoding", f"cannot read bibliography file: {exc.strerror or exc}", Location(shown)
        )
        return None
    try:
        # utf-8-sig: Windows tools like to start files with a byte-order mark.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _byte_position(data, exc.start)
        diagnostics.error(
            "encoding",
            f"bibliography file is not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded",
            Location(shown, line, column),
            hint="save the file as UTF-8 (reference managers offer it in their export options)",
        )
        return None


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of byte ``offset`` of ``data``."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    prefix = data[line_start:offset].decode("utf-8", errors="replace")
    return data.count(b"\n", 0, offset) + 1, len(prefix) + 1


# ---------------------------------------------------------------------------
# Across entries and files: duplicates, crossref
# ---------------------------------------------------------------------------


def _load_sources(
    sources: Iterable[tuple[Path, str | None]], diagnostics: Diagnostics
) -> dict[str, BibEntry]:
    """Split every source, drop duplicates, resolve crossrefs, convert (in this order)."""
    found = Diagnostics()
    converted = _convert_sources(sources, found)
    diagnostics.extend(_printable(d) for d in found)
    return converted


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _printable(diagnostic: Any) -> Any:
    """The diagnostic with control characters of the file (a key, a value quoted in a
    message) shown as ``\\xNN``: a terminal must never receive them raw."""
    def clean(text: str | None) -> str | None:
        return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text) if text else text

    if not (_CONTROL.search(diagnostic.message) or _CONTROL.search(diagnostic.hint or "")):
        return diagnostic
    return dataclasses.replace(diagnostic, message=clean(diagnostic.message), hint=clean(diagnostic.hint))


def _convert_sources(
    sources: Iterable[tuple[Path, str | None]], diagnostics: Diagnostics
) -> dict[str, BibEntry]:
    """:func:`_load_sources` without the clean-up of messages."""
    # The parser and the converter are imported here, on a cache miss only: a warm check reads
    # the converted library from the cache and never needs them (about 3% of a cold check).
    from casepress.cite.bibtex_blocks import quiet_libraries, split_entries
    from casepress.cite.bibtex_convert import convert

    macros: dict[str, str] = {}
    raw_entries: list[RawEntry] = []
    converted: dict[str, BibEntry] = {}
    with quiet_libraries():
        for path, text in sources:
            if text is not None:
                raw_entries.extend(split_entries(text, path, macros, diagnostics))
        unique = _drop_duplicates(raw_entries, diagnostics)
        for raw in unique.values():
            resolved = _with_crossref(raw, unique, diagnostics)
            item = convert(resolved, diagnostics)
            converted[raw.key] = BibEntry(raw.key, item, raw.file, raw.line)
    return converted


def _drop_duplicates(entries: list[RawEntry], diagnostics: Diagnostics) -> dict[str, RawEntry]:
    """Entries by key; a second definition is a ``duplicate-key`` error naming the first."""
    unique: dict[str, RawEntry] = {}
    for entry in entries:
        if not entry.key:
            continue
        first = unique.get(entry.key)
        if first is None:
            unique[entry.key] = entry
            continue
        diagnostics.error(
            "duplicate-key",
            f"bibliography key '{entry.key}' is defined twice"
            f" (first at {display_path(first.file)}:{first.line})",
            entry.location(),
        )
    return unique


#: Fields a child never inherits: bookkeeping (biblatex's list) and identifiers
#: of the parent work, which would make the child point at the wrong thing.
_NOT_INHERITED = frozenset({
    "crossref", "xref", "ids", "entryset", "entrysubtype", "execute", "label", "options",
    "presort", "related", "relatedoptions", "relatedstring", "relatedtype", "shorthand",
    "shorthandintro", "sortkey", "sorttitle", "indextitle", "indexsorttitle", "shorttitle",
    "title", "subtitle", "titleaddon", "doi", "url", "urldate", "eprint", "eprinttype",
    "eprintclass", "archiveprefix", "primaryclass", "pmid", "pmcid", "abstract", "keywords", "file",
})
_BOOK_PARENTS = frozenset({"book", "mvbook"})
_BOOK_CHILDREN = frozenset({"inbook", "bookinbook", "suppbook"})


def _with_crossref(
    entry: RawEntry, entries: Mapping[str, RawEntry], diagnostics: Diagnostics
) -> RawEntry:
    """``entry`` with the fields it inherits from its crossref parent (and theirs)."""
    fields = dict(entry.fields)
    seen = {entry.key.lower()}
    chain = [entry.key]
    child = entry
    while parent_key := child.fields.get("crossref", "").strip():
        if parent_key.lower() in seen:
            if parent_key.lower() == entry.key.lower():  # the entry is on the ring: say so once, here
                ring = " -> ".join([*chain, parent_key])
                diagnostics.warning(
                    "crossref-cycle",
                    f"entry '{entry.key}' is its own crossref; it inherits nothing" if len(chain) == 1
                    else f"entry '{entry.key}' is on a crossref ring ({ring}); it inherits from the others only",
                    entry.location("crossref"),
                )
            break
        chain.append(parent_key)
        parent = _find_key(entries, parent_key)
        if parent is None:
            diagnostics.warning(
                "unknown-crossref",
                f"entry '{child.key}' has crossref '{parent_key}',"
                " which is not in the bibliography",
                child.location("crossref"),
            )
            break
        for name, value in _inherited_fields(parent, child.entry_type).items():
            fields.setdefault(name, value)
        seen.add(parent.key.lower())
        child = parent
    fields.pop("crossref", None)
    return dataclasses.replace(entry, fields=fields)


def _find_key(entries: Mapping[str, RawEntry], key: str) -> RawEntry | None:
    """The entry for ``key``; BibTeX matches crossref keys case-insensitively."""
    if key in entries:
        return entries[key]
    lowered = key.lower()
    return next((e for k, e in entries.items() if k.lower() == lowered), None)


def _inherited_fields(parent: RawEntry, child_type: str) -> dict[str, str]:
    """What a child of type ``child_type`` may take from ``parent``, biblatex-style."""
    fields = {k: v for k, v in parent.fields.items() if k not in _NOT_INHERITED}
    if "title" in parent.fields:
        target = "journaltitle" if parent.entry_type == "periodical" else "booktitle"
        fields[target] = parent.fields["title"]
    if "subtitle" in parent.fields and parent.entry_type != "periodical":
        fields["booksubtitle"] = parent.fields["subtitle"]
    book_part = parent.entry_type in _BOOK_PARENTS and child_type in _BOOK_CHILDREN
    if "author" in parent.fields and book_part:
        fields["bookauthor"] = parent.fields["author"]
    return fields


__all__ = ["BibEntry", "load_bibliography", "parse_bibtex_text", "to_csl_json"]

