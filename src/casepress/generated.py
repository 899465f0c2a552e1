"""Tables generated from the case's structured data: timeline, laboratory results, IHC.

Each builder returns a :class:`TableData` whose cells are safe HTML (field values
escaped here, prose rendered by the caller's ``inline`` function), so every
journal template renders generated and inline tables with the same partial.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup, escape

from .model import Case, Immunohistochemistry, LabResult, PartialDate, RelativeDate, Timeline
from .timeline import ResolvedEvent, resolve_events

Inline = Callable[[str, tuple[str | int, ...]], Markup]
"""Renders inline prose found at a field path."""

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


@dataclass(frozen=True)
class Cell:
    """One table cell."""

    html: Markup
    """Its content, safe HTML."""
    header: bool = False
    """True for a row header (<th scope="row">)."""
    classes: str = ""
    """CSS classes, e.g. ``abnormal``."""


@dataclass(frozen=True)
class TableData:
    """A table ready for the template."""

    columns: list[Markup]
    """Column headings."""
    rows: list[list[Cell]]
    """Rows of cells."""
    notes: list[Markup] = field(default_factory=list)
    """Footnotes, printed under the table."""


def long_date(value: date | PartialDate | str) -> str:
    """24 February 2024, February 2024 or 2024."""
    if isinstance(value, date):
        return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    parts = [int(p) for p in str(value).split("-")]
    if len(parts) == 3:
        return f"{parts[2]} {MONTHS[parts[1] - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[parts[1] - 1]} {parts[0]}"
    return str(parts[0])


def describe_event_date(resolved: ResolvedEvent) -> str:
    """How the timeline table prints an event's date."""
    d = resolved.event.date
    if isinstance(d, PartialDate):
        return long_date(d)
    assert isinstance(d, RelativeDate)
    relation = f"{d.offset} {'after' if d.after else 'before'}"
    low, high = resolved.earliest, resolved.latest
    if (low.year, low.month) == (high.year, high.month):
        when = f"{MONTHS[low.month - 1]} {low.year}" if low != high else long_date(low)
    elif low.year == high.year:
        when = f"{MONTHS[low.month - 1]}–{MONTHS[high.month - 1]} {low.year}"
    else:
        when = f"{MONTHS[low.month - 1]} {low.year}–{MONTHS[high.month - 1]} {high.year}"
    prefix = "about " if d.approximate else ""
    if float(d.offset.split()[0]) == 0:
        # 'At the same time as' another event: the date is the anchor's, approximate or not.
        return f"{when} (approximately)" if d.approximate else when
    return f"{when} ({prefix}{relation})"


def timeline_table(timeline: Timeline, inline: Inline) -> TableData:
    """Date | Event | Kind, one row per event."""
    rows = []
    for index, resolved in enumerate(resolve_events(timeline)):
        event = resolved.event
        original = timeline.events.index(event)
        rows.append([
            Cell(Markup(escape(describe_event_date(resolved))), header=True, classes="date"),
            Cell(inline(event.text, ("timeline", "events", original, "text"))),
            Cell(Markup(escape(event.kind.capitalize().replace("-", " ")))),
        ])
    notes = []
    if any(isinstance(e.date, RelativeDate) for e in timeline.events):
        notes.append(Markup("Dates in parentheses are given in the report relative to another event."))
    return TableData([Markup("Date"), Markup("Event"), Markup("Type")], rows, notes)


def _number(value: float | str) -> str:
    if isinstance(value, float):
        text = f"{value:g}" if abs(value) < 1e6 else f"{value:.0f}"
        return text.replace("-", "\u2212")
    return str(value)


def _range_text(lab: LabResult) -> str:
    rr = lab.reference_range
    if rr is None:
        return "—"
    if rr.text:
        return rr.text
    if rr.low is not None and rr.high is not None:
        return f"{_number(rr.low)}–{_number(rr.high)}"
    if rr.high is not None:
        return f"< {_number(rr.high)}"
    if rr.low is not None:
        return f"> {_number(rr.low)}"
    return "—"


_FLAG_MARK = {"high": "↑", "low": "↓", "abnormal": "*"}


def laboratory_table(results: list[LabResult]) -> TableData:
    """Analyte | Date | Result | Reference range, abnormal values marked."""
    rows = []
    for lab in results:
        flag = lab.derived_flag
        mark = _FLAG_MARK.get(flag or "", "")
        unit = f"\u00a0{lab.unit}" if lab.unit else ""
        value = f"{_number(lab.value)}{unit}"
        value_html = Markup(f"<strong>{escape(value)}\u00a0{mark}</strong>") if mark else Markup(escape(value))
        if lab.note:
            value_html += Markup(f"<br><span class=\"lab-note\">{escape(lab.note)}</span>")
        range_text = _range_text(lab)
        if range_text != "—" and lab.unit:
            range_text = f"{range_text}\u00a0{lab.unit}"
        analyte = Markup(escape(lab.analyte))
        if lab.specimen:
            analyte += Markup(f" <span class=\"specimen\">({escape(lab.specimen)})</span>")
        rows.append([
            Cell(analyte, header=True),
            Cell(Markup(escape(long_date(lab.date))) if lab.date else Markup("—"), classes="date"),
            Cell(value_html, classes=f"value {'abnormal' if mark else ''}".strip()),
            Cell(Markup(escape(range_text))),
        ])
    notes = [Markup("↑ above, ↓ below the reference range.")] if any(
        lab.derived_flag in ("high", "low") for lab in results
    ) else []
    described = sorted({
        "; ".join(p for p in (rr.population, rr.source) if p)
        for lab in results
        if (rr := lab.reference_range) is not None and (rr.population or rr.source)
    })
    for text in described:
        notes.append(Markup(escape(f"Reference ranges: {text}.")))
    return TableData(
        [Markup("Analyte"), Markup("Date"), Markup("Result"), Markup("Reference range")], rows, notes
    )


def ihc_table(ihc: Immunohistochemistry) -> TableData:
    """Marker × specimen: one row per marker, one column per specimen."""
    columns = [Markup("Marker")]
    for specimen in ihc.specimens:
        heading = escape(specimen.label)
        if specimen.date:
            heading += Markup(f"<br><span class=\"specimen-date\">{escape(long_date(specimen.date))}</span>")
        columns.append(Markup(heading))
    rows = []
    untested = False
    for marker in ihc.markers:
        row = [Cell(Markup(escape(marker.marker)), header=True)]
        for specimen in ihc.specimens:
            result = marker.results.get(specimen.id)
            if result is None:
                untested = True
            row.append(Cell(Markup(escape(result)) if result is not None else Markup("—"), classes="result"))
        rows.append(row)
    notes = [Markup("— not tested.")] if untested else []
    return TableData(columns, rows, notes)


def build_table(kind: str, case: Case, inline: Inline) -> TableData:
    """The generated table of ``kind`` (timeline, laboratory, immunohistochemistry)."""
    if kind == "timeline":
        assert isinstance(case.timeline, Timeline)
        return timeline_table(case.timeline, inline)
    assert case.diagnostic_assessment is not None
    if kind == "laboratory":
        return laboratory_table(case.diagnostic_assessment.laboratory)
    assert case.diagnostic_assessment.immunohistochemistry is not None
    return ihc_table(case.diagnostic_assessment.immunohistochemistry)
