"""How the case's values print: dates, relative dates, numbers and reference ranges.

The tables generated from the structured data (timeline, laboratory results,
immunohistochemistry) are built as plain cells by :mod:`casepress.resolve.tables`;
the collection and the templates print dates with :func:`long_date`.
"""

from __future__ import annotations

from datetime import date

from casepress.model import LabResult, Numeral, PartialDate, RelativeDate
from casepress.check.timeline import ResolvedEvent

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


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


def number_text(value: str) -> str:
    """A laboratory value or limit as a table prints it: a number as written (``0.10`` keeps its
    zero), with a true minus sign; text as it is."""
    if isinstance(value, Numeral):
        return value.replace("-", "\u2212")
    return str(value)


def range_text(lab: LabResult) -> str:
    """A reference range as printed: ``125–350``, ``< 0.5``, ``> 50``, or a dash."""
    rr = lab.reference_range
    if rr is None:
        return "—"
    if rr.text:
        return rr.text
    if rr.low is not None and rr.high is not None:
        return f"{number_text(rr.low)}–{number_text(rr.high)}"
    if rr.high is not None:
        return f"< {number_text(rr.high)}"
    if rr.low is not None:
        return f"> {number_text(rr.low)}"
    return "—"


FLAG_MARKS = {"high": "↑", "low": "↓", "abnormal": "*"}
"""How a laboratory table marks an abnormal value."""

