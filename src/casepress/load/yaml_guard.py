"""Limits on a YAML document, enforced on its event stream before anything is composed.

A billion-laughs document is small as text and as a composed graph (aliases
share nodes); it explodes only when the graph is turned into plain values.
Walking PyYAML's event stream once, we know how many values every anchor
expands to, so the running total after alias expansion is exact and the walk
stops at the first alias that takes it past :data:`~casepress.core.limits.MAX_YAML_NODES`,
long before any memory is spent. The same walk bounds nesting depth (deep
nesting would otherwise end in a ``RecursionError`` when composing) and refuses
an alias to an anchor that is still open (a document that contains itself).

Characters YAML does not allow (NUL, BEL and the other control characters) are
found here too, with their line and column, instead of PyYAML's character offset.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import yaml

from casepress.core.limits import MAX_YAML_DEPTH, MAX_YAML_NODES

_DISALLOWED = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters outside YAML's printable set (the set PyYAML's reader accepts)."""

_NAMES = {0: "NUL", 7: "BEL", 8: "BACKSPACE", 0x1B: "ESCAPE", 0x7F: "DELETE"}


@dataclass(frozen=True)
class Violation(Exception):
    """A limit the document breaks, with where (1-based line and column)."""

    code: str
    """Diagnostic code: ``yaml-syntax`` for a disallowed character, ``yaml-limit`` for a limit."""
    message: str
    """One sentence saying what and how to fix it."""
    line: int
    """1-based line."""
    column: int
    """1-based column."""


def _char_name(char: str) -> str:
    code = ord(char)
    name = _NAMES.get(code) or unicodedata.name(char, "") or "a control character"
    return f"U+{code:04X} ({name})"


def check_characters(text: str) -> None:
    """Refuse the first character YAML does not allow, at its line and column."""
    found = _DISALLOWED.search(text)
    if found is None:
        return
    index = found.start()
    line_start = text.rfind("\n", 0, index) + 1
    raise Violation("yaml-syntax",
        f"the file holds the character {_char_name(found.group())}, which YAML does not allow; remove it",
        text.count("\n", 0, index) + 1, index - line_start + 1,
    )


def _at(mark: yaml.Mark | None) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def check_events(events: object, max_nodes: int = MAX_YAML_NODES, max_depth: int = MAX_YAML_DEPTH) -> None:
    """Walk a YAML event stream; raise :class:`Violation` at the first limit broken.

    ``total`` counts values after alias expansion; each open collection keeps the
    expanded size of its subtree so far, so an anchor's size is known when it closes.
    """
    sizes: dict[str, int] = {}
    open_anchors: list[str | None] = []
    subtree: list[int] = []
    total = 0
    for event in events:  # type: ignore[attr-defined]
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in sizes:
                line, column = _at(event.start_mark)
                raise Violation("yaml-limit", f"alias '*{event.anchor}' refers to a value that contains it; "
                                "a case cannot contain itself", line, column)
            added = sizes[event.anchor]
        elif isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
            added = 1
        elif isinstance(event, yaml.CollectionEndEvent):
            size = subtree.pop()
            anchor = open_anchors.pop()
            if anchor is not None:
                sizes[anchor] = size
            if subtree:
                subtree[-1] += size
            continue
        else:
            continue
        total += added
        if total > max_nodes:
            line, column = _at(event.start_mark)
            what = f"alias '*{event.anchor}'" if isinstance(event, yaml.AliasEvent) else "this value"
            raise Violation("yaml-limit", f"{what} takes the document past {max_nodes:,} values after aliases are expanded "
                            "(the limit); a case needs nothing this large", line, column)
        if isinstance(event, yaml.CollectionStartEvent):
            if len(subtree) >= max_depth:
                line, column = _at(event.start_mark)
                raise Violation("yaml-limit", f"mappings and lists are nested more than {max_depth} deep (the limit)", line, column)
            subtree.append(1)
            open_anchors.append(event.anchor)
            continue
        if isinstance(event, yaml.ScalarEvent) and event.anchor is not None:
            sizes[event.anchor] = 1
        if subtree:
            subtree[-1] += added
