"""``<body>`` pieces: the abstract, sections, figures, tables and cross-references.

Sections carry the CARE items they report in ``specific-use`` (``care:5a care:5b``), so the
checklist can be traced in the XML, and a JATS ``sec-type`` where the JATS tag library
recommends one (``intro``, ``cases``, ``discussion``, ``conclusions``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from lxml import etree

from casepress.journals.journal import AbstractHeadings
from casepress.model import Case, NotReported, StructuredAbstract
from casepress.outputs.jats.inline import (
    GroupRenderer,
    append_inline_markdown,
    append_inlines,
    markdown_blocks,
    no_groups,
)
from casepress.outputs.jats.xml import HREF, el

FieldPath = tuple[str | int, ...]
"""Where a prose value is in the case."""
GroupsFor = Callable[[FieldPath], GroupRenderer]
"""The group renderer of a prose field, by its path."""


def care_use(items: Iterable[str]) -> str | None:
    """``specific-use`` naming the CARE items a section reports: ``care:5a care:5b``."""
    names = [f"care:{i}" for i in items]
    return " ".join(names) or None


def sec(title: str | etree._Element, content: Iterable[Any], *, sec_id: str | None = None,
        sec_type: str | None = None, care: Sequence[str] = (), label: str | None = None) -> etree._Element:
    """``<sec>`` with its label, title and content (blocks and subsections)."""
    heading = title if isinstance(title, etree._Element) else el("title", {}, title)
    return el("sec", {"id": sec_id, "sec-type": sec_type, "specific-use": care_use(care)},
              el("label", {}, label) if label else None, heading, content)


def abstract(case: Case, groups_for: GroupsFor = lambda path: no_groups,
             headings: AbstractHeadings | None = None) -> etree._Element | None:
    """``<abstract>``: paragraphs, or one titled ``sec`` per part of a structured abstract
    (CARE's four or the three-part form), each naming the CARE items it reports."""
    value = case.abstract
    if value is None or isinstance(value, NotReported):
        return None
    if not isinstance(value, StructuredAbstract):
        return el("abstract", {"specific-use": care_use(["3"])}, markdown_blocks(value, groups_for(("abstract",))))
    titles = headings or AbstractHeadings()
    parts = [sec(getattr(titles, part.name), markdown_blocks(text, groups_for(("abstract", part.name))), care=part.care)
             for part, text in value.written()]
    return el("abstract", {}, parts) if parts else None


# --------------------------------------------------------------------------- cross-references


class _Part(Protocol):
    text: str
    target: str


class _CrossRef(Protocol):
    kind: str
    word: str
    parts: Sequence[_Part]


class _Cluster(Protocol):
    text: Sequence[Any]


class ResolvedGroupLike(Protocol):
    """A resolved citation/cross-reference group: the cluster as printed, the figure and table labels."""

    citation: _Cluster | None
    crossrefs: Sequence[_CrossRef]


def xref(ref_type: str, rid: str, text: str) -> etree._Element:
    """``<xref ref-type=... rid=...>text</xref>``."""
    return el("xref", {"ref-type": ref_type, "rid": rid}, text)


def group_content(group: ResolvedGroupLike, ref_ids: Mapping[str, str],
                  float_ids: Mapping[str, str] | None = None) -> list[str | etree._Element]:
    """A resolved group as JATS content, printed as the HTML prints it: the citation cluster
    (each cited number an ``xref ref-type="bibr"``), then ``Figures 1A–C`` with each linked
    part an ``xref ref-type="fig"`` (or ``table``); pieces joined by ``; ``.

    ``float_ids`` maps a float's anchor to its XML id (default: the same)."""
    pieces: list[list[str | etree._Element]] = []
    if group.citation is not None:
        holder = append_inlines(el("x"), group.citation.text, ref_ids)
        _cover_ranges(holder, list(ref_ids.values()))
        pieces.append(_children(holder))
    for ref in group.crossrefs:
        kind = "fig" if ref.kind == "figure" else "table"
        out: list[str | etree._Element] = [f"{ref.word}\u00a0"]
        for i, part in enumerate(ref.parts):
            if i:
                out.append(", ")
            out.append(xref(kind, (float_ids or {}).get(part.target, part.target), part.text))
        pieces.append(out)
    joined: list[str | etree._Element] = []
    for i, piece in enumerate(pieces):
        if i:
            joined.append("; ")
        joined.extend(piece)
    return joined


RANGE_DASHES = ("–", "-", "—")
"""What joins the ends of a collapsed citation range (``2–4``)."""


def _cover_ranges(holder: etree._Element, order: Sequence[str]) -> None:
    """A collapsed range ``2–4`` links its ends only; the closing ``xref`` also names the entries
    inside the range (``rid="ref3 ref4"``), so every cited entry is tagged."""
    position = {rid: i for i, rid in enumerate(order)}
    xrefs = [x for x in holder.iter("xref") if x.get("ref-type") == "bibr"]
    for first, last in zip(xrefs, xrefs[1:]):
        if (first.tail or "").strip() not in RANGE_DASHES or first.getnext() is not last:
            continue
        start, end = position.get(first.get("rid", "")), position.get(last.get("rid", ""))
        if start is not None and end is not None and end > start + 1:
            last.set("rid", " ".join(order[start + 1:end + 1]))


def _children(holder: etree._Element) -> list[str | etree._Element]:
    out: list[str | etree._Element] = [holder.text] if holder.text else []
    for child in list(holder):
        tail, child.tail = child.tail, None
        out.append(child)
        if tail:
            out.append(tail)
    return out


# --------------------------------------------------------------------------- figures


MIME = {".png": ("image", "png"), ".jpg": ("image", "jpeg"), ".jpeg": ("image", "jpeg"),
        ".svg": ("image", "svg+xml"), ".tif": ("image", "tiff"), ".tiff": ("image", "tiff"),
        ".gif": ("image", "gif"), ".webp": ("image", "webp")}
"""File suffix -> (mimetype, mime-subtype) of ``graphic``."""


@dataclass(frozen=True)
class Graphic:
    """One image of a figure (the whole figure, or one panel's own image)."""

    hrefs: tuple[str, ...]
    """The file names in the package, the original first (an SVG's PNG rendering after it)."""
    alt: str
    """Its alternative text."""
    label: str | None = None
    """The panel letters when the image is one panel's, e.g. ``A`` or ``A–C``."""


def _graphic(href: str, alt: str, label: str | None) -> etree._Element:
    suffix = href[href.rfind("."):].lower() if "." in href else ""
    mimetype, subtype = MIME.get(suffix, (None, None))
    return el("graphic", {HREF: href, "mimetype": mimetype, "mime-subtype": subtype},
              el("alt-text", {}, alt), el("label", {}, label) if label else None)


def graphic(image: Graphic) -> etree._Element:
    """``<graphic>``, or ``<alternatives>`` of the same image in several formats."""
    shapes = [_graphic(h, image.alt, image.label) for h in image.hrefs]
    return shapes[0] if len(shapes) == 1 else el("alternatives", {}, shapes)


@dataclass(frozen=True)
class PanelCaption:
    """A panel's (or a run of panels') legend."""

    letters: str
    """As printed: ``A–C``, ``A, B``."""
    caption: str
    """The legend, Markdown."""
    path: FieldPath
    """Its field (for its citation groups)."""


@dataclass(frozen=True)
class FigureSpec:
    """What a ``fig`` holds, decided by the resolve stage."""

    id: str
    """The XML id (the figure's id)."""
    label: str
    """``Figure 1``."""
    caption: str | None
    """The legend's lead, Markdown."""
    caption_path: FieldPath
    """Its field."""
    panels: tuple[PanelCaption, ...] = ()
    """The panel legends, in order."""
    graphics: tuple[Graphic, ...] = ()
    """The images."""
    placeholder: bool = False
    """The image stands in for one that is not available."""


def fig(spec: FigureSpec, groups_for: GroupsFor = lambda path: no_groups) -> etree._Element:
    """``<fig>``: label, caption (the lead, then one paragraph per panel legend), images."""
    paragraphs = []
    if spec.caption:
        paragraphs.append(append_inline_markdown(el("p"), spec.caption, groups_for(spec.caption_path)))
    for panel in spec.panels:
        p = el("p", {}, el("bold", {}, f"({panel.letters})"), " ")
        paragraphs.append(append_inline_markdown(p, panel.caption, groups_for(panel.path)))
    return el("fig", {"id": spec.id, "specific-use": "placeholder" if spec.placeholder else None},
              el("label", {}, spec.label), el("caption", {}, paragraphs) if paragraphs else None,
              (graphic(g) for g in spec.graphics))


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class TableCell:
    """One cell: its mixed content and whether it heads its row or column."""

    content: tuple[Any, ...]
    """Text and inline elements."""
    header: bool = False
    """A header cell (``th``)."""
    attrs: Mapping[str, str] = field(default_factory=dict)
    """Extra attributes, e.g. ``{"content-type": "high"}`` for a flagged value."""


@dataclass(frozen=True)
class TableSpec:
    """What a ``table-wrap`` holds, decided by the resolve stage."""

    id: str
    """The XML id (the table's id)."""
    label: str | None
    """``Table 1``; None for a table of a section's own (the interventions), not numbered."""
    title: tuple[Any, ...]
    """The caption's title, as mixed content."""
    columns: tuple[TableCell, ...]
    """The column headings (one header row)."""
    rows: tuple[tuple[TableCell, ...], ...]
    """The body rows."""
    footnotes: tuple[tuple[Any, ...], ...] = ()
    """Notes under the table, each as mixed content."""


def _cell(cell: TableCell, in_head: bool) -> etree._Element:
    tag = "th" if cell.header or in_head else "td"
    attrs: dict[str, str | None] = {"scope": ("col" if in_head else "row") if tag == "th" else None, **cell.attrs}
    return el(tag, attrs, cell.content)


def table_wrap(spec: TableSpec) -> etree._Element:
    """``<table-wrap>``: label, caption title, a real ``table`` (thead, tbody), ``table-wrap-foot``."""
    table = el("table", {"frame": "hsides", "rules": "groups"},
               el("thead", {}, el("tr", {}, (_cell(c, True) for c in spec.columns))),
               el("tbody", {}, (el("tr", {}, (_cell(c, False) for c in row)) for row in spec.rows)))
    foot = None
    if spec.footnotes:
        foot = el("table-wrap-foot", {}, (el("fn", {"id": f"{spec.id}-fn{i}"}, el("p", {}, note))
                                          for i, note in enumerate(spec.footnotes, 1)))
    return el("table-wrap", {"id": spec.id}, el("label", {}, spec.label) if spec.label else None,
              el("caption", {}, el("title", {}, spec.title)), table, foot)


def inline_markdown(text: str, groups: GroupRenderer = no_groups) -> tuple[Any, ...]:
    """Inline Markdown as mixed content (for cells and titles)."""
    holder = append_inline_markdown(el("x"), text, groups)
    return tuple(_children(holder))

