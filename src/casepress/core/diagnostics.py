"""Located diagnostics: every problem casepress reports has a file, a line and a column.

Stages never raise on bad input; they append :class:`Diagnostic` records to a
:class:`Diagnostics` collection, and the command line prints them all at the end
(collect everything, never stop at the first problem).
"""

from __future__ import annotations

import difflib
import importlib
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

#: A path into the case document: keys and list indexes, e.g. ("figures", 0, "file").
FieldPath = tuple[str | int, ...]


class Severity(str, Enum):
    """How bad a diagnostic is."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a source file; line and column are 1-based, as editors count."""

    file: str
    """The file, as given by the user (relative paths stay relative)."""
    line: int | None = None
    """1-based line, or None when only the file is known."""
    column: int | None = None
    """1-based column, or None when only the line is known."""

    def text(self) -> str:
        """``file:line:column``, as far as it is known."""
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a case, with where it is and what to do about it."""

    severity: Severity
    """Error (the build fails) or warning (reported; fails only under --strict)."""
    code: str
    """A stable, kebab-case identifier such as ``unknown-key``, documented in the README."""
    message: str
    """What is wrong, in one sentence, without the location."""
    location: Location | None = None
    """Where it is; None for problems that belong to no file (rare)."""
    path: str | None = None
    """The field path inside the case document, e.g. ``figures[0].panels[1].file``."""
    hint: str | None = None
    """An optional suggestion, e.g. ``did you mean 'title'?``."""

    def sort_key(self) -> tuple[str, int, int]:
        """Order by file, then position, so output reads top to bottom (ties keep discovery order)."""
        loc = self.location
        return (
            loc.file if loc else "",
            (loc.line or 0) if loc else 0,
            (loc.column or 0) if loc else 0,
        )

    def format(self) -> str:
        """``file:line:col: severity[code] path: message`` plus an indented hint line."""
        where = f"{self.location.text()}: " if self.location is not None else ""
        path = f" {self.path}:" if self.path else ""
        text = f"{where}{self.severity.value}[{self.code}]{path} {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def to_json(self) -> dict[str, object]:
        """The machine form: {file, line, column, severity, code, path, message, hint}."""
        loc = self.location
        return {
            "file": loc.file if loc else None,
            "line": loc.line if loc else None,
            "column": loc.column if loc else None,
            "severity": self.severity.value,
            "code": self.code,
            "path": self.path,
            "message": self.message,
            "hint": self.hint,
        }

    def to_github(self) -> str:
        """A GitHub Actions workflow command, so the problem shows on the pull request."""
        loc = self.location
        props = []
        if loc is not None:
            props.append(f"file={_gh_escape_property(loc.file)}")
            if loc.line is not None:
                props.append(f"line={loc.line}")
            if loc.column is not None:
                props.append(f"col={loc.column}")
        props.append(f"title={_gh_escape_property(self.code)}")
        message = f"{self.path + ': ' if self.path else ''}{self.message}"
        if self.hint:
            message += f" (hint: {self.hint})"
        return f"::{self.severity.value} {','.join(props)}::{_gh_escape_data(message)}"


def _gh_escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_escape_property(text: str) -> str:
    return _gh_escape_data(text).replace(":", "%3A").replace(",", "%2C")


@dataclass
class Diagnostics:
    """An ordered collection of diagnostics that stages append to."""

    items: list[Diagnostic] = field(default_factory=list)
    """Everything reported so far, in the order it was found."""
    _seen: set[Diagnostic] = field(default_factory=set, init=False, repr=False, compare=False)
    """The diagnostics in ``items``, to drop duplicates in constant time (a scan of
    ``items`` made a library of 100,000 unused entries quadratic to check)."""

    def add(self, diagnostic: Diagnostic) -> None:
        """Record one diagnostic (exact duplicates are dropped)."""
        if len(self._seen) != len(self.items):  # items was changed directly
            self._seen = set(self.items)
        if diagnostic not in self._seen:
            self._seen.add(diagnostic)
            self.items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        """Record several diagnostics."""
        for diagnostic in diagnostics:
            self.add(diagnostic)

    def error(
        self,
        code: str,
        message: str,
        location: Location | None = None,
        path: FieldPath | str | None = None,
        hint: str | None = None,
    ) -> None:
        """Record an error."""
        self.add(Diagnostic(Severity.ERROR, code, message, location, _path_text(path), hint))

    def warning(
        self,
        code: str,
        message: str,
        location: Location | None = None,
        path: FieldPath | str | None = None,
        hint: str | None = None,
    ) -> None:
        """Record a warning."""
        self.add(Diagnostic(Severity.WARNING, code, message, location, _path_text(path), hint))

    @property
    def errors(self) -> list[Diagnostic]:
        """Only the errors."""
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        """Only the warnings."""
        return [d for d in self.items if d.severity is Severity.WARNING]

    @property
    def has_errors(self) -> bool:
        """True when at least one error was recorded."""
        return any(d.severity is Severity.ERROR for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        """All diagnostics by file and position."""
        return sorted(self.items, key=Diagnostic.sort_key)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)


@dataclass(frozen=True, slots=True)
class WarningCode:
    """A warning code a case may switch off with ``checks.disable``, declared where it is emitted."""

    code: str
    """The code, e.g. ``unused-reference``; for a family, the prefix (``deid`` covers ``deid-*``)."""
    meaning: str
    """What the warning means, in a short phrase (the README's table lists it)."""
    many: str | None = None
    """The head of the one line many of these collapse into, with ``{n}`` for the count,
    e.g. ``{n} bibliography entries are never cited`` (default: ``{n} warnings``)."""
    family: bool = False
    """True when ``code`` is a prefix: every ``<code>-<kind>`` is one of these."""
    modules: tuple[str, ...] = ()
    """The modules that declared it (the emitters)."""


_REGISTRY: dict[str, WarningCode] = {}
"""Every warning code declared so far, by code (filled as the emitting modules are imported)."""
_ALL_IMPORTED = False
"""True once every module that declares a warning code has been imported."""
_PACKAGE = Path(__file__).resolve().parents[1]


def warning_code(code: str, meaning: str, many: str | None = None, *, family: bool = False) -> str:
    """Declare a warning code at module level, next to the code that emits it; returns ``code``.

    The codes ``checks.disable`` accepts are exactly those declared (a test finds every
    warning the source emits and asserts it is declared in its module), so the list
    cannot drift from the emitters.
    """
    module = str(sys._getframe(1).f_globals.get("__name__", "?"))
    known = _REGISTRY.get(code)
    modules = (known.modules if known else ()) + (module,)
    _REGISTRY[code] = WarningCode(code, known.meaning if known else meaning,
                                  (known.many if known else None) or many,
                                  family or bool(known and known.family), tuple(dict.fromkeys(modules)))
    return code


def warning_codes() -> dict[str, WarningCode]:
    """Every declared warning code, sorted (imports each module that declares one)."""
    _import_emitters()
    return dict(sorted(_REGISTRY.items()))


def _import_emitters() -> None:
    """Import every casepress module whose source declares a warning code (once)."""
    global _ALL_IMPORTED
    if _ALL_IMPORTED:
        return
    for source in sorted(_PACKAGE.rglob("*.py")):
        if source.resolve() == Path(__file__).resolve() or "warning_code(" not in source.read_text("utf-8"):
            continue
        parts = source.relative_to(_PACKAGE.parent).with_suffix("").parts
        importlib.import_module(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    _ALL_IMPORTED = True


def declared(code: str) -> WarningCode | None:
    """The declaration covering ``code`` (itself, or the family it belongs to), or None.

    Looks among the modules imported so far first, and imports the other emitters only
    when that fails (``casepress check`` never imports the PDF stage for a known code)."""
    for attempt in range(2):
        if code in _REGISTRY:
            return _REGISTRY[code]
        for entry in _REGISTRY.values():
            if entry.family and code.startswith(entry.code + "-"):
                return entry
        if attempt == 0:
            _import_emitters()
    return None


def unknown_checks(disabled: Iterable[str]) -> list[str]:
    """The codes of ``checks.disable`` that are no warning casepress emits (none when
    ``unknown-check`` itself is disabled)."""
    names = list(disabled)
    if "unknown-check" in names:
        return []
    return [code for code in names if declared(code) is None]


def disableable_codes() -> list[str]:
    """Every code ``checks.disable`` accepts as written (families without their kinds)."""
    return list(warning_codes())


def disabled_codes(data: object) -> dict[str, str]:
    """A case's ``checks.disable`` (code -> reason) read from its raw YAML, so that it
    applies even when the case failed validation."""
    checks = data.get("checks") if isinstance(data, dict) else None
    disable = checks.get("disable") if isinstance(checks, dict) else None
    return {str(k): str(v) for k, v in disable.items()} if isinstance(disable, dict) else {}


def suppressed(code: str, disabled: Iterable[str]) -> bool:
    """True when ``code`` is switched off by one of ``disabled`` (a code or a family prefix)."""
    return any(code == d or code.startswith(d + "-") for d in disabled)


def format_path(path: FieldPath) -> str:
    """``("figures", 0, "file")`` -> ``figures[0].file``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _path_text(path: FieldPath | str | None) -> str | None:
    if path is None or isinstance(path, str):
        return path
    return format_path(path) or None


def did_you_mean(word: str, candidates: Sequence[str], cutoff: float = 0.6) -> str | None:
    """A 'did you mean' hint naming the closest candidates, or None when none is close."""
    matches = difflib.get_close_matches(word, list(candidates), n=3, cutoff=cutoff)
    if not matches:
        # Case-insensitive exact match is a common slip ("Title" for "title").
        lowered = {c.lower(): c for c in candidates}
        if word.lower() in lowered:
            matches = [lowered[word.lower()]]
    if not matches:
        return None
    quoted = " or ".join(f"'{m}'" for m in matches)
    return f"did you mean {quoted}?"


def display_path(path: Path | str) -> str:
    """A path as the user should see it: relative to the working directory when inside it."""
    p = Path(path)
    try:
        return os.path.relpath(p) if p.is_absolute() and _inside_cwd(p) else str(p)
    except ValueError:  # different drive on Windows
        return str(p)


def _inside_cwd(p: Path) -> bool:
    try:
        p.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return False
    return True


COLLAPSE_AT = 5
"""A warning code reported this many times or more prints as one line (``--verbose`` lists all)."""
SHOWN_PLACES = 3
"""How many places that one line names before ``and N more``."""
_QUOTED = re.compile(r"'([^']+)'")


def render_text(diagnostics: Iterable[Diagnostic], *, collapse: bool = False) -> str:
    """Human-readable report, one diagnostic per line (hints indented below).

    With ``collapse``, the warnings of a code reported :data:`COLLAPSE_AT` times or more
    become one line at the place of the first, naming :data:`SHOWN_PLACES` places and
    counting the rest. Errors are never collapsed: each one stops the build and must be
    fixed where it is, so each keeps its own line, message and hint.
    """
    return "\n".join(
        d.format() if isinstance(d, Diagnostic) else format_collapsed(d)
        for d in (collapsed(list(diagnostics)) if collapse else diagnostics)
    )


def collapsed(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic | list[Diagnostic]]:
    """``diagnostics`` in order, the warnings of each frequent code gathered into one list
    standing where the first of them stood."""
    counts = Counter(d.code for d in diagnostics if d.severity is Severity.WARNING)
    groups: dict[str, list[Diagnostic]] = {}
    out: list[Diagnostic | list[Diagnostic]] = []
    for item in diagnostics:
        if item.severity is not Severity.WARNING or counts[item.code] < COLLAPSE_AT:
            out.append(item)
            continue
        if item.code not in groups:
            groups[item.code] = []
            out.append(groups[item.code])
        groups[item.code].append(item)
    return out


def format_collapsed(group: Sequence[Diagnostic]) -> str:
    """One line for many warnings of one code: the count, the first places, how many more.

    ``warning[unused-reference]: 113 bibliography entries are never cited: refs.bib:12:1
    (smith2019), ... and 110 more (--verbose lists all)``; the hint follows when all share it.
    """
    first = group[0]
    entry = declared(first.code)
    head = (entry.many if entry is not None and entry.many else "{n} warnings").format(n=len(group))
    places = ", ".join(_place(d) for d in group[:SHOWN_PLACES])
    more = len(group) - SHOWN_PLACES
    text = f"{first.severity.value}[{first.code}]: {head}: {places}"
    if more > 0:
        text += f" and {more} more (--verbose lists all)"
    if first.hint and all(d.hint == first.hint for d in group):
        text += f"\n    hint: {first.hint}"
    return text


def _place(diagnostic: Diagnostic) -> str:
    """``file:line:col (what)``: the field path, else the first name the message quotes."""
    quoted = _QUOTED.search(diagnostic.message)
    label = diagnostic.path or (quoted.group(1) if quoted else None)
    where = diagnostic.location.text() if diagnostic.location is not None else ""
    if label:
        return f"{where} ({label})" if where else f"({label})"
    return where or diagnostic.message


def render_json(diagnostics: Iterable[Diagnostic]) -> str:
    """The ``--format json`` report: a JSON list of diagnostic objects."""
    return json.dumps([d.to_json() for d in diagnostics], indent=2, ensure_ascii=False)


def summary(diagnostics: Diagnostics) -> str:
    """'2 errors, 1 warning' style summary line."""
    n_err, n_warn = len(diagnostics.errors), len(diagnostics.warnings)

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return f"{plural(n_err, 'error')}, {plural(n_warn, 'warning')}"


__all__ = [
    "COLLAPSE_AT",
    "Diagnostic",
    "Diagnostics",
    "FieldPath",
    "Location",
    "Severity",
    "WarningCode",
    "collapsed",
    "declared",
    "did_you_mean",
    "display_path",
    "format_path",
    "render_json",
    "render_text",
    "summary",
    "unknown_checks",
    "warning_code",
    "warning_codes",
]
