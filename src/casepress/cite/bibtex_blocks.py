"""BibTeX blocks to raw entries: field values evaluated as BibTeX does (``#``
concatenation, ``@string`` macros, month macros, bare numbers), entry headers checked,
syntax errors located (see :mod:`casepress.cite.bibtex`, step 1)."""

from __future__ import annotations

import calendar
import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casepress.core.diagnostics import Diagnostics, Location, display_path, warning_code
from casepress.core.limits import MAX_BRACE_DEPTH, MAX_FIELD_LENGTH, MAX_MACRO_LENGTH

warning_code("undefined-macro", "a .bib value uses an undefined @string macro (taken as literal text)",
             "{n} uses of undefined macros")
warning_code("duplicate-field", "a field appears twice in one .bib entry (the first one is used)")


# ---------------------------------------------------------------------------
# From blocks to raw entries: macros, concatenation, located syntax errors
# ---------------------------------------------------------------------------

#: BibTeX's predefined month macros (case-insensitive, like all macros).
_MONTH_MACROS = {
    name[:3].lower(): name for name in calendar.month_name[1:]
}


@dataclass
class RawEntry:
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
def quiet_libraries() -> Iterator[None]:
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


def split_entries(
    text: str, path: Path, macros: dict[str, str], diagnostics: Diagnostics
) -> list[RawEntry]:
    """The entries of ``text`` in file order; ``@string`` definitions update ``macros``."""
    import bibtexparser
    from bibtexparser import model

    # An empty parse stack: we evaluate values ourselves (concatenation).
    library = bibtexparser.parse_string(text, parse_stack=[])
    lines = text.splitlines()
    shown = display_path(path)
    entries: list[RawEntry] = []
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


def _raw_entry(
    block: Any, path: Path, lines: list[str], macros: Mapping[str, str], diagnostics: Diagnostics
) -> RawEntry:
    """Evaluate the fields of one entry block; the first of duplicate fields wins."""
    entry = RawEntry(
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
        text = delimited_text(piece)
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


def delimited_text(piece: str) -> str | None:
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
