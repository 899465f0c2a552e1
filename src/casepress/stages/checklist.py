"""The filled CARE checklist: each item's status and where (anchors and PDF pages) it is reported."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from casepress.model.care import ChecklistItem, ItemStatus


@dataclass(frozen=True, slots=True)
class Place:
    """One place where an item is reported."""

    anchor: str
    """Element id in the HTML (link target ``index.html#<anchor>``)."""
    label: str
    """The section heading above it, or the float's label ('Table 1')."""
    pages: tuple[int, ...]
    """Pages of the PDF it occupies (empty when no PDF was laid out)."""


@dataclass(frozen=True, slots=True)
class ItemReport:
    """One row of the filled checklist."""

    item: ChecklistItem
    """The checklist item."""
    status: ItemStatus
    """Reported, not reported (with the reason) or missing."""
    places: tuple[Place, ...]
    """Where it is reported, in document order."""

    @property
    def sections(self) -> list[Place]:
        """One place per distinct label (the first), for a compact 'location' column."""
        seen: dict[str, Place] = {}
        for place in self.places:
            seen.setdefault(place.label, place)
        return list(seen.values())

    @property
    def pages(self) -> list[int]:
        """Every page the item appears on, sorted."""
        return sorted({p for place in self.places for p in place.pages})

    @property
    def pages_text(self) -> str:
        """'3', '3–4' or '1, 3–4'."""
        return page_ranges(self.pages)


def page_ranges(pages: list[int]) -> str:
    """Collapse page numbers into ranges: [1, 3, 4, 5] -> '1, 3–5'."""
    runs: list[list[int]] = []
    for page in sorted(set(pages)):
        if runs and page == runs[-1][-1] + 1:
            runs[-1].append(page)
        else:
            runs.append([page])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


@dataclass(frozen=True)
class CareChecklist:
    """The filled CARE checklist of a case, written out."""

    reports: tuple[ItemReport, ...]
    """Each item's status and places, in checklist order."""
    html: str
    """``care-checklist.html``: its locations link into the article."""
    pdf: bytes | None
    """``care-checklist.pdf``, when the article has a PDF (its page numbers)."""
