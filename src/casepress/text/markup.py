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

import bisect
import functools
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


@dataclass(frozen=True, slots=True)
class _Structure:
    """What :func:`match_at` needs to know about a whole text, found in one pass."""

    brackets: dict[int, tuple[int, tuple[int, ...]]]
    """Each unescaped ``[`` -> (its closing ``]`` or -1, the ``;`` directly inside it)."""
    keys: list[int]
    """Offsets of every ``@`` that starts a key (``@key`` or ``@{key}``), ascending."""
    key_ends: list[int]
    """``key_ends[k]``: the smallest end of the keys ``keys[k:]`` (a suffix minimum)."""

    def has_key(self, start: int, end: int) -> bool:
        """True when some ``@key`` lies wholly inside ``text[start:end]``."""
        k = bisect.bisect_left(self.keys, start)
        return k < len(self.keys) and self.key_ends[k] <= end


_EVENTS = re.compile(r"\\.|\[|\]|;|\n(?=\n)", re.DOTALL)
"""What the bracket matcher looks at: an escape pair, a bracket, a separator, a paragraph break."""
_KEY_START = re.compile(r"@(?=([A-Za-z0-9_])|(\{[^{}]+\}))")
"""An ``@`` that starts a key; zero-width after the ``@``, so that keys inside ``@{...}`` count too."""


@functools.lru_cache(maxsize=16)
def _structure(text: str) -> _Structure:
    """Match every bracket of ``text`` at once, so that many unclosed or nested brackets
    cost linear time, not quadratic (markdown-it asks at each ``[``).

    A group never spans paragraphs: a blank line leaves the brackets open before it unclosed.
    """
    brackets: dict[int, tuple[int, tuple[int, ...]]] = {}
    stack: list[tuple[int, list[int]]] = []
    for match in _EVENTS.finditer(text):
        token = match.group()
        if token == "[":
            stack.append((match.start(), []))
        elif token == ";":
            if stack:
                stack[-1][1].append(match.start())
        elif token == "]":
            if stack:
                start, semicolons = stack.pop()
                brackets[start] = (match.start(), tuple(semicolons))
        elif token == "\n":
            brackets.update((start, (-1, ())) for start, _ in stack)
            stack.clear()
    brackets.update((start, (-1, ())) for start, _ in stack)
    found = [(m.start(), m.end(1) if m.group(1) else m.end(2)) for m in _KEY_START.finditer(text)]
    key_ends = [end for _, end in found]
    for k in range(len(key_ends) - 2, -1, -1):
        key_ends[k] = min(key_ends[k], key_ends[k + 1])
    return _Structure(brackets, [start for start, _ in found], key_ends)


def _bracketed(text: str, pos: int) -> Group | None:
    """A ``[...]`` citation group at ``pos`` (see :func:`match_at`)."""
    structure = _structure(text)
    close, semicolons = structure.brackets.get(pos, (-1, ()))
    if close == -1 or text[close + 1 : close + 2] in ("(", "[", "{"):
        return None  # unclosed, escaped, or a link, a reference link or an attribute span
    bounds = [pos + 1, *(s + 1 for s in semicolons)]
    ends = [*semicolons, close]
    # Pandoc: every item of a citation group has a key. Checked for all items before any is
    # parsed, so that nested groups that fail late cost constant time each, not their length.
    if not all(structure.has_key(start, end) for start, end in zip(bounds, ends, strict=True)):
        return None
    items: list[Item] = []
    for start, end in zip(bounds, ends, strict=True):
        match = _ITEM.match(text[start:end])
        assert match is not None  # has_key said so
        items.append(
            _make_item(
                match.group("key"), start + match.start("key") - 1, match.group("panels"),
                bool(match.group("suppress")), match.group("prefix"), match.group("locator"),
            )
        )
    return Group(pos, close + 1, tuple(items), True)


def match_at(text: str, pos: int) -> Group | None:
    """Parse a reference group starting exactly at ``text[pos]``, or return None."""
    char = text[pos : pos + 1]
    if char == "[":
        return _bracketed(text, pos)
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


def scan(text: str) -> list[Group]:
    """Every reference group in ``text``, skipping code spans and escaped characters."""
    groups: list[Group] = []
    unclosed: set[int] = set()
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "`":
            run = _BACKTICKS.match(text, i).end() - i  # type: ignore[union-attr]
            close = -1 if run in unclosed else text.find("`" * run, i + run)
            if close == -1:
                unclosed.add(run)  # none further on either: never search for this run again
            i = close + run if close != -1 else i + run
            continue
        if char in "[@-":
            group = match_at(text, i)
            if group is not None:
                groups.append(group)
                i = group.end
                continue
        i += 1
        # Jump to the next character that matters (a Python loop over every character is slow).
        following = _INTERESTING.search(text, i)
        i = following.start() if following is not None else n
    return groups


_BACKTICKS = re.compile("`+")
_INTERESTING = re.compile(r"[\\`\[@-]")
