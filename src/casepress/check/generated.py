"""How the case's values print: dates, relative dates, numbers and reference ranges.

The tables generated from the structured data (timeline, laboratory results,
immunohistochemistry) are built as plain cells by :mod:`casepress.resolve.tables`;
the collection and the templates print dates with :func:`long_date`.
"""

from __future__ import annotations

from datetime import date, datetime

from casepress.model import LabResult, PartialDate, RelativeDate
from casepress.check.timeline import ResolvedEvent
from casepress.model.dates import Precision, coarser

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


def _truncated(moment: datetime, precision: Precision) -> tuple[int, ...]:
    """The parts of ``moment`` that ``precision`` knows: (year,), (year, month), ... ."""
    return moment.timetuple()[: {"year": 1, "month": 2, "day": 3, "minute": 5, "second": 6}[precision]]


def moment_text(moment: datetime, precision: Precision) -> str:
    """``2016``, ``June 2026``, ``15 June 2026`` or ``3 November 2025, 06:40`` (24-hour local time)."""
    if precision == "year":
        return str(moment.year)
    if precision == "month":
        return f"{MONTHS[moment.month - 1]} {moment.year}"
    day = f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"
    if precision == "day":
        return day
    return f"{day}, {clock_text(moment, precision)}"


def clock_text(moment: datetime, precision: Precision) -> str:
    """The time of day: ``06:40`` (or ``06:40:15`` to the second)."""
    return f"{moment:%H:%M:%S}" if precision == "second" else f"{moment:%H:%M}"


def interval_text(low: datetime, high: datetime, precision: Precision) -> str:
    """An interval at a precision, sharing what both ends share: ``2016``, ``April–May 2013``,
    ``2–3 November 2025``, ``3 November 2025, 22:40–23:10``."""
    if _truncated(low, precision) == _truncated(high, precision):
        return moment_text(low, precision)
    if precision == "year":
        return f"{low.year}–{high.year}"
    if precision == "month":
        if low.year == high.year:
            return f"{MONTHS[low.month - 1]}–{MONTHS[high.month - 1]} {low.year}"
        return f"{moment_text(low, precision)}–{moment_text(high, precision)}"
    if precision == "day" and (low.year, low.month) == (high.year, high.month):
        return f"{low.day}–{high.day} {MONTHS[low.month - 1]} {low.year}"
    if precision == "day" and low.year == high.year:
        return f"{low.day} {MONTHS[low.month - 1]}–{high.day} {MONTHS[high.month - 1]} {low.year}"
    if precision != "day" and low.date() == high.date():
        return f"{moment_text(low, 'day')}, {clock_text(low, precision)}–{clock_text(high, precision)}"
    return f"{moment_text(low, precision)}–{moment_text(high, precision)}"


def long_date(value: date | PartialDate | str) -> str:
    """24 February 2024, February 2024, 2024 or 3 November 2025, 06:40."""
    if isinstance(value, datetime):
        return moment_text(value, "second" if value.second else "minute")
    if isinstance(value, date):
        return moment_text(datetime.combine(value, datetime.min.time()), "day")
    moment = PartialDate(str(value))
    return moment_text(moment.start, moment.precision)


def describe_event_date(resolved: ResolvedEvent, previous: ResolvedEvent | None = None, offset: bool = True) -> str:
    """How an event's date prints: at the precision it is known, a relative date followed by its
    offset (``2016 (9 years before)``, ``3 November 2025, 03:40 (3 hours before)``). Given the
    event printed above it, a time on that same day prints alone (``06:48``), as a table lists a day.
    Without ``offset`` (a table that has a column of elapsed time), an approximate date is ``about …``."""
    d = resolved.event.date
    low, high = resolved.named
    if previous is not None and _same_day(resolved, previous):
        first, last = clock_text(low, resolved.precision), clock_text(high, resolved.precision)
        when = first if first == last else f"{first}–{last}"
    else:
        when = interval_text(low, high, resolved.precision)
    if isinstance(d, PartialDate):
        return when
    assert isinstance(d, RelativeDate)
    if not offset:
        return f"about {when}" if d.approximate else when
    if d.offset.amount == 0:
        # 'At the same time as' another event: the date is the anchor's, approximate or not.
        return f"{when} (approximately)" if d.approximate else when
    prefix = "about " if d.approximate else ""
    return f"{when} ({prefix}{d.offset} {'after' if d.after else 'before'})"


def _same_day(event: ResolvedEvent, previous: ResolvedEvent) -> bool:
    """Both are known to the minute and fall on one calendar day (the event's interval included)."""
    return (event.precision in ("minute", "second") and previous.precision in ("minute", "second")
            and event.named[0].date() == event.named[1].date() == previous.named[1].date())


def _signed(n: int) -> str:
    return f"\u2212{-n}" if n < 0 else str(n)


def _calendar_months(low: datetime, high: datetime) -> int:
    """Whole calendar months from ``low`` to ``high`` (negative when ``high`` is earlier), toward zero."""
    months = (high.year - low.year) * 12 + high.month - low.month
    if months > 0 and (high.day, high.time()) < (low.day, low.time()):
        months -= 1
    elif months < 0 and (high.day, high.time()) > (low.day, low.time()):
        months += 1
    return months


def _counted_moment(event: ResolvedEvent, precision: Precision) -> datetime:
    """Where elapsed time is counted from or to: the middle of the interval the event's date names,
    cut to ``precision`` (a day-known date has no time of day, a year-known one no month: counting
    from 1 January would make 2026 'Year 0' after March 2025; the middle keeps '3 hours before a
    day-known event' on that day rather than the day before)."""
    low, high = event.named
    parts = _truncated(low + (high - low) / 2, precision)
    return datetime(*parts, *(1, 1)[len(parts) - 1:])


def elapsed_text(event: ResolvedEvent, origin: ResolvedEvent) -> str:
    """The time from ``origin`` (Hour 0) to ``event`` as a timeline column prints it, in the unit
    both are known to: ``+30 min``, ``Hour 3``, ``Day 2``, ``Month 6``, ``Year −9``; whole units
    counted toward zero, so ``Day 2`` is the third day (hours in halves: ``Hour 1.5`` is 90 to 119 minutes).
    Approximate dates get ``≈``."""
    precision = coarser(event.precision, origin.precision)
    start, zero = _counted_moment(event, precision), _counted_moment(origin, precision)
    approx = "≈ " if event.approximate or _truncated(event.named[0], event.precision) != _truncated(
        event.named[1], event.precision) else ""
    months = _calendar_months(zero, start)
    if precision in ("year", "month") or abs(months) >= 2:
        if precision == "year" or abs(months) >= 24:
            return f"{approx}Year {_signed(int(months / 12))}"
        return f"{approx}Month {_signed(months)}"
    if precision == "day":
        return f"{approx}Day {_signed((start.date() - zero.date()).days)}"
    minutes = round((start - zero).total_seconds() / 60)
    if minutes == 0:
        return f"{approx}Hour 0"
    if abs(minutes) < 60:
        return f"{approx}{'+' if minutes > 0 else chr(0x2212)}{abs(minutes)} min"
    if abs(minutes) < 48 * 60:
        half_hours = int(minutes / 30)  # 'Hour 1.5': half hours, toward zero like the days and months
        hours = str(abs(half_hours) // 2) + (".5" if half_hours % 2 else "")
        return f"{approx}Hour {chr(0x2212) if half_hours < 0 else ''}{hours}"
    return f"{approx}Day {_signed(int(minutes / 1440))}"


def number_text(value: float | str) -> str:
    """A value as a table prints it: no trailing zeros, a true minus sign."""
    if isinstance(value, float):
        text = f"{value:g}" if abs(value) < 1e6 else f"{value:.0f}"
        return text.replace("-", "\u2212")
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

