"""The citation and cross-reference groups of a prose field, as the Markdown parser meets them.

Resolving and writing parse a field with the same parser (:func:`casepress.text.prose.parsed`),
so a group is named the same way in both: by its field and its ordinal, counted in the
order the renderer calls back for groups. (The alternative text of an image is printed as
plain text, without calling back: groups inside it are skipped by both.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from markdown_it.token import Token

from casepress.text.markup import Group
from casepress.text.prose import parsed


@dataclass(frozen=True, slots=True)
class FoundGroup:
    """A group with where it stands."""

    block: int
    """The top-level block (paragraph, list) it is in; 0 for inline prose."""
    ordinal: int
    """Its place among the field's groups."""
    group: Group
    """The parsed group."""


def _in_inline(token: Token) -> Iterator[Group]:
    for child in token.children or []:
        if child.type == "casepress_ref":
            yield child.meta["group"]


@lru_cache(maxsize=4096)
def find_groups(text: str, block: bool) -> tuple[tuple[FoundGroup, ...], int]:
    """The groups of ``text`` parsed as block (paragraphs) or inline Markdown, and the number
    of top-level blocks (after each of which a writer may set floats). Memoised: a legend is
    read at its float's first mention and again where the float is set."""
    tokens = parsed(text, block)
    found: list[FoundGroup] = []
    index = 0
    for token in tokens:
        if token.type == "inline":
            for group in _in_inline(token):
                found.append(FoundGroup(index, len(found), group))
        if block and token.level == 0 and token.nesting <= 0:
            index += 1  # a top-level block ends here (as prose.render_block counts them)
    return tuple(found), index if block else 0
