"""The resolved case: every number, citation, label, placement and generated cell decided,
as format-neutral data (no HTML) that each writer only prints."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from casepress.cite.csl import CiteRef
    from casepress.journals.journal import Journal
    from casepress.journals.number import RefPart
    from casepress.model import Case, Demographics, Figure, Markdown, Table
    from casepress.model.dates import Precision
    from casepress.stages.checked import CheckedCase

FieldPath = tuple[str | int, ...]
"""Where a value is in the case, e.g. ("discussion", "paragraphs", 0, "text")."""


@dataclass(frozen=True, slots=True)
class Text:
    """Plain text."""

    text: str
    """The characters, unescaped."""


Style = Literal["italic", "bold", "superscript", "subscript", "small-caps", "underline", "light",
                "upright", "normal-weight"]
"""How a run of text is set (``upright`` and ``normal-weight``: italics or bold inside italics or bold)."""


@dataclass(frozen=True, slots=True)
class Styled:
    """Text set in a style."""

    style: Style
    """The style."""
    children: tuple[Inline, ...]
    """What is set so."""


@dataclass(frozen=True, slots=True)
class Link:
    """A link out of the document (a DOI, a URL, PubMed)."""

    href: str
    """Where it points."""
    children: tuple[Inline, ...]
    """The linked text."""


@dataclass(frozen=True, slots=True)
class CitationLink:
    """A citation number or name linked to its reference list entry."""

    key: str
    """The BibTeX key of the entry."""
    children: tuple[Inline, ...]
    """The linked text (``1``, ``Allred, 2010``)."""


Inline = Text | Styled | Link | CitationLink
"""A piece of neutral inline text."""


# --------------------------------------------------------------------------- citations and cross-references


@dataclass(frozen=True, slots=True)
class GroupId:
    """Which citation or cross-reference group of the prose: its field and its place there."""

    field: FieldPath
    """The prose field."""
    ordinal: int
    """0 for the field's first group, in the order the Markdown parser meets them."""


@dataclass(frozen=True, slots=True)
class CitationCluster:
    """A citation cluster as the style prints it: ``(2–4)``, ``(see 5, p. 4)``."""

    refs: tuple[CiteRef, ...]
    """The cited keys, with their prefixes and locators, as written."""
    text: tuple[Inline, ...]
    """The formatted cluster."""


@dataclass(frozen=True, slots=True)
class CrossRefLabel:
    """A reference to figures or tables as printed: the word and the linked numbers (``Figures 1A–C``)."""

    kind: Literal["figure", "table"]
    """What is referred to."""
    word: str
    """``Figure``, ``Figures``, ``Table``, ``Tables`` (the journal's labels)."""
    parts: tuple[RefPart, ...]
    """The linked numbers, each with the float it points at."""


@dataclass(frozen=True, slots=True)
class ResolvedGroup:
    """One group of the prose, resolved: a citation cluster, cross-references, or both."""

    citation: CitationCluster | None
    """The citations of the group, or None."""
    crossrefs: tuple[CrossRefLabel, ...]
    """The figure reference, then the table reference, when the group has them."""


@dataclass(frozen=True, slots=True)
class ReferenceEntry:
    """One entry of the reference list."""

    key: str
    """The BibTeX key (the entry's anchor is ``ref-<key>``)."""
    label: tuple[Inline, ...] | None
    """The number as the style prints it in the list (``1.``), None for author-date styles."""
    text: tuple[Inline, ...]
    """The entry."""


# --------------------------------------------------------------------------- floats and tables


@dataclass(frozen=True, slots=True)
class Prose:
    """A prose field for a writer to print (inline or block Markdown)."""

    path: FieldPath
    """Where it is in the case (its groups are resolved under this path)."""
    text: Markdown
    """The Markdown."""


@dataclass(frozen=True, slots=True)
class CellText:
    """Text in a generated table cell."""

    text: str
    """The characters."""
    strong: bool = False
    """Set in bold (an abnormal laboratory value with its mark)."""
    role: Literal["", "specimen", "lab-note", "specimen-date"] = ""
    """What the text is, when it is more than the cell's value (HTML: its class)."""


@dataclass(frozen=True, slots=True)
class LineBreak:
    """A line break inside a cell."""


CellPart = CellText | LineBreak | Prose
"""A piece of a cell: plain text, a line break, or inline prose of the case."""


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell, as plain data with its flags."""

    parts: tuple[CellPart, ...]
    """Its content."""
    header: bool = False
    """A row header (or, in a table's head, a column header)."""
    kind: Literal["", "date", "value", "result"] = ""
    """What the column holds, when a writer may set it apart."""
    flag: Literal["high", "low", "abnormal"] | None = None
    """An abnormal laboratory value: above, below or outside its reference range."""


@dataclass(frozen=True, slots=True)
class Panel:
    """A panel (or a run of panels sharing a legend) of a figure."""

    letters: str
    """The letters as printed in the legend: ``A–C``, ``A, B``."""
    ids: tuple[str, ...]
    """The letters it defines, one by one."""
    caption: Prose | None
    """Its legend."""
    file: str | None
    """Its own image, relative to the case folder."""
    alt: str | None
    """The alternative text of its image."""


@dataclass(frozen=True, slots=True)
class GeneratedImage:
    """A figure's image drawn by casepress (the timeline figure), as a file would hold it."""

    name: str
    """Its output-relative name, e.g. ``figures/fig-timeline.svg``."""
    data: bytes
    """The SVG file."""
    svg: str
    """The same SVG without an XML declaration, for inlining in HTML."""
    alt: str
    """Its alternative text."""


@dataclass(frozen=True, slots=True)
class ResolvedFigure:
    """A figure with its number."""

    figure: Figure
    """The model object."""
    path: FieldPath
    """Its field path, e.g. ("figures", 2)."""
    number: int
    """Its number, in order of first mention."""
    label: str
    """The caption label, e.g. ``FIGURE 1``."""
    caption: Prose | None
    """The legend's lead."""
    panels: tuple[Panel, ...]
    """The panels, in order."""
    image: GeneratedImage | None = None
    """The image casepress drew (``generate:``), None for a figure with image files."""

    @property
    def id(self) -> str:
        """The figure's id (and element id)."""
        return self.figure.id


@dataclass(frozen=True, slots=True)
class ResolvedTable:
    """A table with its number and its cells."""

    table: Table
    """The model object."""
    path: FieldPath
    """Its field path, e.g. ("tables", 0)."""
    number: int
    """Its number, in order of first mention."""
    label: str
    """The caption label, e.g. ``Table 1``."""
    caption: Prose
    """Its title."""
    columns: tuple[Cell, ...]
    """The column headings."""
    rows: tuple[tuple[Cell, ...], ...]
    """The body rows."""
    footnotes: tuple[str, ...]
    """Notes a generated table adds (what its marks mean), printed before the case's notes."""
    notes: Prose | None
    """The case's notes under the table."""

    @property
    def id(self) -> str:
        """The table's id (and element id)."""
        return self.table.id


ResolvedFloat = ResolvedFigure | ResolvedTable
"""A figure or a table."""


@dataclass(frozen=True, slots=True)
class BlockSite:
    """A place in the prose: after one top-level block (paragraph, list) of a field."""

    field: FieldPath
    """The prose field."""
    block: int
    """0 for its first top-level block."""


@dataclass(frozen=True)
class Placements:
    """Where each float goes."""

    after_block: Mapping[BlockSite, tuple[str, ...]]
    """Floats set right after a block of the prose (the paragraph of their first mention), in order."""
    in_sections: frozenset[str]
    """Floats that a section sets itself (the generated timeline table in the Timeline section)."""
    at_end: tuple[str, ...]
    """Floats set after the body, in order (every float, when the journal puts them at the end)."""


# --------------------------------------------------------------------------- the timeline


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """A timeline event with its date resolved and printed."""

    event: Prose
    """What happened."""
    kind: str
    """The kind as printed: ``History``, ``Follow up``."""
    date_text: str
    """The date as printed: ``March 2013 (8 weeks after)``, ``3 November 2025, 06:40``."""
    relation: str | None
    """A relative date as written, with its anchor: ``8 weeks after “Segmental excision …”``."""
    approximate: bool
    """The relative date is approximate."""
    earliest: datetime
    """The first instant it may stand for."""
    latest: datetime
    """The last instant it may stand for."""
    precision: Precision
    """How precisely the date is known (a relative date: its anchor's or its offset's, the coarser)."""
    table_date_text: str
    """The date as the timeline table prints it: the time alone (``06:48``) when the row above
    printed the same day."""
    elapsed: str | None
    """The time from the timeline's ``elapsed_from`` event (``Hour 0``, ``+30 min``, ``Day 2``),
    when the case asks for it."""

    @property
    def ranged(self) -> bool:
        """True when the date is approximate or may stand for more than one day (the figure draws it hollow)."""
        return self.approximate or self.earliest.date() != self.latest.date()


# --------------------------------------------------------------------------- sections


@dataclass(frozen=True, slots=True)
class SectionProse:
    """A prose field of a section."""

    prose: Prose
    """The field."""
    kind: Literal["prose"] = "prose"
    """For templates: which item this is."""


@dataclass(frozen=True, slots=True)
class SectionDemographics:
    """The structured demographics as one line (when the opening narrative is not reported)."""

    demographics: Demographics
    """The demographics."""
    kind: Literal["demographics"] = "demographics"
    """For templates: which item this is."""


@dataclass(frozen=True, slots=True)
class SectionDifferential:
    """The differential diagnosis as a list."""

    lead: str
    """The sentence before the list."""
    items: tuple[str, ...]
    """The diagnoses considered."""
    kind: Literal["differential"] = "differential"
    """For templates: which item this is."""


@dataclass(frozen=True, slots=True)
class SectionFloats:
    """Floats the section sets itself, here."""

    ids: tuple[str, ...]
    """Their ids."""
    kind: Literal["floats"] = "floats"
    """For templates: which item this is."""


@dataclass(frozen=True, slots=True)
class SectionTimeline:
    """The timeline as a list (no generated timeline table)."""

    caption: Prose | None
    """The timeline's caption."""
    events: tuple[TimelineEntry, ...]
    """The events."""
    kind: Literal["timeline-list"] = "timeline-list"
    """For templates: which item this is."""


@dataclass(frozen=True, slots=True)
class SectionInterventions:
    """The structured interventions as a table of the section's own (not numbered: the section's
    prose introduces it, nothing cross-references it)."""

    anchor: str
    """Its element id (``resolve.walk.field_anchor`` of ``therapeutic_intervention.interventions``)."""
    caption: str
    """The table's caption (its accessible name)."""
    columns: tuple[Cell, ...]
    """The column headings."""
    rows: tuple[tuple[Cell, ...], ...]
    """One row per intervention, headed by its name."""
    notes: tuple[str, ...]
    """What the table's marks mean."""
    kind: Literal["interventions"] = "interventions"
    """For templates: which item this is."""


SectionItem = (SectionProse | SectionDemographics | SectionDifferential | SectionFloats | SectionTimeline
               | SectionInterventions)
"""One piece of a section's content."""


@dataclass(frozen=True, slots=True)
class ResolvedSection:
    """A section of the body, as the case fills it (empty sections are left out)."""

    id: str
    """The block's id (``casepress.journals.sections.BLOCKS``)."""
    heading: str
    """The heading, as the journal names it."""
    anchor: str
    """The heading's element id."""
    level: int
    """2 for a section, 3 for a subsection."""
    number: int | None
    """The section number, for journals that number them."""
    boxed: bool
    """Printed as a box."""
    items: tuple[SectionItem, ...]
    """Its content, in reading order."""
    children: tuple[ResolvedSection, ...]
    """Its subsections."""

    @property
    def label(self) -> str:
        """The heading as printed, with its number: ``2 Case description``."""
        return f"{self.number} {self.heading}" if self.number else self.heading


@dataclass(frozen=True, slots=True)
class ResolvedStatement:
    """A statement after the body (only those with content)."""

    id: str
    """The statement's id (``casepress.journals.sections.STATEMENTS``)."""
    heading: str
    """Its heading."""
    anchor: str
    """Its element id."""
    fields: tuple[Prose, ...]
    """Its prose, in order."""
    contributions: bool
    """The author contributions generated from the CRediT roles (``fields`` is then empty)."""


@dataclass(frozen=True, slots=True)
class Landmark:
    """A located thing of the article, in reading order: a prose field or a float."""

    anchor: str
    """Its element id."""
    label: str
    """Where a reader finds it: the heading it stands under, or the float's label."""
    field: FieldPath | None
    """The prose field, or None for a float."""


# --------------------------------------------------------------------------- the resolved case


@dataclass(frozen=True)
class ResolvedCase:
    """Everything decided about a case before any writer runs; no HTML, no positions in a page."""

    checked: CheckedCase
    """The checked case."""
    journal: Journal
    """The journal it is arranged for."""
    sections: tuple[ResolvedSection, ...]
    """The body, in reading order."""
    statements: tuple[ResolvedStatement, ...]
    """The statements after the body, in order."""
    figures: tuple[ResolvedFigure, ...]
    """Every figure, in number order."""
    tables: tuple[ResolvedTable, ...]
    """Every table, in number order."""
    groups: Mapping[GroupId, ResolvedGroup]
    """Every citation and cross-reference group of the prose."""
    references: tuple[ReferenceEntry, ...]
    """The reference list, in the style's order."""
    numeric_citations: bool
    """True for numeric citation styles."""
    placements: Placements
    """Where each float goes."""
    timeline: tuple[TimelineEntry, ...]
    """The timeline's events, dated (empty when the case reports no timeline)."""
    affiliation_numbers: Mapping[str, int]
    """Affiliation id -> number, in order of first appearance in the byline."""
    landmarks: tuple[Landmark, ...]
    """The prose fields and floats, in reading order, with where they stand (for the CARE checklist)."""

    @property
    def case(self) -> Case:
        """The case model."""
        return self.checked.case

    def float_by_id(self, float_id: str) -> ResolvedFloat | None:
        """The figure or table with that id."""
        return next((f for f in (*self.figures, *self.tables) if f.id == float_id), None)
