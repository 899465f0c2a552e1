"""Timeline dates: resolve month-only and relative dates to intervals, and check their order."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from casepress.core.diagnostics import Diagnostics, did_you_mean
from casepress.core.limits import MAX_YEAR, MIN_YEAR
from casepress.model import PartialDate, RelativeDate, Timeline, TimelineEvent

if TYPE_CHECKING:
    from casepress.check.context import CaseContext


@dataclass(frozen=True, slots=True)
class ResolvedEvent:
    """A timeline event with the interval of days it may stand for."""

    event: TimelineEvent
    """The event as written."""
    earliest: date
    """First possible day."""
    latest: date
    """Last possible day."""

    @property
    def approximate(self) -> bool:
        """True when the date is known only to the month or year, or is relative and approximate."""
        d = self.event.date
        if isinstance(d, RelativeDate):
            return d.approximate
        return d.precision != "day"


def _add(day: date, amount: float, unit: str, sign: int) -> date:
    unit = unit.rstrip("s")
    if unit == "day":
        return day + timedelta(days=sign * amount)
    if unit == "week":
        return day + timedelta(days=sign * 7 * amount)
    months = sign * round(amount * (12 if unit == "year" else 1))
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _shift(bounds: tuple[date, date], rel: RelativeDate) -> tuple[date, date]:
    amount_text, unit = rel.offset.split()
    amount = float(amount_text)
    sign = 1 if rel.after else -1
    low, high = (_add(b, amount, unit, sign) for b in bounds)
    if rel.approximate:
        # 'About a week later' may be a few days either side; widen by a quarter of the offset.
        slack = timedelta(days=max(1, int((high - low).days + amount * {"day": 1, "week": 7}.get(unit.rstrip("s"), 30) / 4)))
        low, high = low - slack, high + slack
    return (min(low, high), max(low, high))


def resolve_events(
    timeline: Timeline, ctx: CaseContext | None = None, diagnostics: Diagnostics | None = None
) -> list[ResolvedEvent]:
    """Date intervals for every event; reports unknown anchors and events out of order."""
    base = ("timeline", "events")
    ids = [e.id for e in timeline.events if e.id]
    bounds: dict[int, tuple[date, date]] = {}
    by_id = {e.id: i for i, e in enumerate(timeline.events) if e.id}
    reported: set[int] = set()
    outside: set[int] = set()  # shifted past the accepted years: not resolved, not shifted further
    for i, event in enumerate(timeline.events):
        rel = event.date
        if isinstance(rel, RelativeDate) and (rel.after or rel.before) not in by_id:
            reported.add(i)
            if ctx is not None and diagnostics is not None:
                path = base + (i, "date", "after" if rel.after else "before")
                anchor = rel.after or rel.before
                diagnostics.error(
                    "undefined-ref", f"timeline event '{anchor}' is not defined (no event has this id)",
                    ctx.at(path), path, did_you_mean(str(anchor), ids),
                )
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
                bounds[k] = _shift(bounds[anchor], rel)
                if not _in_range(bounds[k]):
                    outside.add(k)
                    reported.add(k)
                    _report_outside(k, timeline.events[k], ctx, diagnostics)
    resolved: list[ResolvedEvent] = []
    latest_start: tuple[date, int] | None = None
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
        low, high = bounds[i]
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
        resolved.append(ResolvedEvent(event, low, high))
    return resolved


def _chain(i: int, timeline: Timeline, by_id: dict[str | None, int], bounds: dict[int, tuple[date, date]],
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
            bounds[j] = date_.bounds()
            break
        chain.append(j)
        seen.add(j)
        j = by_id[date_.after or date_.before]
    return chain


def _in_range(bounds: tuple[date, date]) -> bool:
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
