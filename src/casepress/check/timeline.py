"""Timeline dates: resolve month-only and relative dates to intervals, and check their order."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from casepress.core.diagnostics import Diagnostics, FieldPath, did_you_mean
from casepress.core.limits import MAX_YEAR, MIN_YEAR
from casepress.model import PartialDate, RelativeDate, Timeline, TimelineEvent
from casepress.model.dates import UNITS, Precision, coarser

if TYPE_CHECKING:
    from casepress.check.context import CaseContext


@dataclass(frozen=True, slots=True)
class ResolvedEvent:
    """A timeline event with the interval of time it may stand for, and the precision it is known to."""

    event: TimelineEvent
    """The event as written."""
    earliest: datetime
    """First possible instant (an approximate relative date widened by its slack)."""
    latest: datetime
    """Last possible instant (likewise)."""
    precision: Precision
    """How precisely the date is known: a written date's own precision; a relative date's is its
    anchor's or its offset's, whichever is coarser (9 years before a day is a year; 3 hours before
    06:40 is a minute)."""
    named: tuple[datetime, datetime]
    """The interval the date names, before an approximate date's slack: what the table prints."""

    @property
    def approximate(self) -> bool:
        """True when the date is known only to the month or year, or is relative and approximate."""
        d = self.event.date
        if isinstance(d, RelativeDate):
            return d.approximate
        return d.precision in ("year", "month")


def _offset_precision(rel: RelativeDate) -> Precision:
    """How precisely the offset places the event: 'about 12 weeks after' is a month, not a day."""
    precision = UNITS[rel.offset.unit].precision
    if rel.approximate and rel.offset.amount and precision == "day":
        return "month"
    return precision


def _add(moment: datetime, amount: float, unit: str, sign: int) -> datetime:
    """The moment moved by ``amount`` units (``sign`` -1: back); months and years move along the calendar."""
    length = UNITS[unit].length
    if length is not None:
        return moment + sign * amount * length
    months = sign * round(amount * UNITS[unit].months)
    year, month = divmod(moment.month - 1 + months, 12)
    year += moment.year
    return moment.replace(year=year, month=month + 1, day=min(moment.day, calendar.monthrange(year, month + 1)[1]))


_Interval = tuple[datetime, datetime]


def _shift(bounds: _Interval, rel: RelativeDate) -> _Interval:
    """The interval the relative date names (the anchor's, moved by the offset)."""
    sign = 1 if rel.after else -1
    low, high = (_add(b, rel.offset.amount, rel.offset.unit, sign) for b in bounds)
    return (min(low, high), max(low, high))


def _widen(named: _Interval, rel: RelativeDate) -> _Interval:
    """'About a week later' may be a few days either side: widen by a quarter of the offset."""
    if not rel.approximate:
        return named
    low, high = named
    amount, unit = rel.offset.amount, UNITS[rel.offset.unit]
    if unit.length is not None and unit.length < timedelta(days=1):
        # Whole minutes of the width, as whole days below: a minute-known date is not a minute wider.
        width = timedelta(minutes=(high - low) // timedelta(minutes=1))
        slack = max(timedelta(minutes=1), width + amount * unit.length / 4)
    else:
        # Months and years widen by a quarter of 30 days per unit (a year too: not 12 times a month's).
        days = unit.length / timedelta(days=1) if unit.length is not None else 30
        slack = timedelta(days=max(1, int((high - low).days + amount * days / 4)))
    return low - slack, high + slack


@dataclass(frozen=True, slots=True)
class _Dated:
    """What is known of an event's date while the chains of relative dates are followed."""

    named: _Interval
    """The interval the date names."""
    bounds: _Interval
    """The interval it may stand for (approximate dates widened)."""
    precision: Precision
    """How precisely it is known."""

    def moved(self, rel: RelativeDate) -> _Dated:
        """The date of an event ``rel`` places relative to this one."""
        return _Dated(_shift(self.named, rel), _widen(_shift(self.bounds, rel), rel),
                      coarser(self.precision, _offset_precision(rel)))


def resolve_events(
    timeline: Timeline, ctx: CaseContext | None = None, diagnostics: Diagnostics | None = None
) -> list[ResolvedEvent]:
    """Date intervals for every event; reports unknown anchors and events out of order."""
    base = ("timeline", "events")
    ids = [e.id for e in timeline.events if e.id]
    bounds: dict[int, _Dated] = {}
    by_id = {e.id: i for i, e in enumerate(timeline.events) if e.id}
    reported: set[int] = set()
    outside: set[int] = set()  # shifted past the accepted years: not resolved, not shifted further
    for i, event in enumerate(timeline.events):
        rel = event.date
        if isinstance(rel, RelativeDate) and (rel.after or rel.before) not in by_id:
            reported.add(i)
            if ctx is not None and diagnostics is not None:
                path = base + (i, "date", "after" if rel.after else "before")
                _report_undefined(str(rel.after or rel.before), ids, path, ctx, diagnostics)
    # Relative dates may point forwards ('before') or backwards ('after'): follow each chain
    # of anchors once, then date it from its fixed end (linear in the number of events).
    failed: set[int] = set()  # in a circle, or dated from an event with an undefined anchor
    for i in range(len(timeline.events)):
        chain = _chain(i, timeline, by_id, bounds, failed, reported)
        for k in reversed(chain):
            rel = timeline.events[k].date
            assert isinstance(rel, RelativeDate)
            anchor = by_id[rel.after or rel.before]
            if anchor not in bounds:
                failed.add(k)
            elif anchor in outside:
                outside.add(k)  # its anchor's error says it all
                reported.add(k)
                bounds[k] = bounds[anchor]
            else:
                bounds[k] = bounds[anchor].moved(rel)
                if not _in_range(bounds[k].bounds):
                    outside.add(k)
                    reported.add(k)
                    _report_outside(k, timeline.events[k], ctx, diagnostics)
    resolved: list[ResolvedEvent] = []
    latest_start: tuple[datetime, int] | None = None
    for i, event in enumerate(timeline.events):
        if i in outside:
            continue
        if i not in bounds:
            if ctx is not None and diagnostics is not None and i not in reported:
                path = base + (i, "date")
                diagnostics.error(
                    "timeline-cycle", "relative dates refer to each other in a circle", ctx.at(path), path
                )
            continue
        low, high = bounds[i].bounds
        if latest_start is not None and high < latest_start[0] and ctx is not None and diagnostics is not None:
            prev = timeline.events[latest_start[1]]
            path = base + (i, "date")
            diagnostics.error(
                "timeline-order",
                f"event dated {_show(event)} comes after an event dated {_show(prev)}; list events oldest first",
                ctx.at(path), path,
            )
        if latest_start is None or low > latest_start[0]:
            latest_start = (low, i)
        resolved.append(ResolvedEvent(event, low, high, bounds[i].precision, bounds[i].named))
    return resolved


def check_elapsed_from(timeline: Timeline, ctx: CaseContext, diagnostics: Diagnostics) -> None:
    """``elapsed_from`` names an event of the timeline."""
    ids = [e.id for e in timeline.events if e.id]
    origin = timeline.elapsed_from
    if origin is not None and origin not in ids:
        _report_undefined(origin, ids, ("timeline", "elapsed_from"), ctx, diagnostics)


def _report_undefined(name: str, ids: list[str], path: FieldPath, ctx: CaseContext, diagnostics: Diagnostics) -> None:
    """An event id that names no event of the timeline (an anchor, or where elapsed time starts)."""
    diagnostics.error("undefined-ref", f"timeline event '{name}' is not defined (no event has this id)",
                      ctx.at(path), path, did_you_mean(name, ids))


def _chain(i: int, timeline: Timeline, by_id: dict[str | None, int], bounds: dict[int, _Dated],
           failed: set[int], reported: set[int]) -> list[int]:
    """The relative events from ``i`` along its anchors, up to one already settled.

    Absolute dates met on the way go straight into ``bounds``; a circle ends the chain
    (its events then find their anchor unresolved and fail).
    """
    chain: list[int] = []
    seen: set[int] = set()
    j = i
    while j not in bounds and j not in failed and j not in reported and j not in seen:
        date_ = timeline.events[j].date
        if isinstance(date_, PartialDate):
            bounds[j] = _Dated(date_.bounds(), date_.bounds(), date_.precision)
            break
        chain.append(j)
        seen.add(j)
        j = by_id[date_.after or date_.before]
    return chain


def _in_range(bounds: _Interval) -> bool:
    return MIN_YEAR <= bounds[0].year and bounds[1].year <= MAX_YEAR


def _report_outside(i: int, event: TimelineEvent, ctx: CaseContext | None, diagnostics: Diagnostics | None) -> None:
    if ctx is None or diagnostics is None:
        return
    path = ("timeline", "events", i, "date", "offset")
    diagnostics.error(
        "date-range", f"{_show(event)} falls outside the years {MIN_YEAR}-{MAX_YEAR} that casepress accepts",
        ctx.at(path), path,
    )


def _show(event: TimelineEvent) -> str:
    d = event.date
    if isinstance(d, RelativeDate):
        return f"{d.offset} {'after' if d.after else 'before'} '{d.after or d.before}'"
    return str(d)
