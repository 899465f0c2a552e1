"""The timeline figure: the timeline's events drawn as an SVG on a broken time axis.

Time runs down the figure. The axis is cut into segments where the events' scale changes
(years of history, then hours of an admission, then months of follow-up); each segment is
linear, labelled in its own unit, and separated from the next by a break mark with the time
skipped. Events are dots coloured by kind (hollow when the date is approximate or coarser
than the segment shows), interventions with a duration are bars, and every label sits in one
column to the right, pushed apart so that no two overlap (:func:`place_labels`). The text is
SVG text, so the PDF keeps it selectable; the alt text is generated from the events.

Everything is computed on datetimes, so date-times and hour offsets need no change here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from casepress.model import Case, Intervention, PartialDate, TherapeuticIntervention
from casepress.model.dates import DURATION_UNITS, DurationUnit
from casepress.stages.resolved import TimelineEntry
from casepress.text.prose import plain_text

KIND_COLOURS: dict[str, str] = {
    "history": "#5a5a5a",
    "presentation": "#b3261e",
    "test": "#1f5fa8",
    "diagnosis": "#7b3294",
    "intervention": "#1b7837",
    "outcome": "#a15c00",
    "follow-up": "#00707a",
    "other": "#444444",
}
"""One colour per event kind; each has a contrast of at least 4.5:1 on white (WCAG AA)."""

FONT = 6.5
"""Label size in points (the SVG's units are points, drawn at the column's width)."""
LINE = FONT * 1.25
"""Label line height."""
WIDTHS = {"column": 244.0, "page": 505.0}
"""The figure's width in points: one column, or the page, of an A4 page with the base margins."""
AXIS_X = 58.0
"""Where the axis runs (tick labels to its left)."""
GAP = 1.5
"""Vertical space between two labels."""
BREAK = 16.0
"""Height of the break between two segments."""
MAX_BREAKS = 12
"""The candidate places for a break: the largest relative gaps."""


@dataclass(frozen=True, slots=True)
class Item:
    """Something drawn on the axis: an event (a point) or an intervention with a duration (a bar)."""

    label: str
    """Its short label."""
    text: str
    """Its full text (for the alt text)."""
    kind: str
    """The event kind (``intervention`` for a bar)."""
    start: datetime
    """The first moment it may stand for."""
    end: datetime
    """The last moment (the end of a bar)."""
    approximate: bool
    """Its date is approximate or known only coarsely."""
    span: bool = False
    """A bar: an intervention with a duration."""

    @property
    def at(self) -> datetime:
        """Where a point is drawn: the middle of its interval (a bar: its start)."""
        return self.start if self.span else self.start + (self.end - self.start) / 2


@dataclass(frozen=True, slots=True)
class Segment:
    """A linear stretch of the axis."""

    start: datetime
    """Its first moment."""
    end: datetime
    """Its last moment."""
    unit: str
    """``years``, ``months``, ``days`` or ``hours``: how its ticks are labelled."""


@dataclass(frozen=True, slots=True)
class Box:
    """A label's box in the SVG's coordinates."""

    x: float
    y: float
    width: float
    height: float

    def overlaps(self, other: Box) -> bool:
        """True when the two boxes share any area."""
        return (self.x < other.x + other.width and other.x < self.x + self.width
                and self.y < other.y + other.height and other.y < self.y + self.height)


@dataclass(frozen=True, slots=True)
class TimelineFigure:
    """The drawn figure."""

    svg: str
    """The SVG document (no XML declaration, so it can be inlined in HTML)."""
    alt: str
    """The alt text, generated from the events."""
    segments: tuple[Segment, ...]
    """The axis segments."""
    label_boxes: tuple[Box, ...]
    """Every text's box (labels, ticks, segment headings), for the overlap test."""


# --------------------------------------------------------------------------- items


def short_label(text: str, limit: int = 60) -> str:
    """The event's text up to its first colon or semicolon, cut at a word near ``limit`` characters."""
    head = re.split(r"[;:]\s", text, maxsplit=1)[0].strip()
    if len(head) <= limit:
        return head
    return head[: head.rfind(" ", 0, limit)].rstrip(",") + "…"


_WORDS: dict[str, DurationUnit] = {word: u for u in DURATION_UNITS for word in (u.plural, u.name)}
"""The words a duration in prose names its unit with. Not the abbreviations: in prose such as
``3 h infusion`` or ``10 min`` the figure does not take them for a unit (lower case only, as before)."""
_DURATION = re.compile(r"^(?:about |approximately |~)?(\d+(?:\.\d+)?) (" + "|".join(map(re.escape, _WORDS)) + r")\b")


def duration_of(text: str | None) -> timedelta | None:
    """A duration written as ``7 days``, ``about 65 hours``, ``5 days, weaned …``; None otherwise."""
    match = _DURATION.match(text or "")
    if not match:
        return None
    return timedelta(days=float(match.group(1)) * _WORDS[match.group(2)].average_days)


def _spans(case: Case) -> list[Item]:
    ti = case.therapeutic_intervention
    interventions: list[Intervention] = ti.interventions if isinstance(ti, TherapeuticIntervention) else []
    out = []
    for iv in interventions:
        length = duration_of(iv.duration)
        if iv.date is None or length is None:
            continue
        start = PartialDate(iv.date).start
        out.append(Item(short_label(iv.name, 40), f"{iv.name} for {iv.duration}", "intervention",
                        start, start + length, False, span=True))
    return out


# --------------------------------------------------------------------------- the axis


def _unit(span: timedelta) -> str:
    if span <= timedelta(days=3):
        return "hours"
    if span <= timedelta(days=75):
        return "days"
    if span <= timedelta(days=3 * 366):
        return "months"
    return "years"


def _crowding(times: Sequence[float]) -> float:
    """How far, in lines, labels one line high must be pushed from their points on a linear
    stretch holding these points (as tall as the labels need)."""
    if len(times) < 2:
        return 0.0
    span = (times[-1] - times[0]) or 1.0
    n = len(times)
    if len(set(times)) > 2 and max(b - a for a, b in zip(times, times[1:])) > 0.75 * span:
        return 1e6  # most of the stretch is empty: that is what a break is for
    ideal = [(t - times[0]) / span * n - 0.5 for t in times]
    placed = place_labels(ideal, [1.0] * n, -0.5, n - 0.5, gap=0.0)
    return sum(abs(a - b) for a, b in zip(ideal, placed))


def segment_axis(moments: Sequence[tuple[datetime, datetime]], penalty: float = 8.0) -> list[Segment]:
    """Cut the axis into linear segments: the cut that least crowds the labels, each break costing
    ``penalty`` lines. A break must skip at least 0.6 of the span of the shorter segment beside it
    (so it marks a change of scale, never a pause of a day in a month), and is only considered at
    the ``MAX_BREAKS`` largest relative gaps."""
    spans = sorted(moments)
    times = [s.timestamp() for s, _ in spans]
    n = len(times)
    gaps = sorted(range(1, n), key=lambda i: -(times[i] - times[i - 1]))
    cuts = [0, *sorted(i for i in gaps[:MAX_BREAKS] if times[i] > times[i - 1]), n]

    def allowed(c: int, a: int, b: int) -> bool:
        # A segment of one moment has no scale of its own: its neighbour's decides.
        shorter = min((s for s in (times[a - 1] - times[c], times[b - 1] - times[a]) if s > 0), default=0.0)
        return times[a] - times[a - 1] >= shorter * 0.6

    # best[(a, b)]: the least cost of cutting points [0, b) with [a, b) as the last segment.
    best: dict[tuple[int, int], tuple[float, tuple[int, ...]]] = {}
    for j in range(1, len(cuts)):
        b = cuts[j]
        for i in range(j):
            a = cuts[i]
            own = _crowding(times[a:b])
            if a == 0:
                best[(a, b)] = (own, (0,))
                continue
            options = [(cost + own + penalty, path + (a,)) for (c, a2), (cost, path) in best.items()
                       if a2 == a and allowed(c, a, b)]
            if options:
                best[(a, b)] = min(options)
    _, starts = min(v for (a, b), v in best.items() if b == n)
    out = []
    for a, b in zip(starts, (*starts[1:], n)):
        start = min(s for s, _ in spans[a:b])
        end = max(e for _, e in spans[a:b])
        unit = _unit(end - start) if end - start >= timedelta(hours=1) else "days"
        out.append(Segment(start, max(end, start + timedelta(hours=1)), unit))
    return out


def ticks(segment: Segment) -> list[tuple[datetime, str]]:
    """Round moments inside the segment with their labels, in its unit (about four to six)."""
    start, end = segment.start, segment.end
    if segment.unit == "years":
        step = max(1, round((end.year - start.year) / 5))
        return [(datetime(y, 1, 1), str(y)) for y in range(start.year + (start.month > 1 or start.day > 1), end.year + 1, step)
                if start <= datetime(y, 1, 1) <= end] or [(start, str(start.year))]
    if segment.unit == "months":
        months = (end.year - start.year) * 12 + end.month - start.month
        step = next(s for s in (1, 2, 3, 6, 12) if months / s <= 6)
        out, y, m = [], start.year, start.month
        while datetime(y, m, 1) <= end:
            moment = datetime(y, m, 1)
            if moment >= start and (m - 1) % step == 0:
                out.append((moment, moment.strftime("%b %Y") if m == 1 or not out else moment.strftime("%b")))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out or [(start, start.strftime("%b %Y"))]
    if segment.unit == "days":
        days = (end - start).days
        step = next(s for s in (1, 2, 7, 14) if days / s <= 6)
        first = datetime.combine(start.date(), time.min)
        first += timedelta(days=(first < start))
        out = []
        moment = first
        while moment <= end:
            out.append((moment, f"{moment.day} {moment.strftime('%b')}"))
            moment += timedelta(days=step)
        return out or [(start, f"{start.day} {start.strftime('%b')}")]
    hours = (end - start).total_seconds() / 3600
    step = next(s for s in (1, 2, 3, 6, 12, 24) if hours / s <= 6)
    moment = start.replace(minute=0, second=0, microsecond=0)
    moment += timedelta(hours=(-moment.hour) % step) if moment >= start else timedelta(hours=step - moment.hour % step)
    out = []
    while moment <= end:
        out.append((moment, moment.strftime("%H:%M") if out and moment.hour else f"{moment.day} {moment.strftime('%b')} {moment:%H:%M}"))
        moment += timedelta(hours=step)
    return out


def unit_heading(segment: Segment) -> str:
    """The segment's heading: its unit and what it covers."""
    start, end = segment.start, segment.end
    if segment.unit == "years":
        return f"Years ({start.year}–{end.year})" if end.year > start.year else f"Year {start.year}"
    if segment.unit == "months":
        return f"Months ({start.year}–{end.year})" if end.year > start.year else f"Months of {start.year}"
    if segment.unit == "days":
        return f"Days ({start:%B %Y})" if (start.year, start.month) == (end.year, end.month) else \
            f"Days ({start:%b %Y}–{end:%b %Y})"
    return f"Hours ({start.day} {start:%B %Y})" if start.date() == end.date() else \
        f"Hours ({start.day} {start:%b}–{end.day} {end:%b %Y})"


_GAP_UNITS = tuple(u for u in reversed(DURATION_UNITS) if u.name != "minute")
"""The units a break's gap is said in, longest first: years down to hours (the last, for any shorter gap)."""


def gap_text(delta: timedelta) -> str:
    """The time a break skips, in a round unit."""
    days = delta.total_seconds() / 86400
    for unit in _GAP_UNITS:
        if days >= unit.average_days * 1.5 or unit is _GAP_UNITS[-1]:
            amount = max(1, round(days / unit.average_days))
            return f"{amount} {unit.name if amount == 1 else unit.plural}"
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------- layout


def text_width(text: str, size: float = FONT) -> float:
    """A generous estimate of a sans-serif line's width."""
    return sum(0.33 if c in " .,;:'il|" else 0.62 if c.isupper() or c in "mwMW" else 0.56 for c in text) * size


def wrap(text: str, width: float, lines: int = 2) -> list[str]:
    """The text in at most ``lines`` lines of ``width`` points, the last cut with an ellipsis."""
    out: list[str] = []
    current = ""
    words = text.split()
    for k, word in enumerate(words):
        trial = f"{current} {word}".strip()
        if text_width(trial) <= width or not current:
            current = trial
            continue
        out.append(current)
        current = word
        if len(out) == lines - 1 and text_width(" ".join(words[k:])) > width:
            last = ""
            for w in words[k:]:
                if text_width(f"{last} {w}…".strip()) > width:
                    break
                last = f"{last} {w}".strip()
            out.append(f"{last}…" if last else words[k][: max(1, int(width / (FONT * 0.6)))] + "…")
            return out
    out.append(current)
    return out


def place_labels(ideal: Sequence[float], heights: Sequence[float], top: float, bottom: float,
                 gap: float = GAP) -> list[float]:
    """Tops for labels in order, as near their ideal tops as no overlap allows, inside [top, bottom]."""
    ys: list[float] = []
    for want, h in zip(ideal, heights):
        ys.append(max(want, top, (ys[-1] + heights[len(ys) - 1] + gap) if ys else top))
    limit = bottom
    for k in range(len(ys) - 1, -1, -1):
        ys[k] = min(ys[k], limit - heights[k])
        limit = ys[k] - gap
    return ys


@dataclass
class _Canvas:
    """The SVG being drawn, and the box of every text in it."""

    width: float
    parts: list[str]
    boxes: list[Box]

    def text(self, x: float, y: float, lines: list[str], anchor: str = "start", weight: str = "normal",
             fill: str = "#1a1a1a", size: float = FONT) -> None:
        width = max(text_width(t, size) for t in lines)
        left = x - width if anchor == "end" else x
        self.boxes.append(Box(left, y, width, len(lines) * size * 1.25))
        spans = "".join(f'<tspan x="{x:.1f}" dy="{0 if i == 0 else size * 1.25:.2f}">{html.escape(t, quote=False)}</tspan>'
                        for i, t in enumerate(lines))
        self.parts.append(f'<text x="{x:.1f}" y="{y + size:.2f}" font-size="{size}" text-anchor="{anchor}" '
                          f'font-weight="{weight}" fill="{fill}">{spans}</text>')


def _position(segment: Segment, top: float, height: float, moment: datetime) -> float:
    span = (segment.end - segment.start).total_seconds() or 1.0
    offset = (min(max(moment, segment.start), segment.end) - segment.start).total_seconds()
    return top + offset / span * height


def _draw_segment(canvas: _Canvas, segment: Segment, items: list[Item], top: float, lane_x: float) -> float:
    """Draw one segment from ``top``; its bottom."""
    canvas.text(2, top, [unit_heading(segment)], weight="bold")
    top += LINE + 3
    label_x = lane_x + 10
    lines = [wrap(i.label, canvas.width - label_x - 2) for i in items]
    heights = [len(ls) * LINE for ls in lines]
    height = max(sum(heights) + GAP * len(items), 3 * LINE)
    pos = [_position(segment, top, height, i.at) for i in items]
    ys = place_labels([p - h / 2 for p, h in zip(pos, heights)], heights, top, top + height)
    canvas.parts.append(f'<line x1="{AXIS_X}" y1="{top - 2:.1f}" x2="{AXIS_X}" y2="{top + height + 2:.1f}" stroke="#1a1a1a" stroke-width="0.8"/>')
    shown = top - 3 - GAP  # the heading's foot
    tick_height = (FONT - 0.5) * 1.25
    for moment, label in ticks(segment):
        y = _position(segment, top, height, moment)
        canvas.parts.append(f'<line x1="{AXIS_X - 2.5}" y1="{y:.1f}" x2="{AXIS_X}" y2="{y:.1f}" stroke="#1a1a1a" stroke-width="0.6"/>')
        label_top = min(max(y - FONT * 0.6, shown + GAP), top + height + 2 - tick_height)
        if label_top >= shown + GAP and abs(label_top - (y - FONT * 0.6)) < FONT / 2:
            canvas.text(AXIS_X - 4, label_top, [label], anchor="end", fill="#444444", size=FONT - 0.5)
            shown = label_top + tick_height
    for item, p, y, ls, h in zip(items, pos, ys, lines, heights):
        colour = KIND_COLOURS.get(item.kind, KIND_COLOURS["other"])
        if item.span:
            end = _position(segment, top, height, item.end)
            canvas.parts.append(f'<rect x="{lane_x - 1.5:.1f}" y="{p:.1f}" width="3" height="{max(end - p, 1.5):.1f}" fill="{colour}"/>')
            start_x = lane_x + 1.5
        else:
            coarse = (item.end - item.start) * 20 > segment.end - segment.start
            fill = "#ffffff" if item.approximate or coarse else colour
            canvas.parts.append(f'<circle cx="{AXIS_X}" cy="{p:.1f}" r="2.2" fill="{fill}" stroke="{colour}" stroke-width="1"/>')
            start_x = AXIS_X + 2.5
        canvas.parts.append(f'<polyline points="{start_x:.1f},{p:.1f} {label_x - 6:.1f},{p:.1f} {label_x - 2:.1f},{y + h / 2:.1f}" '
                            f'fill="none" stroke="{colour}" stroke-width="0.5"/>')
        canvas.text(label_x, y, ls, fill=colour)
    return top + height


def _draw_break(canvas: _Canvas, top: float, skipped: timedelta) -> float:
    mid = top + BREAK / 2
    canvas.parts.append(f'<path d="M{AXIS_X - 4},{mid - 1.5} l8,-2 M{AXIS_X - 4},{mid + 1.5} l8,-2" stroke="#1a1a1a" stroke-width="0.8"/>')
    canvas.text(AXIS_X - 7, mid - LINE / 2, [gap_text(skipped)], anchor="end", fill="#444444", size=FONT - 0.5)
    return top + BREAK


def _draw_legend(canvas: _Canvas, kinds: list[str], spans: bool, top: float) -> float:
    entries = [(k, k.capitalize().replace("-", " ")) for k in kinds]
    x, y = 2.0, top + 4
    for kind, name in [*entries, ("approximate", "approximate date"), *([("span", "duration")] if spans else [])]:
        width = 8 + text_width(name)
        if x + width > canvas.width:
            x, y = 2.0, y + LINE + 1
        colour = KIND_COLOURS.get(kind, "#1a1a1a")
        if kind == "span":
            canvas.parts.append(f'<rect x="{x + 1.5}" y="{y + 1}" width="3" height="{FONT}" fill="{KIND_COLOURS["intervention"]}"/>')
        else:
            fill = "#ffffff" if kind == "approximate" else colour
            canvas.parts.append(f'<circle cx="{x + 3}" cy="{y + LINE / 2:.1f}" r="2.2" fill="{fill}" stroke="{colour}" stroke-width="1"/>')
        canvas.text(x + 8, y, [name])
        x += width + 8
    return y + LINE + 2


def draw(items: list[Item], width: float) -> tuple[str, tuple[Segment, ...], tuple[Box, ...], float]:
    """The SVG body of the items on a broken axis, its segments, its text boxes and its height."""
    segments = segment_axis([(i.at, i.at) for i in items])
    lanes = 1 if any(i.span for i in items) else 0
    canvas = _Canvas(width, [], [])
    y = 2.0
    for k, segment in enumerate(segments):
        members = [i for i in items if segment.start <= (i.start if i.span else i.at) <= segment.end
                   and not any(s.start <= (i.start if i.span else i.at) <= s.end for s in segments[:k])]
        members.sort(key=lambda i: i.at)
        if k:
            y = _draw_break(canvas, y, segment.start - segments[k - 1].end)
        y = _draw_segment(canvas, segment, members, y, AXIS_X + 6 + 4 * lanes)
    kinds = [k for k in KIND_COLOURS if any(i.kind == k and not i.span for i in items)]
    y = _draw_legend(canvas, kinds, bool(lanes), y + 4)
    return "".join(canvas.parts), tuple(segments), tuple(canvas.boxes), y


def timeline_figure(entries: Sequence[TimelineEntry], case: Case, width: str, title: str) -> TimelineFigure:
    """The timeline figure of the case's resolved events, drawn ``column`` or ``page`` wide."""
    items = [
        Item(short_label(plain_text(str(e.event.text))), plain_text(str(e.event.text)),
             e.kind.lower().replace(" ", "-"), e.earliest, e.latest, e.ranged)
        for e in entries
    ]
    items += _spans(case)
    points = WIDTHS[width]
    body, segments, boxes, height = draw(items, points)
    alt = alt_text(entries, segments)
    short, long = (html.escape(text, quote=False) for text in (alt.split(". ")[0], alt))
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {points:.0f} {height:.0f}" '
           f'width="{points * 4 / 3:.0f}" height="{height * 4 / 3:.0f}" role="img" aria-labelledby="svg-{title}-title svg-{title}-desc" '
           f'font-family="casepress sans, DejaVu Sans, sans-serif">'
           f'<title id="svg-{title}-title">{short}</title><desc id="svg-{title}-desc">{long}</desc>'
           f'{body}</svg>')
    return TimelineFigure(svg, alt, segments, boxes)


def alt_text(entries: Sequence[TimelineEntry], segments: Sequence[Segment]) -> str:
    """What the figure shows, in words: the axis, then every event with its date and kind."""
    units = ", then ".join(s.unit for s in segments)
    lead = (f"Timeline of {len(entries)} events on a time axis "
            + (f"broken into {len(segments)} segments ({units})" if len(segments) > 1 else f"in {units}"))
    events = "; ".join(f"{e.date_text}, {e.kind.lower()}: {plain_text(str(e.event.text))}" for e in entries)
    return f"{lead}. {events}."
