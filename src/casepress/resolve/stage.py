"""Stage 4, resolve: a checked case arranged for one journal, with every number decided.

    sections and statements (journal.yaml)  ->  the reading plan  ->  the walk (numbers,
    citation order, placement)  ->  citations formatted (CSL)  ->  floats and tables as data

Nothing here renders HTML; see :class:`~casepress.stages.resolved.ResolvedCase`.
"""

from __future__ import annotations

from pathlib import Path

from casepress.core.diagnostics import Diagnostics
from casepress.check.generated import describe_event_date, elapsed_text
from casepress.journals.journal import Journal, Labels
from casepress.model import Case, Figure, RelativeDate, Table, Timeline
from casepress.journals.number import crossref_label, letter_runs
from casepress.text.prose import plain_text
from casepress.stages.checked import CheckedCase
from casepress.stages.resolved import (
    BlockSite,
    CitationCluster,
    CrossRefLabel,
    GeneratedImage,
    GroupId,
    Inline,
    Panel,
    Placements,
    Prose,
    ResolvedCase,
    ResolvedFigure,
    ResolvedGroup,
    ResolvedSection,
    ResolvedTable,
    SectionFloats,
    TimelineEntry,
)
from casepress.check.timeline import ResolvedEvent, resolve_events
from casepress.resolve.citations import bibliography, format_citations
from casepress.resolve.layout import plan, sections, statements
from casepress.resolve.tables import table_cells
from casepress.resolve.timeline_figure import timeline_figure
from casepress.resolve.walk import FloatRef, Walk, case_floats


def resolve(checked: CheckedCase, journal: Journal, diagnostics: Diagnostics) -> ResolvedCase | None:
    """Arrange and number the case for ``journal``; None (with diagnostics) when the citation
    style is unknown or cannot format an entry."""
    case, config = checked.case, journal.config
    processor = bibliography(checked, journal, diagnostics)
    if processor is None:
        return None
    timeline = timeline_entries(case)
    body = sections(case, config, timeline)
    back = statements(case, config.statements)
    labels = {"figure": config.labels.figure_caption, "table": config.labels.table_caption}
    walk = Walk(case, case_floats(case), labels, config.floats == "end", frozenset(_held(body)))
    walk.run(plan(case, body, back, config.labels.abstract))
    formatted = format_citations(checked, processor, list(walk.clusters.values()), diagnostics)
    if formatted is None:
        return None
    clusters, references = formatted
    figures, tables = _floats(walk, timeline)
    if not _generated_names_free(checked, figures, diagnostics):
        return None
    return ResolvedCase(
        checked=checked,
        journal=journal,
        sections=body,
        statements=back,
        figures=figures,
        tables=tables,
        groups=_groups(walk, dict(zip(walk.clusters, clusters, strict=True)), config.labels),
        references=references,
        numeric_citations=processor.numeric,
        placements=_placements(walk),
        timeline=timeline,
        affiliation_numbers=affiliation_numbers(case),
        landmarks=tuple(walk.landmarks),
    )


def _held(body: tuple[ResolvedSection, ...]) -> list[str]:
    held: list[str] = []
    for section in body:
        held += [i for item in section.items if isinstance(item, SectionFloats) for i in item.ids]
        held += _held(section.children)
    return held


def timeline_entries(case: Case) -> tuple[TimelineEntry, ...]:
    """The timeline's events with their dates resolved, as printed."""
    timeline = case.timeline
    if not isinstance(timeline, Timeline):
        return ()
    events = timeline.events
    by_id = {e.id: e for e in events if e.id}
    resolved = resolve_events(timeline)
    origin = next((r for r in resolved if timeline.elapsed_from and r.event.id == timeline.elapsed_from), None)
    out: list[TimelineEntry] = []
    previous: ResolvedEvent | None = None
    for r in resolved:
        event, d = r.event, r.event.date
        relation = None
        if isinstance(d, RelativeDate):
            anchor = by_id.get(d.after or d.before)
            relation = f"{d.offset} {'after' if d.after else 'before'} “{plain_text(str(anchor.text)) if anchor else ''}”"
        out.append(TimelineEntry(
            Prose(("timeline", "events", events.index(event), "text"), event.text),
            event.kind.capitalize().replace("-", " "),
            describe_event_date(r),
            relation,
            isinstance(d, RelativeDate) and d.approximate,
            r.earliest,
            r.latest,
            r.precision,
            describe_event_date(r, previous, offset=origin is None),
            elapsed_text(r, origin) if origin is not None else None,
        ))
        previous = r
    return tuple(out)


def affiliation_numbers(case: Case) -> dict[str, int]:
    """Affiliations numbered in order of first appearance in the byline."""
    numbers: dict[str, int] = {}
    for author in case.authors:
        for ident in author.affiliations:
            numbers.setdefault(ident, len(numbers) + 1)
    for aff in case.affiliations:
        numbers.setdefault(aff.id, len(numbers) + 1)
    return numbers


def _groups(walk: Walk, clusters: dict[GroupId, tuple[Inline, ...]], labels: Labels) -> dict[GroupId, ResolvedGroup]:
    groups: dict[GroupId, ResolvedGroup] = {}
    for ident in [*walk.clusters, *(i for i in walk.crossrefs if i not in walk.clusters)]:
        citation = CitationCluster(walk.clusters[ident], clusters[ident]) if ident in walk.clusters else None
        crossrefs: list[CrossRefLabel] = []
        refs = walk.crossrefs.get(ident, ())
        for kind in ("figure", "table"):
            of_kind = [r for r in refs if r.kind == kind]
            if of_kind:
                word, parts = crossref_label(of_kind, walk.numbers, labels)
                crossrefs.append(CrossRefLabel(kind, word, tuple(parts)))  # type: ignore[arg-type]
        groups[ident] = ResolvedGroup(citation, tuple(crossrefs))
    return groups


def _figure(ref: FloatRef, number: int, label: str, case: Case, timeline: tuple[TimelineEntry, ...]) -> ResolvedFigure:
    fig = ref.obj
    assert isinstance(fig, Figure)
    panels = tuple(
        Panel(letter_runs(p.letters), tuple(p.letters),
              Prose((*ref.path, "panels", j, "caption"), p.caption) if p.caption else None, p.file, p.alt)
        for j, p in enumerate(fig.panels)
    )
    caption = Prose((*ref.path, "caption"), fig.caption) if fig.caption else None
    image = None
    if fig.generate == "timeline":
        drawn = timeline_figure(timeline, case, fig.width, fig.id)
        alt = fig.alt or drawn.alt
        image = GeneratedImage(f"figures/{fig.id}.svg", ('<?xml version="1.0" encoding="UTF-8"?>\n' + drawn.svg).encode(),
                               drawn.svg, alt)
    return ResolvedFigure(fig, ref.path, number, label, caption, panels, image)


def _generated_names_free(checked: CheckedCase, figures: tuple[ResolvedFigure, ...], diagnostics: Diagnostics) -> bool:
    """A generated figure's file (``figures/<id>.svg``) is no image of the case's own (which the
    output folder holds under its case-relative name); an error at its ``generate`` when it is.
    Names compare without case, as a macOS or Windows folder compares them."""
    owners: dict[str, str] = {}
    for fig in checked.case.figures:
        for name in (fig.file, *(p.file for p in fig.panels)):
            if name:
                owners.setdefault(Path(name).as_posix().casefold(), fig.id)
    ok = True
    for fig in figures:
        owner = owners.get(fig.image.name.casefold()) if fig.image is not None else None
        if fig.image is not None and owner is not None:
            path = (*fig.path, "generate")
            diagnostics.error("generated-name-taken", f"figure '{fig.id}' is drawn into {fig.image.name}, which is "
                              f"also an image of figure '{owner}'", checked.doc.location(path), path,
                              "rename that image file, or give the generated figure another id")
            ok = False
    return ok


def _table(ref: FloatRef, number: int, label: str, case: Case, timeline: tuple[TimelineEntry, ...]) -> ResolvedTable:
    table = ref.obj
    assert isinstance(table, Table)
    cells = table_cells(table, ref.path, case, timeline)
    notes = Prose((*ref.path, "notes"), table.notes) if table.notes else None
    return ResolvedTable(table, ref.path, number, label, Prose((*ref.path, "caption"), table.caption),
                         cells.columns, cells.rows, cells.footnotes, notes)


def _floats(walk: Walk, timeline: tuple[TimelineEntry, ...]) -> tuple[tuple[ResolvedFigure, ...], tuple[ResolvedTable, ...]]:
    order = sorted(walk.floats, key=lambda i: walk.numbers[i])
    figures = tuple(
        _figure(walk.floats[i], walk.numbers[i], walk.labels["figure"].format(n=walk.numbers[i]), walk.case, timeline)
        for i in order if walk.floats[i].kind == "figure"
    )
    tables = tuple(
        _table(walk.floats[i], walk.numbers[i], walk.labels["table"].format(n=walk.numbers[i]), walk.case, timeline)
        for i in order if walk.floats[i].kind == "table"
    )
    return figures, tables


def _placements(walk: Walk) -> Placements:
    after: dict[BlockSite, tuple[str, ...]] = {}
    for float_id, site in walk.sites.items():
        if isinstance(site, BlockSite):
            after[site] = (*after.get(site, ()), float_id)
    return Placements(
        after_block=after,
        in_sections=frozenset(i for i, s in walk.sites.items() if s == "section"),
        at_end=tuple(i for i, s in walk.sites.items() if s == "end"),
    )
