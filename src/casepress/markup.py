"""Citations and cross-references inside Markdown prose.

The syntax follows pandoc and Quarto so that their users feel at home:

* ``[@key]``, ``[@a; @b]``, ``[see @a, p. 4]`` - citations in brackets (pandoc);
* ``@fig-id``, ``@tbl-id`` - a cross-reference to a figure or table (Quarto's prefixes);
* ``@fig-id[A-C]``, ``@fig-id[A,B]`` - a reference to panels of a figure (our extension:
  renders "Figure 1A–C" or "Figures 3A, B" as the journal prints it);
* ``[@fig-a; @fig-b]`` - several figures at once ("Figures 1, 2");
* ``\\@`` and ``\\[`` escape, and nothing inside a `code span` is a reference.

:func:`match_at` parses one reference group at a position; :func:`scan` finds them
all in a text. The Markdown renderer calls :func:`match_at` from an inline rule,
so checking and rendering share one parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

# Pandoc: a key starts with a letter, digit or _, and may contain internal punctuation.
_KEY = r"[A-Za-z0-9_](?:[A-Za-z0-9_]|[:.#$%&\-+?<>~/](?=[A-Za-z0-9_]))*"
_PANELS = r"\[\s*[A-Z](?:\s*[-–,]\s*[A-Z])*\s*\]"
_BARE = re.compile(rf"(?P<suppress>-)?@(?P<key>{_KEY}|\{{[^{{}}]+\}})(?P<panels>{_PANELS})?")
_ITEM = re.compile(
    rf"^(?P<prefix>.*?)(?P<suppress>-)?@(?P<key>{_KEY}|\{{[^{{}}]+\}})(?P<panels>{_PANELS})?(?P<locator>.*)$",
    re.DOTALL,
)
_XREF_PREFIXES = {"fig-": "figure", "tbl-": "table"}


@dataclass(frozen=True, slots=True)
class Citation:
    """One cited key inside a group."""

    key: str
    """The BibTeX key."""
    offset: int
    """Offset of the ``@`` in the prose."""
    prefix: str = ""
    """Text before the key inside the brackets, e.g. ``see``."""
    locator: str = ""
    """Text after the key, e.g. ``p. 33``."""
    suppress_author: bool = False
    """``-@key``: the author is named in the sentence already."""


@dataclass(frozen=True, slots=True)
class CrossRef:
    """One reference to a figure, a table, or panels of a figure."""

    kind: Literal["figure", "table"]
    """What is referenced."""
    id: str
    """The figure or table id, e.g. ``fig-histology``."""
    offset: int
    """Offset of the ``@`` in the prose."""
    panels: tuple[str, ...] = ()
    """Referenced panel letters, expanded (``A-C`` -> A, B, C); empty for the whole figure."""


Item = Citation | CrossRef


@dataclass(frozen=True, slots=True)
class Group:
    """A bracketed group or a bare reference, with its span in the prose."""

    start: int
    """Offset of the first character (``[`` or ``@``)."""
    end: int
    """Offset just past the last character."""
    items: tuple[Item, ...]
    """The citations or cross-references, in written order."""
    bracketed: bool
    """True for ``[...]`` groups, False for a bare ``@ref``."""

    @property
    def citations(self) -> list[Citation]:
        """The citation items."""
        return [i for i in self.items if isinstance(i, Citation)]

    @property
    def crossrefs(self) -> list[CrossRef]:
        """The cross-reference items."""
        return [i for i in self.items if isinstance(i, CrossRef)]


def expand_panels(spec: str) -> tuple[str, ...]:
    """``[A-C, E]`` -> (A, B, C, E); letters keep their written order."""
    letters: list[str] = []
    for part in spec.strip("[] ").split(","):
        part = part.strip().replace("–", "-")
        first, _, last = part.partition("-")
        first, last = first.strip(), last.strip()
        if last:
            letters.extend(chr(c) for c in range(ord(first), ord(last) + 1))
        else:
            letters.append(first)
    return tuple(letters)


def _make_item(key: str, offset: int, panels: str | None, suppress: bool, prefix: str = "",
               locator: str = "") -> Item:
    key = key[1:-1] if key.startswith("{") else key
    for prefix_text, kind in _XREF_PREFIXES.items():
        if key.startswith(prefix_text):
            return CrossRef(kind, key, offset, expand_panels(panels) if panels else ())  # type: ignore[arg-type]
    return Citation(key, offset, prefix.strip(), locator.strip().lstrip(",").strip(), suppress)


def _closing_bracket(text: str, start: int) -> int:
    depth = 0
    i = start
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return i
        elif char == "\n" and text[i + 1 : i + 2] == "\n":
            return -1  # a group never spans paragraphs
        i += 1
    return -1


def match_at(text: str, pos: int) -> Group | None:
    """Parse a reference group starting exactly at ``text[pos]``, or return None."""
    char = text[pos : pos + 1]
    if char == "[":
        close = _closing_bracket(text, pos)
        if close == -1 or text[close + 1 : close + 2] in ("(", "[", "{"):
            return None  # a link, a reference link or an attribute span, not a citation
        inner = text[pos + 1 : close]
        items: list[Item] = []
        offset = pos + 1
        for part in _split_items(inner):
            match = _ITEM.match(part)
            if match is None:
                return None  # pandoc: every item of a citation group has a key
            at = offset + match.start("key") - 1 - (1 if match.group("suppress") else 0)
            at += 1 if match.group("suppress") else 0
            items.append(
                _make_item(
                    match.group("key"), at, match.group("panels"), bool(match.group("suppress")),
                    match.group("prefix"), match.group("locator"),
                )
            )
            offset += len(part) + 1
        return Group(pos, close + 1, tuple(items), True) if items else None
    if char in ("@", "-"):
        before = text[pos - 1 : pos] if pos else ""
        if before and (before.isalnum() or before in "@_\\"):
            return None  # an e-mail address or an escaped @
        match = _BARE.match(text, pos)
        if match is None or (char == "-" and not match.group("suppress")):
            return None
        at = match.start("key") - 1
        item = _make_item(match.group("key"), at, match.group("panels"), bool(match.group("suppress")))
        return Group(pos, match.end(), (item,), False)
    return None


def _split_items(inner: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in inner:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        if char == ";" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def scan(text: str) -> list[Group]:
    """Every reference group in ``text``, skipping code spans and escaped characters."""
    groups: list[Group] = []
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "`":
            run = len(text[i:]) - len(text[i:].lstrip("`"))
            close = text.find("`" * run, i + run)
            i = close + run if close != -1 else i + run
            continue
        if char in "[@-":
            group = match_at(text, i)
            if group is not None:
                groups.append(group)
                i = group.end
                continue
        i += 1
    return groups
