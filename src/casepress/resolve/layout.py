"""The article's layout for one case: its sections and statements as the journal lists them,
filled from the case (what it does not report is left out), and the reading plan that follows
from them: every prose field in the order a reader meets it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from casepress.journals.journal import JournalConfig, SectionEntry
from casepress.model import Case, Markdown, NotReported, StructuredAbstract, Timeline, is_reported
from casepress.journals.sections import (
    BLOCKS,
    STATEMENTS,
    BlockSpec,
    Content,
    Differential,
    Field,
    FieldOrDemographics,
    Interventions,
    Paragraphs,
    content_fields,
    kept_children,
)
from casepress.stages.resolved import (
    FieldPath,
    Prose,
    ResolvedSection,
    ResolvedStatement,
    SectionDemographics,
    SectionDifferential,
    SectionFloats,
    SectionInterventions,
    SectionItem,
    SectionProse,
    SectionTimeline,
    TimelineEntry,
)
from casepress.resolve.tables import intervention_cells

DIFFERENTIAL_LEAD = "The differential diagnosis included:"
INTERVENTIONS_CAPTION = "Interventions"


@dataclass(frozen=True, slots=True)
class Visit:
    """A reader meets a prose field."""

    prose: Prose
    """The field."""
    block: bool
    """Printed as block Markdown (floats may follow its paragraphs), else inline."""
    label: str | None
    """Where it stands (the heading above it), None for prose that locates nothing."""


@dataclass(frozen=True, slots=True)
class PlaceHere:
    """A section sets floats itself, here."""

    ids: tuple[str, ...]
    """The floats."""


@dataclass(frozen=True, slots=True)
class FloatsRemaining:
    """After the body: every float not yet placed."""


Step = Visit | PlaceHere | FloatsRemaining
"""One step of the reading plan."""


def field_value(case: Case, path: FieldPath) -> object:
    """The value at ``path``, None when it or a field above it is missing or not reported."""
    node: object = case
    for part in path:
        if node is None or isinstance(node, NotReported):
            return None
        node = node[part] if isinstance(part, int) and isinstance(node, list) else getattr(node, str(part), None)
    return None if isinstance(node, NotReported) else node


def field_anchor(path: FieldPath) -> str:
    """The element id of a field's prose: ("discussion", "paragraphs", 0, "text") -> f-discussion-paragraphs-0-text."""
    return "f-" + "-".join(str(part).replace("_", "-") for part in path)


def _prose(case: Case, path: FieldPath) -> Prose | None:
    value = field_value(case, path)
    return Prose(path, value) if isinstance(value, Markdown) and is_reported(value) else None


# --------------------------------------------------------------------------- sections


@dataclass(frozen=True, slots=True)
class _Filler:
    """What filling a block needs to know."""

    case: Case
    listed: tuple[str, ...]
    timeline_tables: tuple[str, ...]
    timeline: tuple[TimelineEntry, ...]


def _items(content: tuple[Content, ...], fill: _Filler) -> list[SectionItem]:
    case = fill.case
    items: list[SectionItem] = []
    deferred: list[SectionItem] = []
    for part in content:
        if isinstance(part, Field):
            prose = _prose(case, part.path)
            items += [SectionProse(prose)] if prose else []
        elif isinstance(part, FieldOrDemographics):
            prose = _prose(case, part.path)
            demographics = field_value(case, ("patient_information", "demographics"))
            if prose:
                items.append(SectionProse(prose))
            elif demographics is not None:
                items.append(SectionDemographics(demographics))  # type: ignore[arg-type]
        elif isinstance(part, Paragraphs):
            discussion = case.discussion
            for i, paragraph in enumerate(discussion.paragraphs if discussion else []):
                items.append(SectionProse(Prose(("discussion", "paragraphs", i, "text"), paragraph.text)))
        elif isinstance(part, Differential):
            da = case.diagnostic_assessment
            if da and da.differential_diagnosis:
                item = SectionDifferential(DIFFERENTIAL_LEAD, tuple(da.differential_diagnosis))
                here = part.follows is None or _prose(case, part.follows) is not None
                (items if here else deferred).append(item)
        elif isinstance(part, Interventions):
            therapy = case.therapeutic_intervention
            if therapy and therapy.interventions:
                cells = intervention_cells(therapy.interventions)
                anchor = field_anchor(next(content_fields(part)))
                items.append(SectionInterventions(anchor, INTERVENTIONS_CAPTION, cells.columns, cells.rows,
                                                  cells.footnotes))
        elif isinstance(case.timeline, Timeline):
            if fill.timeline_tables:
                items.append(SectionFloats(fill.timeline_tables))
            else:
                caption = Prose(("timeline", "caption"), case.timeline.caption) if case.timeline.caption else None
                items.append(SectionTimeline(caption, fill.timeline))
    return items + deferred


def _section(spec: BlockSpec, heading: str, anchor: str, level: int, fill: _Filler) -> ResolvedSection | None:
    items = _items(spec.content, fill)
    children = [
        child for c in kept_children(spec, fill.listed)
        if (child := _section(c, c.heading, c.id, level + 1, fill)) is not None
    ]
    if not items and not children:
        return None
    return ResolvedSection(spec.id, heading, anchor, level, None, spec.boxed, tuple(items), tuple(children))


def sections(case: Case, config: JournalConfig, timeline: tuple[TimelineEntry, ...]) -> tuple[ResolvedSection, ...]:
    """The body's sections the case fills, in the journal's order, numbered if the journal numbers them."""
    tables = tuple(t.id for t in case.tables if t.generate == "timeline")
    fill = _Filler(case, tuple(e.id for e in config.sections), tables, timeline)
    out: list[ResolvedSection] = []
    for entry in config.sections:
        spec = BLOCKS[entry.id]
        section = _section(spec, entry.heading or spec.heading, entry.anchor or spec.id, 2, fill)
        if section is not None:
            number = len(out) + 1 if config.number_sections else None
            out.append(replace(section, number=number))
    return tuple(out)


def statements(case: Case, entries: tuple[SectionEntry, ...]) -> tuple[ResolvedStatement, ...]:
    """The statements the case fills, in the journal's order."""
    out: list[ResolvedStatement] = []
    for entry in entries:
        spec = STATEMENTS[entry.id]
        fields = tuple(p for path in spec.fields if (p := _prose(case, path)) is not None)
        credited = spec.contributions and any(a.contributions for a in case.authors)
        if fields or credited:
            out.append(ResolvedStatement(spec.id, entry.heading or spec.heading, entry.anchor or spec.anchor,
                                         fields, spec.contributions))
    return tuple(out)


# --------------------------------------------------------------------------- the reading plan


def _front(case: Case, abstract_label: str) -> Iterator[Step]:
    yield Visit(Prose(("title",), case.title), False, "Title")
    abstract = case.abstract
    if isinstance(abstract, StructuredAbstract):
        for part, text in abstract.written():
            yield Visit(Prose(("abstract", part.name), text), False, abstract_label)
    elif isinstance(abstract, Markdown):
        yield Visit(Prose(("abstract",), abstract), True, abstract_label)
    if isinstance(case.keywords, list):
        for i, keyword in enumerate(case.keywords):
            yield Visit(Prose(("keywords", i), keyword), False, "Keywords")


def _section_steps(section: ResolvedSection) -> Iterator[Step]:
    for item in section.items:
        if isinstance(item, SectionProse):
            yield Visit(item.prose, True, section.label)
        elif isinstance(item, SectionFloats):
            yield PlaceHere(item.ids)
        elif isinstance(item, SectionTimeline):
            if item.caption:
                yield Visit(item.caption, False, section.label)
            for entry in item.events:
                yield Visit(entry.event, False, section.label)
    for child in section.children:
        yield from _section_steps(child)


def _end(case: Case) -> Iterator[Step]:
    if case.license and case.license.statement:
        yield Visit(Prose(("license", "statement"), case.license.statement), False, "Licence")
    if case.source and case.source.note:
        yield Visit(Prose(("source", "note"), case.source.note), True, "Source of this reproduction")


def plan(case: Case, body: tuple[ResolvedSection, ...], back: tuple[ResolvedStatement, ...],
         abstract_label: str) -> list[Step]:
    """Every prose field in reading order: the front matter, the body, the floats not yet
    placed, the statements, the licence and the reproduction's note."""
    steps: list[Step] = [*_front(case, abstract_label)]
    for section in body:
        steps += _section_steps(section)
    steps.append(FloatsRemaining())
    for statement in back:
        steps += [Visit(prose, True, statement.heading) for prose in statement.fields]
    steps += _end(case)
    return steps
