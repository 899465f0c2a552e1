"""Tables as plain cells with their flags: the generated ones (timeline, laboratory results,
immunohistochemistry) and the case's inline tables. How values print (dates, numbers,
ranges) comes from :mod:`casepress.check.generated`; what a writer does with a flag is its own
business (the HTML writer: classes and bold)."""

from __future__ import annotations

from dataclasses import dataclass

from casepress.check.generated import FLAG_MARKS, long_date, number_text, range_text
from casepress.model import Case, Immunohistochemistry, Intervention, LabResult, Table, Timeline
from casepress.stages.resolved import Cell, CellPart, CellText, FieldPath, LineBreak, Prose, TimelineEntry
from casepress.resolve.timeline_figure import short_label
from casepress.text.prose import plain_text

RANGE_NOTE = "↑ above, ↓ below the reference range."
RELATIVE_NOTE = "Dates in parentheses are given in the report relative to another event."


@dataclass(frozen=True, slots=True)
class TableCells:
    """A table's head, body and the notes the generator adds."""

    columns: tuple[Cell, ...]
    """Column headings."""
    rows: tuple[tuple[Cell, ...], ...]
    """Body rows."""
    footnotes: tuple[str, ...]
    """What the table's marks mean."""


def _heads(*names: str) -> tuple[Cell, ...]:
    return tuple(Cell((CellText(n),), header=True) for n in names)


def timeline_cells(timeline: tuple[TimelineEntry, ...], relative: bool, origin: str | None = None) -> TableCells:
    """Date | Event | Type, one row per event; with an ``origin`` (the text of the event time is
    counted from), a first column of elapsed time."""
    elapsed = origin is not None and all(e.elapsed is not None for e in timeline)
    rows = tuple(
        ((Cell((CellText(e.elapsed or ""),), header=True, kind="date"),) if elapsed else ())
        + (Cell((CellText(e.table_date_text),), header=not elapsed, kind="date"), Cell((e.event,)), Cell((CellText(e.kind),)))
        for e in timeline
    )
    notes = ((f"Time is counted from {origin} (Hour 0).",) if elapsed else ()) + ((RELATIVE_NOTE,) if relative and not elapsed else ())
    return TableCells(_heads(*(("Time",) if elapsed else ()), "Date", "Event", "Type"), rows, notes)


def _lab_row(lab: LabResult) -> tuple[Cell, ...]:
    flag = lab.derived_flag
    mark = FLAG_MARKS.get(flag or "", "")
    unit = f"\u00a0{lab.unit}" if lab.unit else ""
    value = f"{number_text(lab.value)}{unit}"
    value_parts: list[CellPart] = [CellText(f"{value}\u00a0{mark}", strong=True) if mark else CellText(value)]
    if lab.note:
        value_parts += [LineBreak(), CellText(lab.note, role="lab-note")]
    limits = range_text(lab)
    if limits != "—" and lab.unit:
        limits = f"{limits}\u00a0{lab.unit}"
    analyte: list[CellPart] = [CellText(lab.analyte)]
    if lab.specimen:
        analyte += [CellText(" "), CellText(f"({lab.specimen})", role="specimen")]
    return (
        Cell(tuple(analyte), header=True),
        Cell((CellText(long_date(lab.date) if lab.date else "—"),), kind="date"),
        Cell(tuple(value_parts), kind="value", flag=flag if mark else None),  # type: ignore[arg-type]
        Cell((CellText(limits),)),
    )


def laboratory_cells(results: list[LabResult]) -> TableCells:
    """Analyte | Date | Result | Reference range, abnormal values flagged."""
    notes = [RANGE_NOTE] if any(lab.derived_flag in ("high", "low") for lab in results) else []
    described = sorted({
        "; ".join(p for p in (rr.population, rr.source) if p)
        for lab in results
        if (rr := lab.reference_range) is not None and (rr.population or rr.source)
    })
    notes += [f"Reference ranges: {text}." for text in described]
    return TableCells(_heads("Analyte", "Date", "Result", "Reference range"),
                      tuple(_lab_row(lab) for lab in results), tuple(notes))


def ihc_cells(ihc: Immunohistochemistry) -> TableCells:
    """Marker × specimen: one row per marker, one column per specimen."""
    columns = [Cell((CellText("Marker"),), header=True)]
    for specimen in ihc.specimens:
        parts: list[CellPart] = [CellText(specimen.label)]
        if specimen.date:
            parts += [LineBreak(), CellText(long_date(specimen.date), role="specimen-date")]
        columns.append(Cell(tuple(parts), header=True))
    rows = []
    untested = False
    for marker in ihc.markers:
        row = [Cell((CellText(marker.marker),), header=True)]
        for specimen in ihc.specimens:
            result = marker.results.get(specimen.id)
            untested = untested or result is None
            row.append(Cell((CellText(result if result is not None else "—"),), kind="result"))
        rows.append(tuple(row))
    return TableCells(tuple(columns), tuple(rows), ("— not tested.",) if untested else ())


INTERVENTION_COLUMNS = (
    ("Intervention", "name"), ("Dose", "dose"), ("Route", "route"), ("Frequency", "frequency"),
    ("Duration", "duration"), ("Started", "date"),
)
"""The interventions table's columns: heading and ``Intervention`` field."""
NOT_STATED = "— not stated."
"""The interventions table's note when a cell is a dash."""


def _intervention_text(intervention: Intervention, name: str) -> str:
    value = getattr(intervention, name)
    if value is None:
        return "—"
    return long_date(value) if name == "date" else str(value)


def intervention_cells(interventions: list[Intervention]) -> TableCells:
    """Intervention | Dose | Route | Frequency | Duration | Started, one row per intervention,
    headed by its name; a column that no intervention fills is left out (the table stays compact)."""
    kept = [(heading, name) for heading, name in INTERVENTION_COLUMNS
            if name == "name" or any(getattr(i, name) is not None for i in interventions)]
    rows = tuple(
        tuple(Cell((CellText(_intervention_text(i, name)),), header=name == "name",
                   kind="date" if name == "date" else "")
              for _, name in kept)
        for i in interventions
    )
    missing = any(getattr(i, name) is None for i in interventions for _, name in kept)
    return TableCells(_heads(*(heading for heading, _ in kept)), rows, (NOT_STATED,) if missing else ())


def inline_cells(table: Table, path: FieldPath) -> TableCells:
    """An inline table: its headings as text, its cells as prose (the first column heads its row)."""
    columns = tuple(Cell((CellText(c),), header=True) for c in table.columns or [])
    rows = tuple(
        tuple(Cell((Prose((*path, "rows", r, c), cell),), header=(c == 0)) for c, cell in enumerate(row))
        for r, row in enumerate(table.rows or [])
    )
    return TableCells(columns, rows, ())


def elapsed_origin(case: Case) -> str | None:
    """The event the timeline counts time from, as a table note names it (its text up to a colon)."""
    timeline = case.timeline
    if not isinstance(timeline, Timeline) or timeline.elapsed_from is None:
        return None
    event = next((e for e in timeline.events if e.id == timeline.elapsed_from), None)
    if event is None:
        return None
    text = short_label(plain_text(str(event.text)))
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def table_cells(table: Table, path: FieldPath, case: Case, timeline: tuple[TimelineEntry, ...]) -> TableCells:
    """The cells of any table of the case."""
    if table.generate == "timeline":
        relative = any(e.relation is not None for e in timeline)
        return timeline_cells(timeline, relative, elapsed_origin(case))
    if table.generate is None:
        return inline_cells(table, path)
    da = case.diagnostic_assessment
    assert da is not None
    if table.generate == "laboratory":
        return laboratory_cells(da.laboratory)
    assert da.immunohistochemistry is not None
    return ihc_cells(da.immunohistochemistry)
