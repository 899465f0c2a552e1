"""BibTeX files to CSL-JSON items, the format the citation ecosystem shares.

bibtexparser 2 splits a file into blocks (entries, ``@string``, ``@preamble``,
comments and blocks it could not read); everything after that is this module:

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

import calendar
import copy
import dataclasses
import functools
import logging
import re
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from casepress.core.diagnostics import Diagnostics, Location, display_path, warning_code
from casepress.cite.biblatex_terms import EPRINT_URLS, localised
from casepress.cite.sentence_case import is_english, sentence_case
from casepress.core.limits import MAX_BRACE_DEPTH, MAX_FIELD_LENGTH, MAX_MACRO_LENGTH

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


def _library_key(files: list[Path], contents: list[bytes]) -> str:
    from casepress.core.cache import digest

    source = Path(__file__).read_bytes()
    return digest("bib-v1", source, *[p for pair in zip([str(f) for f in files], contents) for p in pair])


def _record(entries: dict[str, BibEntry], found: list[Any], files: list[Path]) -> dict[str, Any]:
    index = {f: i for i, f in enumerate(files)}
    shown = {display_path(f): i for i, f in enumerate(files)}
    return {
        "entries": [[e.key, e.item, index.get(e.file, 0), e.line] for e in entries.values()],
        "diagnostics": [
            {**d.to_json(), "file": shown.get(d.location.file) if d.location else None,
             "raw_file": d.location.file if d.location else None}
            for d in found
        ],
    }


def _replay(record: Any, files: list[Path]) -> tuple[dict[str, BibEntry], list[Any]] | None:
    """A cached record back as entries and diagnostics, with today's display paths."""
    from casepress.core.diagnostics import Diagnostic, Severity

    if not isinstance(record, dict):
        return None
    try:
        entries = {key: BibEntry(key, item, files[i], line) for key, item, i, line in record["entries"]}
        found = []
        for d in record["diagnostics"]:
            file = display_path(files[d["file"]]) if d["file"] is not None else d["raw_file"]
            location = Location(file, d["line"], d["column"]) if file is not None else None
            found.append(Diagnostic(Severity(d["severity"]), d["code"], d["message"], location, d["path"], d["hint"]))
        return entries, found
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
# From blocks to raw entries: macros, concatenation, located syntax errors
# ---------------------------------------------------------------------------

#: BibTeX's predefined month macros (case-insensitive, like all macros).
_MONTH_MACROS = {
    name[:3].lower(): name for name in calendar.month_name[1:]
}


@dataclass
class _RawEntry:
    """An entry after macro and concatenation evaluation, before conversion."""

    entry_type: str
    """Lower-case BibTeX type without the ``@``."""
    key: str
    """The citation key."""
    fields: dict[str, str]
    """Lower-case field name -> LaTeX value, outer delimiters removed."""
    field_lines: dict[str, int]
    """Lower-case field name -> 1-based line of its ``=``."""
    file: Path
    """The .bib file."""
    line: int
    """1-based line of the ``@``."""
    lines: list[str] = field(repr=False, default_factory=list)
    """The file's lines, to find the column of a field."""
    damaged: bool = False
    """True when a field could not be read (a syntax error was reported)."""

    def location(self, field_name: str | None = None) -> Location:
        """The entry's place, or the place of one of its fields."""
        shown = display_path(self.file)
        line = self.field_lines.get(field_name or "")
        if line is None:
            return Location(shown, self.line, 1)
        return Location(shown, line, _field_column(self.lines, line, field_name or ""))


def _field_column(lines: list[str], line: int, name: str) -> int | None:
    """1-based column of field ``name`` on ``line``, or None when it is not there."""
    if not 0 < line <= len(lines):
        return None
    match = re.search(rf"(?<![\w-]){re.escape(name)}\s*=", lines[line - 1], re.IGNORECASE)
    return match.start() + 1 if match else None


#: Libraries whose log lines would leak to the terminal: their problems are our diagnostics.
_QUIET_LOGGERS = ("bibtexparser", "pylatexenc")


@contextmanager
def _quiet_libraries() -> Iterator[None]:
    """Silence the logging of bibtexparser and pylatexenc for the duration of a load."""
    loggers = [logging.getLogger(name) for name in _QUIET_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        # Child loggers (bibtexparser.splitter, pylatexenc.latex2text...) inherit the level.
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _split_entries(
    text: str, path: Path, macros: dict[str, str], diagnostics: Diagnostics
) -> list[_RawEntry]:
    """The entries of ``text`` in file order; ``@string`` definitions update ``macros``."""
    import bibtexparser
    from bibtexparser import model

    # An empty parse stack: we evaluate values ourselves (concatenation).
    library = bibtexparser.parse_string(text, parse_stack=[])
    lines = text.splitlines()
    shown = display_path(path)
    entries: list[_RawEntry] = []
    for parsed in library.blocks:
        block: model.Block | None = parsed
        if isinstance(parsed, model.DuplicateBlockKeyBlock | model.DuplicateFieldKeyBlock):
            # Duplicates are reported by us, uniformly within and across files.
            block = parsed.ignore_error_block
        if isinstance(block, model.String):
            _define_macro(block, shown, macros, diagnostics)
        elif isinstance(block, model.Entry):
            entries.append(_raw_entry(block, path, lines, macros, diagnostics))
        elif isinstance(block, model.ParsingFailedBlock):
            _report_failed_block(block, shown, diagnostics)
        # Preambles, @comment blocks and free text between entries are ignored.
    return entries


warning_code("undefined-macro", "a .bib value uses an undefined @string macro (taken as literal text)",
             "{n} uses of undefined macros")


def _define_macro(
    block: Any, shown: str, macros: dict[str, str], diagnostics: Diagnostics
) -> None:
    """Record one ``@string`` definition (a later definition wins, as in BibTeX)."""
    line = (block.start_line or 0) + 1
    value = _evaluate(block.value, macros)
    if value.error:
        diagnostics.error(
            value.code,
            f"cannot read @string '{block.key}': {value.error}",
            Location(shown, line, 1),
        )
        macros[block.key.strip().lower()] = ""  # defined (empty): its users are not warned again
        return
    for name in value.undefined:
        diagnostics.warning(
            "undefined-macro",
            f"@string '{block.key}' uses undefined macro '{name}' (taken as literal text)",
            Location(shown, line, 1),
        )
    macros[block.key.strip().lower()] = value.text


warning_code("duplicate-field", "a field appears twice in one .bib entry (the first one is used)")


def _raw_entry(
    block: Any, path: Path, lines: list[str], macros: Mapping[str, str], diagnostics: Diagnostics
) -> _RawEntry:
    """Evaluate the fields of one entry block; the first of duplicate fields wins."""
    entry = _RawEntry(
        entry_type=block.entry_type.strip().lower(),
        key=block.key.strip(),
        fields={},
        field_lines={},
        file=path,
        line=(block.start_line or 0) + 1,
        lines=lines,
    )
    if not entry.key:
        diagnostics.error(
            "bibtex-syntax", f"@{entry.entry_type} entry has no citation key", entry.location()
        )
        entry.damaged = True
    elif _BAD_KEY.search(entry.key):
        diagnostics.error(
            "bibtex-syntax",
            f"citation key {entry.key!r} holds white space or control characters; the entry is left out",
            entry.location(),
        )
        entry.key, entry.damaged = "", True  # keyless entries are dropped
    for raw_field in block.fields:
        name = raw_field.key.strip().lower()
        start = raw_field.start_line if raw_field.start_line is not None else block.start_line
        line = (start or 0) + 1
        if name in entry.fields or name in entry.field_lines:
            where = Location(display_path(path), line, _field_column(lines, line, name))
            diagnostics.warning(
                "duplicate-field",
                f"field '{name}' appears twice in entry '{entry.key}'; the first one is used",
                where,
            )
            continue
        entry.field_lines[name] = line
        value = _evaluate(raw_field.value, macros)
        if value.error:
            diagnostics.error(
                value.code,
                f"cannot read field '{name}' of entry '{entry.key}': {value.error}",
                entry.location(name),
            )
            entry.damaged = True
            continue
        for macro in value.undefined:
            diagnostics.warning(
                "undefined-macro",
                f"field '{name}' of entry '{entry.key}' uses undefined macro '{macro}'"
                " (taken as literal text)",
                entry.location(name),
            )
        if len(value.text) > MAX_FIELD_LENGTH and name not in _FREE_TEXT:
            diagnostics.error(
                "limit-exceeded",
                f"field '{name}' of entry '{entry.key}' is {len(value.text):,} characters long"
                f" (at most {MAX_FIELD_LENGTH:,}: limits.MAX_FIELD_LENGTH)",
                entry.location(name),
            )
            entry.damaged = True
            continue
        entry.fields[name] = value.text
    return entry


_FREE_TEXT = frozenset({"abstract", "annotation", "annote", "comment", "file", "keywords", "review"})
"""Fields the converter never reads: any length is fine."""


_BAD_KEY = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
_BLOCK_HEAD = re.compile(r"\s*@\s*(\w+)\s*[{(]\s*([^\s,{}()\"'#%=]*)[ \t]*(,|\r?\n|$)?")


def _report_failed_block(block: Any, shown: str, diagnostics: Diagnostics) -> None:
    """A ``bibtex-syntax`` error at the first line of a block bibtexparser could not read."""
    line = (block.start_line or 0) + 1
    reason = " ".join(str(getattr(block.error, "abort_reason", block.error)).split())
    diagnostics.error(
        "bibtex-syntax",
        f"malformed {_describe_block(block.raw or '')}: {reason or 'unreadable'}",
        Location(shown, line, 1),
        hint="check that braces and quotes are balanced and fields are separated by commas",
    )


def _describe_block(raw: str) -> str:
    """``BibTeX entry 'key'`` when the key is readable, else ``@type block``."""
    head = _BLOCK_HEAD.match(raw)
    if head is None:
        return "BibTeX block"
    kind, key, after_key = head.group(1).lower(), head.group(2), head.group(3)
    if kind not in {"comment", "preamble", "string"} and key and after_key is not None:
        return f"BibTeX entry '{key}'"
    return f"@{kind} block"


@dataclass(frozen=True)
class _Value:
    """A field value after evaluation."""

    text: str = ""
    """The LaTeX text."""
    undefined: tuple[str, ...] = ()
    """Macros used but never defined (their names were used as text)."""
    error: str | None = None
    """Why the value could not be read, or None."""
    code: str = "bibtex-syntax"
    """The diagnostic code of ``error``."""


#: Characters that delimit value pieces; backslash-escaped ones do not count, as in
#: bibtexparser's splitter, so that both agree on where a value ends.
_VALUE_MARKS = re.compile(r'(?<!\\)[{}"#]')
_NUMBER = re.compile(r"\d+")
_MACRO_NAME = re.compile(r"[^\s\"#%'(),={}\d][^\s\"#%'(),={}]*")


def _evaluate(raw: str, macros: Mapping[str, str]) -> _Value:
    """Evaluate a raw BibTeX value: ``{..}``, ``".."``, numbers, macros, joined by ``#``."""
    pieces = _split_pieces(raw.strip())
    if pieces is None:
        return _Value(error="unbalanced braces or quotes")
    if isinstance(pieces, int):
        return _Value(error=f"braces nest {pieces:,} deep (at most {MAX_BRACE_DEPTH}:"
                      " limits.MAX_BRACE_DEPTH)", code="limit-exceeded")
    texts: list[str] = []
    undefined: list[str] = []
    length, expanded = 0, False
    for piece in pieces:
        if not piece:
            return _Value(error="empty part in a '#' concatenation")
        text = _delimited_text(piece)
        if text is not None:
            texts.append(text)
        elif _NUMBER.fullmatch(piece):
            texts.append(piece)
        elif _MACRO_NAME.fullmatch(piece):
            known = macros.get(piece.lower(), _MONTH_MACROS.get(piece.lower()))
            if known is None:
                undefined.append(piece)
            texts.append(piece if known is None else known)
        else:
            return _Value(error=_piece_problem(piece))
        length += len(texts[-1])
        expanded = expanded or text is None
        if expanded and length > MAX_MACRO_LENGTH:  # each @string twice the last: 2**30 in 30 lines
            return _Value(error=f"its macros expand to more than {MAX_MACRO_LENGTH:,} characters"
                          " (limits.MAX_MACRO_LENGTH)", code="limit-exceeded")
    return _Value("".join(texts), tuple(undefined))


def _split_pieces(value: str) -> list[str] | int | None:
    """``value`` cut at top-level ``#``; None when braces or quotes do not balance, the
    depth when braces nest deeper than ``MAX_BRACE_DEPTH``."""
    pieces: list[str] = []
    depth, deepest, quoted, start = 0, 0, False, 0
    for mark in _VALUE_MARKS.finditer(value):
        char = mark.group()
        if char == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif char == "}":
            depth -= 1
            if depth < 0:
                return None
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            pieces.append(value[start : mark.start()].strip())
            start = mark.end()
    if depth or quoted:
        return None
    if deepest > MAX_BRACE_DEPTH:
        return deepest
    pieces.append(value[start:].strip())
    return pieces


def _delimited_text(piece: str) -> str | None:
    """The inside of a ``{..}`` or ``".."`` piece that is delimited as a whole, else None."""
    if len(piece) < 2 or (piece[0], piece[-1]) not in (("{", "}"), ('"', '"')):
        return None
    depth = 0
    for mark in _VALUE_MARKS.finditer(piece, 1, len(piece) - 1):
        char = mark.group()
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return None  # "{a} {b}": the first brace closes early
        elif char == '"' and depth == 0 and piece[0] == '"':
            return None  # '"a" "b"'
    return piece[1:-1]


def _piece_problem(piece: str) -> str:
    """Explain why a value piece is unreadable, in the user's terms."""
    if piece[0] in '{"' and ("=" in piece or "\n" in piece):
        return "text follows the closing delimiter (is a comma missing before the next field?)"
    return f"unexpected text {_shorten(piece)!r} (use braces around text, '#' to join parts)"


def _shorten(text: str, limit: int = 40) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


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
    macros: dict[str, str] = {}
    raw_entries: list[_RawEntry] = []
    converted: dict[str, BibEntry] = {}
    with _quiet_libraries():
        for path, text in sources:
            if text is not None:
                raw_entries.extend(_split_entries(text, path, macros, diagnostics))
        unique = _drop_duplicates(raw_entries, diagnostics)
        for raw in unique.values():
            resolved = _with_crossref(raw, unique, diagnostics)
            item = _convert(resolved, diagnostics)
            converted[raw.key] = BibEntry(raw.key, item, raw.file, raw.line)
    return converted


def _drop_duplicates(entries: list[_RawEntry], diagnostics: Diagnostics) -> dict[str, _RawEntry]:
    """Entries by key; a second definition is a ``duplicate-key`` error naming the first."""
    unique: dict[str, _RawEntry] = {}
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


warning_code("crossref-cycle", "a .bib entry is on a crossref ring (it inherits from the others only)")
warning_code("unknown-crossref", "a .bib entry's crossref names no entry of the bibliography")


def _with_crossref(
    entry: _RawEntry, entries: Mapping[str, _RawEntry], diagnostics: Diagnostics
) -> _RawEntry:
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


def _find_key(entries: Mapping[str, _RawEntry], key: str) -> _RawEntry | None:
    """The entry for ``key``; BibTeX matches crossref keys case-insensitively."""
    if key in entries:
        return entries[key]
    lowered = key.lower()
    return next((e for k, e in entries.items() if k.lower() == lowered), None)


def _inherited_fields(parent: _RawEntry, child_type: str) -> dict[str, str]:
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


# ---------------------------------------------------------------------------
# Conversion to CSL-JSON
# ---------------------------------------------------------------------------


class _Mode(Enum):
    """How LaTeX is decoded for a CSL variable."""

    TITLE = "title"
    """Rich text; brace groups protect case (``<span class="nocase">``)."""
    TEXT = "text"
    """Rich text; braces only group."""
    PLAIN = "plain"
    """No markup at all, ``~`` is a plain space (names, identifiers)."""


_TYPES = {
    "article": "article-journal",
    "book": "book",
    "mvbook": "book",
    "collection": "book",
    "mvcollection": "book",
    "proceedings": "book",
    "mvproceedings": "book",
    "reference": "book",
    "mvreference": "book",
    "manual": "book",
    "booklet": "pamphlet",
    "inbook": "chapter",
    "bookinbook": "chapter",
    "suppbook": "chapter",
    "incollection": "chapter",
    "suppcollection": "chapter",
    "inreference": "entry-encyclopedia",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "mastersthesis": "thesis",
    "phdthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "misc": "document",
    "unpublished": "manuscript",
    "patent": "patent",
    "periodical": "periodical",
    "dataset": "dataset",
    "software": "software",
    "standard": "standard",
}
_ARTICLE_SUBTYPES = {"magazine": "article-magazine", "newspaper": "article-newspaper"}
#: CSL types whose ``booktitle`` is the container (a chapter's book, a paper's proceedings).
_IN_CONTAINER = frozenset({"chapter", "paper-conference", "entry-encyclopedia", "entry-dictionary"})
_PERIODICAL_PARTS = frozenset(
    {"article-journal", "article-magazine", "article-newspaper", "periodical"}
)
#: CSL types where BibTeX's ``number`` counts within a ``series``.
_SERIES_PARTS = frozenset({"book", "chapter", "paper-conference"})
#: CSL types for which a ``genre`` (from ``type`` or the entry type) is meaningful.
_WITH_GENRE = frozenset(
    {"thesis", "report", "document", "webpage", "dataset", "software", "patent", "manuscript"}
)

#: Default genres, as BibTeX's standard styles print them, and biblatex's type keys.
_GENRES = {
    "phdthesis": "PhD thesis",
    "mastersthesis": "Master's thesis",
    "mathesis": "Master's thesis",
    "techreport": "Technical report",
    "resreport": "Research report",
}

#: Other biblatex date fields -> CSL date variables.
_OTHER_DATES = (("urldate", "accessed"), ("eventdate", "event-date"), ("origdate", "original-date"))

#: Name fields -> CSL name variables.
_NAME_FIELDS = (
    ("author", "author"),
    ("editor", "editor"),
    ("translator", "translator"),
    ("bookauthor", "container-author"),
)

#: Simple variables: CSL variable, decoding, BibTeX/biblatex fields by preference.
_SIMPLE_VARIABLES: tuple[tuple[str, _Mode, tuple[str, ...]], ...] = (
    ("title-short", _Mode.TITLE, ("shorttitle",)),
    ("container-title-short", _Mode.TITLE, ("shortjournal", "journalabbreviation")),
    ("collection-title", _Mode.TITLE, ("series",)),
    ("volume", _Mode.PLAIN, ("volume",)),
    ("number-of-volumes", _Mode.PLAIN, ("volumes",)),
    ("edition", _Mode.TEXT, ("edition",)),
    ("chapter-number", _Mode.PLAIN, ("chapter",)),
    ("number-of-pages", _Mode.PLAIN, ("pagetotal", "numpages")),
    ("version", _Mode.PLAIN, ("version",)),
    ("publisher", _Mode.TEXT, ("publisher", "institution", "school", "organization")),
    ("publisher-place", _Mode.TEXT, ("location", "address")),
    ("event-title", _Mode.TITLE, ("eventtitle",)),
    ("event-place", _Mode.TEXT, ("venue",)),
    ("ISBN", _Mode.PLAIN, ("isbn",)),
    ("ISSN", _Mode.PLAIN, ("issn",)),
)

_LOCALISED = frozenset({"collection-title", "edition"})
"""Variables whose value may be a biblatex localisation key (``newseries``)."""
_LISTS = frozenset({"publisher", "publisher-place"})
"""Variables from biblatex list fields (``location``, ``publisher``, ``institution``)."""

#: biblatex ``langid``/``language`` values -> CSL locale codes (unknown ones are left out).
_LANGUAGES = {
    "english": "en", "american": "en-US", "usenglish": "en-US", "british": "en-GB",
    "ukenglish": "en-GB", "canadian": "en-CA", "australian": "en-AU", "newzealand": "en-NZ",
    "german": "de", "ngerman": "de", "austrian": "de-AT", "naustrian": "de-AT",
    "swissgerman": "de-CH", "nswissgerman": "de-CH", "french": "fr", "spanish": "es",
    "italian": "it", "dutch": "nl", "portuguese": "pt", "brazilian": "pt-BR", "swedish": "sv",
    "danish": "da", "norwegian": "nb", "finnish": "fi", "polish": "pl", "czech": "cs",
    "russian": "ru", "greek": "el", "turkish": "tr", "japanese": "ja", "chinese": "zh",
    "korean": "ko", "eng": "en", "ger": "de", "fre": "fr", "spa": "es", "ita": "it",
}
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z]{2,4})?")


@dataclass
class _Problem:
    """A warning found while converting, before it has a place."""

    code: str
    message: str
    field: str | None = None
    hint: str | None = None


def _convert(entry: _RawEntry, diagnostics: Diagnostics) -> dict[str, Any]:
    """The CSL-JSON item of ``entry``; conversion warnings go to ``diagnostics``."""
    converter = _Converter(entry)
    item = converter.item()
    for problem in converter.problems:
        location = entry.location() if problem.field is None else entry.location(problem.field)
        diagnostics.warning(problem.code, problem.message, location, hint=problem.hint)
    return item


warning_code("latex-command", "an unknown LaTeX command in a .bib field (kept as its text)",
             "{n} unknown LaTeX commands in .bib fields")
warning_code("unknown-entry-type", "an unknown .bib entry type (treated as a document)")
warning_code("invalid-name", "a .bib name list that cannot be read as names")
warning_code("invalid-date", "a .bib date or month field that is not a date (kept as text, or only the year used)")
warning_code("invalid-doi", "a .bib DOI that is not a DOI (left out)")
warning_code("incomplete-entry", "a .bib entry has no title, or no author or editor",
             "{n} bibliography entries are incomplete")


class _Converter:
    """Builds one CSL-JSON item, collecting the problems it meets."""

    def __init__(self, entry: _RawEntry) -> None:
        self.entry = entry
        self.fields = entry.fields
        self.problems: list[_Problem] = []

    def warn(
        self, code: str, message: str, field_name: str | None = None, hint: str | None = None
    ) -> None:
        """Note a problem of this entry (or of one of its fields)."""
        self.problems.append(_Problem(code, message, field_name, hint))

    def item(self) -> dict[str, Any]:
        """The item, variables in a fixed, readable order."""
        csl_type = self.csl_type()
        item: dict[str, Any] = {"id": self.entry.key, "type": csl_type}
        item.update(self.names())
        item.update(self.titles(csl_type))
        item.update(self.simple_variables())
        item.update(self.numbers(csl_type))
        item.update(self.genre(csl_type))
        item.update(self.dates())
        item.update(self.identifiers())
        item.update(self.notes())
        item.update(self.language())
        if csl_type == "document" and "URL" in item:
            item["type"] = "webpage"  # @misc with a URL: a web page, as Zotero reads it
        self.check_complete(item)
        return _in_reading_order(item)

    # -- text ---------------------------------------------------------------

    def text(self, name: str, mode: _Mode) -> str | None:
        """Field ``name`` decoded from LaTeX, or None when absent or empty."""
        raw = self.fields.get(name)
        if raw is None:
            return None
        decoded, unknown = _decode_latex(raw, mode)
        for command in unknown:
            self.warn(
                "latex-command",
                f"unknown LaTeX command \\{command} in field '{name}' of entry '{self.entry.key}'"
                " is kept as its text",
                name,
            )
        return decoded or None

    def first_text(self, names: Iterable[str], mode: _Mode) -> str | None:
        """The first of ``names`` that has a value."""
        for name in names:
            value = self.text(name, mode)
            if value:
                return value
        return None

    # -- parts --------------------------------------------------------------

    def csl_type(self) -> str:
        """The CSL type of the BibTeX entry type."""
        bib_type = self.entry.entry_type
        if bib_type == "article":
            subtype = self.fields.get("entrysubtype", "").strip().lower()
            return _ARTICLE_SUBTYPES.get(subtype, "article-journal")
        csl_type = _TYPES.get(bib_type)
        if csl_type is None:
            self.warn(
                "unknown-entry-type",
                f"entry '{self.entry.key}' has unknown type @{bib_type};"
                " it is treated as a document",
            )
            return "document"
        return csl_type

    def names(self) -> dict[str, Any]:
        """author, editor, translator, container-author, and the et-al markers."""
        result: dict[str, Any] = {}
        for bib_field, variable in _NAME_FIELDS:
            raw = self.fields.get(bib_field)
            if raw is None:
                continue
            names, truncated, problems = _parse_names(raw)
            for problem in problems:
                self.warn("invalid-name", f"entry '{self.entry.key}': {problem}", bib_field)
            if names:
                result[variable] = names
            if truncated and variable == "author":
                result["casepress-et-al"] = True
            elif truncated and variable == "editor":
                result["casepress-et-al-editor"] = True
        return result

    def cased(self, name: str) -> str | None:
        """A title field, in sentence case for English (or unmarked) entries, as BibTeX
        styles and pandoc print it."""
        value = self.text(name, _Mode.TITLE)
        return sentence_case(value) if value and self.english else value

    @property
    def english(self) -> bool:
        return is_english(self.fields.get("langid") or self.fields.get("language") or "")

    def titles(self, csl_type: str) -> dict[str, str]:
        """title (with subtitle), container-title; a ``maintitle`` is the title (or the
        container's) and the volume's own title is ``volume-title``, as pandoc maps them."""
        result: dict[str, str] = {}
        title = _join_title(self.cased("title"), self.cased("subtitle"))
        main = _join_title(self.cased("maintitle"), self.cased("mainsubtitle"))
        container = self.first_text(("journaltitle", "journal"), _Mode.TITLE)
        if container is None and csl_type in _IN_CONTAINER:
            container = _join_title(self.cased("booktitle"), self.cased("booksubtitle"))
            if main:
                container, result["volume-title"] = main, container or ""
        elif main:
            title, result["volume-title"] = main, title or ""
        if title:
            result["title"] = title
        if container:
            result["container-title"] = container
        return {k: v for k, v in result.items() if v}

    def simple_variables(self) -> dict[str, str]:
        """Variables copied from one field each (see ``_SIMPLE_VARIABLES``)."""
        result: dict[str, str] = {}
        for variable, mode, names in _SIMPLE_VARIABLES:
            value = self.first_text(names, mode)
            if not value:
                continue
            if variable in _LOCALISED:
                value = localised(value)
            if variable == "collection-title" and self.english:
                value = sentence_case(value)
            if variable in _LISTS:  # München and Berlin: "München; Berlin", as pandoc joins them
                value = "; ".join(_split_persons(value))
            result[variable] = value
        part = self.text("part", _Mode.PLAIN)
        if part:
            result["volume"] = f"{result['volume']}.{part}" if result.get("volume") else part
        howpublished = self.text("howpublished", _Mode.TEXT)
        if howpublished and not _looks_like_url(howpublished) and "publisher" not in result:
            result["publisher"] = howpublished  # Zotero reads it so, too
        pages = self.text("pages", _Mode.PLAIN)
        if pages:
            result["page"] = _normalize_pages(pages)
        return result

    def numbers(self, csl_type: str) -> dict[str, str]:
        """BibTeX ``number``: an issue, a report number or a number in a series."""
        number = self.text("number", _Mode.PLAIN)
        issue = self.text("issue", _Mode.PLAIN)
        result: dict[str, str] = {}
        if csl_type in _PERIODICAL_PARTS:
            if number or issue:
                result["issue"] = number or issue or ""
        elif number:
            in_series = "series" in self.fields and csl_type in _SERIES_PARTS
            result["collection-number" if in_series else "number"] = number
        return result

    def genre(self, csl_type: str) -> dict[str, str]:
        """The genre: the ``type`` field, or what the entry type says (PhD thesis...)."""
        given = self.fields.get("type", "").strip()
        if given:
            value = _GENRES.get(given.lower()) or localised(self.text("type", _Mode.TEXT) or "")
        else:
            value = _GENRES.get(self.entry.entry_type)
        return {"genre": value} if value and csl_type in _WITH_GENRE else {}

    def dates(self) -> dict[str, Any]:
        """issued (``date`` or ``year``/``month``/``day``), accessed, event-date, original-date."""
        result: dict[str, Any] = {}
        issued = self.date_field("date") if "date" in self.fields else self.year_month()
        if issued:
            result["issued"] = issued
        for bib_field, variable in _OTHER_DATES:
            value = self.date_field(bib_field)
            if value:
                result[variable] = value
        return result

    def date_field(self, name: str) -> dict[str, Any] | None:
        """A biblatex ISO date field (``2020``, ``2020-03``, ``2020-03-15``, ranges with ``/``)."""
        raw = self.text(name, _Mode.PLAIN)
        if raw is None:
            return None
        parts = _parse_iso_date(raw)
        if parts is None:
            self.warn(
                "invalid-date",
                f"field '{name}' of entry '{self.entry.key}' is not a date: {raw!r};"
                " it is kept as text",
                name,
                hint="write dates as YYYY, YYYY-MM or YYYY-MM-DD (ranges as start/end)",
            )
            return {"literal": raw}
        return {"date-parts": parts}

    def year_month(self) -> dict[str, Any] | None:
        """issued from BibTeX ``year``, ``month`` and ``day``."""
        year = self.text("year", _Mode.PLAIN)
        if year is None:
            return None
        if not re.fullmatch(r"\d{1,4}", year):
            return {"literal": year}  # "in press", "n.d.", "forthcoming": legitimate text
        month_text = self.text("month", _Mode.PLAIN)
        months = _parse_months(month_text) if month_text else []
        if months is None:
            self.warn(
                "invalid-date",
                f"field 'month' of entry '{self.entry.key}' is not a month: {month_text!r};"
                " only the year is used",
                "month",
            )
            months = []
        day = self.text("day", _Mode.PLAIN)
        if len(months) == 1 and day and day.isdigit():
            return {"date-parts": [[int(year), months[0], int(day)]]}
        if len(months) == 2:
            return {"date-parts": [[int(year), months[0]], [int(year), months[1]]]}
        return {"date-parts": [[int(year), *months]]}

    def identifiers(self) -> dict[str, str]:
        """DOI (validated), PMID, PMCID, URL."""
        result: dict[str, str] = {}
        eprint_type = self.eprint_type()
        eprint = _verbatim(self.fields.get("eprint", ""))
        doi_source = "doi" if "doi" in self.fields else ("eprint" if eprint_type == "doi" else None)
        if doi_source:
            doi = _normalize_doi(_verbatim(self.fields[doi_source]))
            if doi is None:
                self.warn(
                    "invalid-doi",
                    f"entry '{self.entry.key}' has an invalid DOI"
                    f" {_verbatim(self.fields[doi_source])!r}; it is left out",
                    hint="a DOI looks like 10.1056/NEJMoa2001017 (short DOIs: 10/abcd)",
                )
            else:
                result["DOI"] = doi
        pmid = _verbatim(self.fields.get("pmid", ""))
        pmid = pmid or (eprint if eprint_type in {"pmid", "pubmed"} else "")
        if pmid:
            result["PMID"] = pmid
        pmcid = _verbatim(self.fields.get("pmcid", ""))
        pmcid = pmcid or (eprint if eprint_type in {"pmcid", "pmc"} else "")
        if pmcid:
            result["PMCID"] = pmcid
        url = _verbatim(self.fields.get("url", ""))
        howpublished = _verbatim(self.fields.get("howpublished", ""))
        if not url and _looks_like_url(howpublished):
            url = howpublished
        if not url and eprint and eprint_type in EPRINT_URLS:
            url = EPRINT_URLS[eprint_type].format(eprint)
        if url:
            result["URL"] = url
        return result

    def eprint_type(self) -> str:
        """biblatex ``eprinttype`` or arXiv's ``archivePrefix``, lower case."""
        kind = self.fields.get("eprinttype") or self.fields.get("archiveprefix") or ""
        return kind.strip().lower()

    def notes(self) -> dict[str, str]:
        """note, with an arXiv identifier (CSL has no arXiv variable) appended."""
        parts = [self.text("note", _Mode.TEXT) or ""]
        eprint = _verbatim(self.fields.get("eprint", ""))
        kind = self.eprint_type()
        if eprint and kind == "arxiv":
            arxiv_class = _verbatim(
                self.fields.get("eprintclass") or self.fields.get("primaryclass") or ""
            )
            parts.append(f"arXiv:{eprint}" + (f" [{arxiv_class}]" if arxiv_class else ""))
        elif eprint and kind and kind not in {"doi", "pmid", "pubmed", "pmcid", "pmc", *EPRINT_URLS}:
            parts.append(f"{kind}: {eprint}")
        note = ". ".join(p for p in parts if p)
        return {"note": note} if note else {}

    def language(self) -> dict[str, str]:
        """language as a locale code, from ``langid`` or ``language``."""
        raw = (self.fields.get("langid") or self.fields.get("language") or "").strip()
        if not raw:
            return {}
        code = _LANGUAGES.get(raw.lower())
        if code is None and _LANGUAGE_CODE.fullmatch(raw):
            code = raw
        return {"language": code} if code else {}

    def check_complete(self, item: Mapping[str, Any]) -> None:
        """``incomplete-entry`` when the title or every author and editor is missing."""
        if self.entry.damaged:
            return  # the syntax error explains it already
        missing = []
        if not item.get("title"):
            missing.append("no title")
        if not any(item.get(v) for v in ("author", "editor", "container-author", "translator")):
            missing.append("no author or editor")
        if missing:
            self.warn(
                "incomplete-entry",
                f"bibliography entry '{self.entry.key}' has {' and '.join(missing)}",
            )


#: The order of variables in an item: who, what, where in what, when, identifiers.
_VARIABLE_ORDER = (
    "id", "type", "casepress-et-al", "casepress-et-al-editor", "author", "editor", "translator",
    "container-author", "title", "volume-title", "title-short", "container-title", "container-title-short",
    "collection-title", "collection-number", "volume", "number-of-volumes", "issue",
    "chapter-number", "page", "number-of-pages", "number", "edition", "version", "genre",
    "event-title", "event-place",
    "publisher", "publisher-place", "issued", "original-date", "event-date", "accessed", "DOI",
    "PMID", "PMCID", "ISBN", "ISSN", "URL", "note", "language",
)
_VARIABLE_RANK = {name: rank for rank, name in enumerate(_VARIABLE_ORDER)}


def _in_reading_order(item: dict[str, Any]) -> dict[str, Any]:
    """``item`` with its variables in ``_VARIABLE_ORDER`` (stable JSON, easy to review)."""
    return dict(sorted(item.items(), key=lambda kv: _VARIABLE_RANK.get(kv[0], len(_VARIABLE_RANK))))


def _join_title(title: str | None, subtitle: str | None) -> str | None:
    """``Title: Subtitle``, as biblatex prints them."""
    if title and subtitle:
        return f"{title}: {subtitle}"
    return title or subtitle


def _normalize_pages(pages: str) -> str:
    """``12--19`` and ``12–19`` -> ``12-19``; ``134-8`` stays (CSL formats ranges)."""
    return re.sub(r"\s*[-\u2010-\u2015]+\s*", "-", pages)


def _looks_like_url(text: str) -> bool:
    """True for http(s), ftp and mailto addresses."""
    return bool(re.match(r"(https?|ftp)://|mailto:", text.strip(), re.IGNORECASE))


_VERBATIM_ESCAPES = re.compile(r"\\([_%#&$~{}])")


def _verbatim(raw: str) -> str:
    """A field taken literally (URL, DOI, identifiers): ``\\url{}`` and escapes removed."""
    text = raw.strip()
    match = re.fullmatch(r"\\url\s*\{(.*)\}", text, re.DOTALL)
    if match:
        text = match.group(1)
    text = _VERBATIM_ESCAPES.sub(r"\1", text)
    text = text.replace("{", "").replace("}", "")
    return " ".join(text.split())


_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*|doi\s+)", re.IGNORECASE)
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_SHORT_DOI = re.compile(r"10/[A-Za-z0-9]+")


def _normalize_doi(raw: str) -> str | None:
    """The bare DOI of ``raw`` (prefixes ``https://doi.org/`` and ``doi:`` removed), or None."""
    match = _DOI_PREFIX.match(raw)
    doi = raw[match.end():] if match else raw
    if match and match.group().lower().startswith("http"):
        doi = urllib.parse.unquote(doi)  # a URL percent-encodes some DOI characters
    if _DOI.fullmatch(doi) or _SHORT_DOI.fullmatch(doi):
        return doi
    return None


#: YYYY, YYYY-MM, YYYY-MM-DD; a time of day (Zotero's urldate has one) is ignored.
_ISO_DATE = re.compile(
    r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?"
)


def _parse_iso_date(text: str) -> list[list[int]] | None:
    """CSL date-parts of an ISO date or closed range (``2020-03/2020-05``), or None."""
    halves = text.strip().split("/")
    if len(halves) > 2:
        return None
    parts: list[list[int]] = []
    for half in halves:
        match = _ISO_DATE.fullmatch(half.strip())
        if match is None:
            return None
        numbers = [int(g) for g in match.groups() if g is not None]
        if not _valid_date(numbers):
            return None
        parts.append(numbers)
    return parts


def _valid_date(numbers: list[int]) -> bool:
    """True when month and day (if any) exist in the calendar."""
    if len(numbers) >= 2 and not 1 <= numbers[1] <= 12:
        return False
    if len(numbers) == 3:
        return 1 <= numbers[2] <= calendar.monthrange(numbers[0], numbers[1])[1]
    return True


_MONTH_NUMBERS = {
    **{name.lower(): i for i, name in enumerate(calendar.month_name) if name},
    **{name.lower(): i for i, name in enumerate(calendar.month_abbr) if name},
    "sept": 9,
}


_MONTH_RANGE = re.compile(r"\s*[-/\u2013\u2014]+\s*")


def _parse_months(text: str) -> list[int] | None:
    """``March``, ``mar``, ``3``, ``Mar.`` -> [3]; ``Mar-Apr`` -> [3, 4]; None if not months."""
    halves = [h.rstrip(".").lower() for h in _MONTH_RANGE.split(text.strip())]
    if not 1 <= len(halves) <= 2:
        return None
    months: list[int] = []
    for half in halves:
        number = int(half) if half.isdigit() else _MONTH_NUMBERS.get(half)
        if number is None or not 1 <= number <= 12:
            return None
        months.append(number)
    return months


# -- names ------------------------------------------------------------------

_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def _parse_names(raw: str) -> tuple[list[dict[str, str]], bool, list[str]]:
    """CSL names of a BibTeX name list, whether it ended in ``and others``, and problems."""
    names: list[dict[str, str]] = []
    truncated = False
    problems: list[str] = []
    for person in _split_persons(raw):
        if person == "others":
            truncated = True
            continue
        name, problem = _parse_name(person)
        if problem:
            problems.append(problem)
        if name:
            names.append(dict(name))  # a copy: the cached dict must not be shared by items
    return names, truncated, problems


_PERSON_MARKS = re.compile(r"(?<!\\)[{}]|\s+and\s+", re.IGNORECASE)


def _split_persons(raw: str) -> list[str]:
    """The persons of a name list, cut at ``and`` outside braces.

    Not bibtexparser's ``split_multiple_persons_names``: it drops a command that
    starts a name after ``and`` (``A and \\"Ozt\\"urk, B`` gives ``Ozt\\"urk``).
    """
    persons: list[str] = []
    depth, start = 0, 0
    for mark in _PERSON_MARKS.finditer(raw):
        text = mark.group()
        if text == "{":
            depth += 1
        elif text == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            persons.append(raw[start : mark.start()])
            start = mark.end()
    persons.append(raw[start:])
    return [p.strip() for p in persons if p.strip()]


@functools.lru_cache(maxsize=4096)
def _parse_name(person: str) -> tuple[dict[str, str] | None, str | None]:
    """One CSL name (family, given, non-dropping-particle, suffix, or literal) and a problem.

    Cached because the same people recur across a library.
    """
    from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts

    inner = _delimited_text(person)
    if inner is not None and person.startswith("{"):
        literal = _decode_latex(inner, _Mode.PLAIN)[0]  # {World Health Organization}
        return ({"literal": literal} if literal else None), None
    problem = None
    try:
        parts = parse_single_name_into_parts(person, strict=True)
    except InvalidNameError as exc:
        problem = f"name {person!r} is malformed ({exc.reason.lower()})"
        parts = parse_single_name_into_parts(person, strict=False)
    suffix = list(parts.jr)
    trailing_suffix = len(parts.last) == 1 and parts.last[0].lower() in _SUFFIXES
    if not suffix and "," not in person and parts.first and trailing_suffix:
        # "John Smith Jr." -- BibTeX would make "Jr." the family name.
        suffix = parts.last
        parts = parse_single_name_into_parts(person[: person.rstrip().rfind(" ")], strict=False)
    name: dict[str, str] = {}
    for key, words in (
        ("family", parts.last),
        ("given", parts.first),
        ("non-dropping-particle", parts.von),
        ("suffix", suffix),
    ):
        value = _decode_latex(" ".join(words), _Mode.PLAIN)[0]
        if value:
            name[key] = value
    return (name or None), problem


# ---------------------------------------------------------------------------
# LaTeX -> CSL rich text
# ---------------------------------------------------------------------------

#: Anything that needs the LaTeX reader; other values only get ligatures replaced.
_NEEDS_LATEX = re.compile(r"[\\{}$]")
_LIGATURES = (("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d"))
_SPECIALS = {"--": "\u2013", "---": "\u2014", "``": "\u201c", "''": "\u201d", "&": "&"}

_TAGS = {
    "i": ("<i>", "</i>"),
    "b": ("<b>", "</b>"),
    "sup": ("<sup>", "</sup>"),
    "sub": ("<sub>", "</sub>"),
    "sc": ('<span style="font-variant:small-caps;">', "</span>"),
    "nocase": ('<span class="nocase">', "</span>"),
}
_TAG_PATTERN = re.compile(r"<[^>]*>")

#: Commands with an argument that format it.
_FORMATTING = {
    "textit": "i", "emph": "i", "textsl": "i", "mathit": "i",
    "textbf": "b", "mathbf": "b", "boldsymbol": "b",
    "textsuperscript": "sup", "textsubscript": "sub",
    "textsc": "sc", "NoCaseChange": "nocase",
}
#: Commands whose argument is plain content.
_TRANSPARENT = frozenset({
    "textrm", "textnormal", "textup", "textmd", "textsf", "texttt", "text", "mbox", "hbox",
    "mathrm", "mathsf", "mathtt", "mathnormal", "ensuremath", "textlatin",
})
#: Declarations that format the rest of their group (``{\\em ...}``).
_DECLARATIONS = {
    "em": "i", "it": "i", "itshape": "i", "sl": "i", "slshape": "i",
    "bf": "b", "bfseries": "b", "sc": "sc", "scshape": "sc",
    "rm": "", "normalfont": "", "upshape": "", "mdseries": "", "sf": "", "sffamily": "",
    "tt": "", "ttfamily": "",
}
_WORDS = {"TeX": "TeX", "LaTeX": "LaTeX", "BibTeX": "BibTeX", "hyphen": "-", "slash": "/",
          "textendash": "\u2013", "textemdash": "\u2014", "dots": "\u2026", "ldots": "\u2026"}
"""Commands that stand for a word or a sign (biblatex's \\hyphen joins words)."""
_STRUCTURAL = frozenset(_FORMATTING) | _TRANSPARENT | frozenset(_DECLARATIONS) | {"url", "href"}


@dataclass(frozen=True)
class _LatexTools:
    """pylatexenc objects, built once (about 25 ms)."""

    walker_context: Any
    to_text: Any


@functools.cache
def _latex_tools() -> _LatexTools:
    """The LaTeX parser context (knowing our extra commands) and pylatexenc's text converter."""
    from pylatexenc import latex2text, latexwalker, macrospec  # type: ignore[import-untyped]

    context = latexwalker.get_default_latex_context_db()
    context.add_context_category(
        "casepress",
        prepend=True,
        macros=[
            macrospec.MacroSpec("textsuperscript", "{"),
            macrospec.MacroSpec("textsubscript", "{"),
            macrospec.MacroSpec("NoCaseChange", "{"),
            macrospec.MacroSpec("textnormal", "{"),
            macrospec.MacroSpec("boldsymbol", "{"),
            macrospec.MacroSpec("href", "{{"),
            macrospec.MacroSpec("mkbibquote", "{"),
        ],
    )
    return _LatexTools(context, latex2text.LatexNodes2Text(math_mode="text"))


@functools.lru_cache(maxsize=8192)
def _decode_latex(latex: str, mode: _Mode) -> tuple[str, tuple[str, ...]]:
    """``latex`` as CSL text in ``mode``, and the unknown commands left out.

    Cached: journals, publishers and people recur across a library, and the LaTeX
    parser is the expensive step of a conversion.
    """
    if not _NEEDS_LATEX.search(latex):
        return _normalize_space(_ligatures(latex, mode)), ()
    from pylatexenc.latexwalker import LatexWalker  # type: ignore[import-untyped]

    tools = _latex_tools()
    # A bare % is a literal per cent sign in BibTeX, not a LaTeX comment.
    escaped = re.sub(r"(?<!\\)%", r"\\%", latex)
    walker = LatexWalker(escaped, latex_context=tools.walker_context, tolerant_parsing=True)
    nodes = walker.get_latex_nodes()[0]
    renderer = _RichTextRenderer(tools.to_text, mode)
    text = renderer.nodes(nodes, protect=mode is _Mode.TITLE)
    return _normalize_space(text), tuple(sorted(renderer.unknown))


def _ligatures(text: str, mode: _Mode) -> str:
    """TeX's dashes and quotes, and ``~`` (a no-break space except in plain mode)."""
    for ascii_form, char in _LIGATURES:
        text = text.replace(ascii_form, char)
    return text.replace("~", " " if mode is _Mode.PLAIN else "\u00a0")


def _normalize_space(text: str) -> str:
    """Runs of ASCII white space (line breaks in .bib values) as one space; no-break spaces kept."""
    return re.sub(r"[ \t\r\n\f]+", " ", text).strip(" ")


class _RichTextRenderer:
    """Walks pylatexenc nodes and writes CSL rich text."""

    def __init__(self, to_text: Any, mode: _Mode) -> None:
        self.to_text = to_text
        self.mode = mode
        self.unknown: set[str] = set()

    def tag(self, name: str, inner: str) -> str:
        """``inner`` wrapped in a rich-text tag (plain mode: unwrapped)."""
        if not name or not inner or self.mode is _Mode.PLAIN:
            return inner
        start, end = _TAGS[name]
        return f"{start}{inner}{end}"

    def nodes(self, nodes: list[Any], protect: bool) -> str:
        """A node list; ``protect``: brace groups here protect case."""
        out: list[str] = []
        for index, node in enumerate(nodes):
            if node is None:
                continue
            if _unknown_with_argument(node, nodes[index + 1:], self.to_text):
                self.unknown.add(str(node.macroname))  # \foo{text}: the text stays, the name goes
                continue
            if type(node).__name__ == "LatexMacroNode" and node.macroname in _DECLARATIONS:
                # {\em text}: the declaration formats the rest of the group.
                rest = self.nodes(nodes[index + 1 :], protect)
                out.append(self.tag(_DECLARATIONS[node.macroname], rest))
                break
            out.append(self.node(node, protect))
        return "".join(out)

    def node(self, node: Any, protect: bool) -> str:
        """One node outside math."""
        kind = type(node).__name__
        if kind == "LatexCharsNode":
            return str(node.chars)
        if kind == "LatexGroupNode":
            return self.group(node, protect)
        if kind == "LatexMacroNode":
            return self.macro(node, protect, math=False)
        if kind == "LatexMathNode":
            return self.math(node.nodelist)
        if kind == "LatexSpecialsNode":
            return self.specials(node)
        if kind == "LatexCommentNode":
            return "%" + str(node.comment)
        return str(self.to_text.node_to_text(node))

    def group(self, node: Any, protect: bool) -> str:
        """``{...}``: protects case in titles, unless it is a special character ``{\\"u}``."""
        children = [n for n in node.nodelist if n is not None]
        if not protect or _is_special_character(children):
            return self.nodes(children, protect)
        inner = self.nodes(children, protect=False)
        has_letters = any(c.isalpha() for c in _TAG_PATTERN.sub("", inner))
        return self.tag("nocase", inner) if has_letters else inner

    def argument(self, node: Any, protect: bool, math: bool) -> str:
        """A command's argument: its braces group, they do not protect."""
        if type(node).__name__ == "LatexGroupNode":
            children = [n for n in node.nodelist if n is not None]
            return self.math(children) if math else self.nodes(children, protect)
        return self.math([node]) if math else self.node(node, protect)

    def macro(self, node: Any, protect: bool, math: bool) -> str:
        """A command: formatting, content, link, or a symbol/accent (pylatexenc's table)."""
        name = str(node.macroname)
        args = [a for a in (node.nodeargd.argnlist if node.nodeargd else []) if a is not None]
        if name in _FORMATTING:
            inner = "".join(self.argument(a, protect, math) for a in args)
            return self.tag(_FORMATTING[name], inner)
        if name in _TRANSPARENT:
            return "".join(self.argument(a, protect, math) for a in args)
        if name == "url":
            return _verbatim(args[0].latex_verbatim()[1:-1]) if args else ""
        if name == "href":
            return self.argument(args[-1], protect, math) if args else ""
        if name == "mkbibquote":
            return "\u201c" + "".join(self.argument(a, protect, math) for a in args) + "\u201d"
        if name in _WORDS:
            return _WORDS[name]  # TeX eats the space after a command word: {\TeX book} is TeXbook
        if self.to_text.latex_context.get_macro_spec(name) is None and name not in _STRUCTURAL:
            # kept as its text (\TeX is "TeX"), never dropped with what follows it
            self.unknown.add(name)
            return name + (" " if node.macro_post_space else "")
        return str(self.to_text.node_to_text(node))

    def specials(self, node: Any) -> str:
        """``~``, ``--``, quotes and other active characters."""
        chars = str(node.specials_chars)
        if chars == "~":
            return " " if self.mode is _Mode.PLAIN else "\u00a0"
        return _SPECIALS.get(chars) or str(self.to_text.node_to_text(node))

    def math(self, nodes: list[Any]) -> str:
        """Math as text: symbols via pylatexenc, ``^``/``_`` as superscript/subscript."""
        out: list[str] = []
        script = ""
        for node in nodes:
            if node is None:
                continue
            if type(node).__name__ == "LatexCharsNode":
                for char in str(node.chars):
                    if char in "^_":
                        script = "sup" if char == "^" else "sub"
                    elif script and not char.isspace():
                        out.append(self.tag(script, char))
                        script = ""
                    elif not script:
                        out.append(char)
                continue
            text = self.math_node(node)
            if script == "sup" and text in ("\u2218", "\u00b0"):
                out.append("\u00b0")  # ^\circ is how LaTeX writes a degree sign
            else:
                out.append(self.tag(script, text) if script else text)
            if not script and _takes_no_arguments(node):
                # Keep the author's spacing: "2 \times 2" is "2 × 2", not "2 ×2".
                out.append(str(node.macro_post_space))
            script = ""
        return "".join(out).strip()

    def math_node(self, node: Any) -> str:
        """One node inside math."""
        kind = type(node).__name__
        if kind == "LatexGroupNode":
            return self.math([n for n in node.nodelist if n is not None])
        if kind == "LatexMacroNode":
            return self.macro(node, protect=False, math=True)
        if kind == "LatexSpecialsNode":
            return self.specials(node)
        return str(self.to_text.node_to_text(node))


def _unknown_with_argument(node: Any, rest: list[Any], to_text: Any) -> bool:
    """True for an unknown command glued to a brace group (``\\foo{text}``)."""
    if type(node).__name__ != "LatexMacroNode" or node.macroname in _STRUCTURAL or node.macroname in _WORDS:
        return False
    if to_text.latex_context.get_macro_spec(str(node.macroname)) is not None or node.macro_post_space:
        return False
    following = next((n for n in rest if n is not None), None)
    return type(following).__name__ == "LatexGroupNode"


def _takes_no_arguments(node: Any) -> bool:
    """True for a command node without arguments (``\\times``, ``\\alpha``)."""
    if type(node).__name__ != "LatexMacroNode":
        return False
    return not any(a is not None for a in (node.nodeargd.argnlist if node.nodeargd else []))


def _is_special_character(children: list[Any]) -> bool:
    """BibTeX's rule: a group starting with a command (an accent, ``\\ss``) protects nothing.

    Formatting commands are the exception: ``{\\em in vivo}`` is meant to be kept as is.
    """
    if not children or type(children[0]).__name__ != "LatexMacroNode":
        return False
    return str(children[0].macroname) not in _STRUCTURAL


__all__ = ["BibEntry", "load_bibliography", "parse_bibtex_text", "to_csl_json"]

