"""How template errors are worded and where on a line they point (shared by the static check
and the render-time reporter, so that both say the same; no Jinja here)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

CHAIN_HINT = "templates are looked up in the case's templates/, the journal, its parents, then base/"
_TAG = re.compile(r"\{[{%#].*?(?:[}%#]\}|$)")


@dataclass(frozen=True)
class Needle:
    """Text to look for on the error's line."""

    text: str
    """What to find."""
    word: bool = False
    """Match whole identifiers only (``foo`` not inside ``foobar``)."""


def name_needles(names: Iterable[str]) -> list[Needle]:
    """A template name, quoted as a statement writes it, else bare."""
    return [Needle(f"{q}{n}{q}") for n in names for q in ("'", '"')] + [Needle(n) for n in names]


def recursion_message(keyword: str, name: str | None) -> tuple[str, str | None]:
    """The error (and hint) for a template whose ``keyword`` (extends, include, import, from)
    statement naming ``name`` (None: a computed name) leads back to itself."""
    verb = {"from": "imports"}.get(keyword, keyword.removesuffix("s") + "s")
    what = f"'{name}'" if name else "a template"
    message = f"endless recursion: this template {verb} {what}, which leads back to it along the lookup chain"
    hint = None
    if keyword == "extends" and name and not name.startswith("base/"):
        hint = f"to extend the base template of that name, write 'base/{name}'"
    return message, hint


def not_found_message(name: str) -> str:
    """The error for a template name no folder of the chain has."""
    return f"no template '{name}' along the lookup chain"


def column_in(line: str, needles: Iterable[Needle]) -> int:
    """1-based column of the first needle found on ``line`` (inside a tag if possible), else of
    the line's first tag, else of its first non-blank character."""
    spans = [(m.start(), m.end()) for m in _TAG.finditer(line)]
    for needle in needles:
        for start, end in [*spans, (0, len(line))]:
            found = _find(line, needle, start, end)
            if found is not None:
                return found + 1
    if spans:
        return spans[0][0] + 1
    return len(line) - len(line.lstrip()) + 1


def _find(line: str, needle: Needle, start: int, end: int) -> int | None:
    if not needle.word:
        index = line.find(needle.text, start, end)
        return index if index >= 0 else None
    match = re.compile(rf"(?<!\w){re.escape(needle.text)}(?!\w)").search(line, start, end)
    return match.start() if match else None
