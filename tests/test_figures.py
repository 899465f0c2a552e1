"""Figures: the timeline figure (its axis, its labels, its text in the PDF) and panel grids."""

from __future__ import annotations

import re
import subprocess
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from lxml import etree
from pydantic import ValidationError

from casepress.model import Case, Figure, Markdown
from casepress.outputs.html_writer import panel_columns
from casepress.resolve.timeline_figure import (
    KIND_COLOURS,
    duration_of,
    gap_text,
    place_labels,
    segment_axis,
    short_label,
    ticks,
    timeline_figure,
)
from casepress.stages.resolved import Prose, TimelineEntry

ARRIVAL = datetime(2025, 11, 3, 6, 40)


def _entry(text: str, kind: str, earliest: date | datetime, latest: date | datetime | None = None,
           when: str = "") -> TimelineEntry:
    def moment(value: date | datetime, end: bool) -> datetime:
        if isinstance(value, datetime):
            return value
        return datetime.combine(value, time.max if end else time.min)

    precision = "minute" if isinstance(earliest, datetime) else "day"
    text_ = when or str(earliest)
    return TimelineEntry(Prose(("timeline",), Markdown(text)), kind, text_, None, False,
                         moment(earliest, False), moment(latest or earliest, True), precision, text_, None)


def _hours_case() -> list[TimelineEntry]:
    """A synthetic emergency: hours before and after arrival, then days, then months."""
    hours = [-8, -1.5, 0, 0.13, 0.17, 0.23, 0.3, 0.42, 0.75, 1, 1.5, 2, 2.5, 3, 4, 6, 9, 11, 12]
    kinds = ["history", "history", "presentation", "test", "intervention", "intervention", "intervention"]
    out = [_entry(f"Event {k} at hour {h}; details that the figure leaves out", kinds[k % len(kinds)],
                  ARRIVAL + timedelta(hours=h)) for k, h in enumerate(hours)]
    out += [_entry(f"Day {d} event", "outcome", ARRIVAL + timedelta(days=d)) for d in (1, 2, 5, 8, 12, 19, 26)]
    out += [_entry(f"Month {m} review", "follow-up", ARRIVAL + timedelta(days=30.44 * m)) for m in (2, 3, 6)]
    return out


def _reference_like() -> list[TimelineEntry]:
    """Years of history, then weeks of an admission (dates known to the month or the day)."""
    out = [_entry("Admitted with nipple discharge", "history", date(2013, 1, 1), date(2013, 1, 31)),
           _entry("Segmental excision", "intervention", date(2013, 1, 1), date(2013, 1, 31)),
           _entry("Radiotherapy", "intervention", date(2013, 3, 1), date(2013, 3, 31)),
           _entry("Tamoxifen advised", "intervention", date(2013, 1, 1), date(2013, 12, 31))]
    out += [_entry(f"Admission event {d}", "test", date(2024, 2, 24) + timedelta(days=d)) for d in (0, 0, 7, 7, 9, 12)]
    out += [_entry(f"April event {d}", "outcome", date(2024, 4, d)) for d in (8, 15, 22, 29)]
    return out


def _case() -> Case:
    return Case.model_construct(therapeutic_intervention=None)


# --------------------------------------------------------------------------- the model


def _fig(**fields: object) -> Figure:
    return Figure.model_validate({"id": "fig-x", "caption": "A caption.", **fields})


def test_a_generated_figure_needs_no_file_or_alt() -> None:
    fig = _fig(generate="timeline")
    assert fig.generate == "timeline" and fig.file is None


@pytest.mark.parametrize(("fields", "message"), [
    ({"generate": "timeline", "file": "a.svg", "alt": "x"},
     "give either 'generate' or 'file'/'panels', not both (a generated figure has no image file)"),
    ({"generate": "timeline", "panels": [{"label": "A", "caption": "x"}]},
     "give either 'generate' or 'file'/'panels', not both (a generated figure has no image file)"),
    ({"file": "a.svg", "alt": "x", "columns": 2},
     "'columns' sets panels with their own images side by side; this figure has none"),
    ({"columns": 2, "panels": [{"label": "A", "file": "a.png", "alt": "x"}]},
     "'columns' sets panels with their own images side by side; this figure has one"),
    ({"columns": 4, "panels": [{"label": "A", "file": "a.png", "alt": "x"}, {"label": "B", "file": "b.png", "alt": "y"}]},
     "Input should be less than or equal to 3"),
    ({"generate": "chart"}, "Input should be 'timeline'"),
])
def test_figure_sources_are_exclusive(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as info:
        _fig(**fields)
    assert [e["msg"] for e in info.value.errors()] == [message]


def test_panel_columns_default_and_setting() -> None:
    assert [panel_columns(None, n) for n in (1, 2, 3, 4, 5, 6)] == [1, 2, 3, 2, 3, 3]
    assert panel_columns(3, 4) == 3


# --------------------------------------------------------------------------- the axis


def test_hours_days_and_months_get_segments_of_their_own() -> None:
    entries = _hours_case()
    segments = segment_axis([(e.earliest, e.earliest) for e in entries])  # type: ignore[misc]
    units = [s.unit for s in segments]
    assert units[0] == "hours" and units[-1] == "months" and "days" in units
    assert segments[0].start == ARRIVAL - timedelta(hours=8)
    # Every break skips more time than a tenth of the shorter segment beside it.
    for a, b in zip(segments, segments[1:]):
        assert b.start - a.end > min(a.end - a.start, b.end - b.start) / 10


def test_years_of_history_are_broken_off_the_admission() -> None:
    moments = [(e.earliest, e.earliest) for e in _reference_like()]
    segments = segment_axis([(datetime.combine(a, datetime.min.time()),) * 2 for a, _ in moments])
    assert segments[0].end < datetime(2014, 1, 1) and segments[-1].start >= datetime(2024, 1, 1)
    assert gap_text(segments[1].start - segments[0].end) == "11 years"


def test_each_unit_labels_its_ticks_in_its_own_unit() -> None:
    from casepress.resolve.timeline_figure import Segment

    assert [t for _, t in ticks(Segment(datetime(2013, 1, 1), datetime(2024, 6, 1), "years"))][:2] == ["2013", "2015"]
    assert [t for _, t in ticks(Segment(datetime(2024, 2, 20), datetime(2024, 6, 1), "months"))] == ["Mar 2024", "Apr", "May", "Jun"]
    assert [t for _, t in ticks(Segment(datetime(2024, 3, 1), datetime(2024, 3, 29), "days"))][:2] == ["1 Mar", "8 Mar"]
    hours = [t for _, t in ticks(Segment(ARRIVAL - timedelta(hours=8), ARRIVAL + timedelta(hours=12), "hours"))]
    assert hours[0] == "3 Nov 00:00" and hours[1] == "06:00"


def test_labels_are_pushed_apart_within_their_segment() -> None:
    ys = place_labels([10, 10, 10, 95], [8, 8, 8, 8], 0, 100)
    assert ys == [10, 19.5, 29.0, 92]
    assert place_labels([99, 99], [8, 8], 0, 100) == [82.5, 92]


def test_short_labels_and_durations() -> None:
    assert short_label("Arrival in the emergency department: heart rate 182/min") == "Arrival in the emergency department"
    assert short_label("Fall at home; seen the same day") == "Fall at home"
    assert duration_of("about 65 hours") == timedelta(hours=65)
    assert duration_of("5 days, weaned before extubation") == timedelta(days=5)
    assert duration_of("a few days (stopped by the patient)") is None


def test_kind_colours_have_enough_contrast_on_white() -> None:
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    for kind, colour in KIND_COLOURS.items():
        assert 1.05 / (luminance(colour) + 0.05) >= 4.5, kind


# --------------------------------------------------------------------------- the drawing


@pytest.mark.parametrize("width", ["column", "page"])
@pytest.mark.parametrize("entries", [_hours_case, _reference_like], ids=["hours", "years"])
def test_no_two_texts_of_the_figure_overlap(entries: object, width: str) -> None:
    drawn = timeline_figure(entries(), _case(), width, "fig-t")  # type: ignore[operator]
    boxes = drawn.label_boxes
    assert len(boxes) > len(entries())  # type: ignore[operator]
    clashes = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.overlaps(b)]
    assert not clashes
    view = [float(v) for v in re.search(r'viewBox="([^"]+)"', drawn.svg).group(1).split()]  # type: ignore[union-attr]
    assert all(0 <= b.x and b.x + b.width <= view[2] and b.y + b.height <= view[3] for b in boxes)


def test_the_svg_parses_and_carries_its_alt_text() -> None:
    entries = _hours_case()
    drawn = timeline_figure(entries, _case(), "column", "fig-t")
    root = etree.fromstring(drawn.svg.encode())
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.get("role") == "img"
    assert root.find("s:desc", ns).text == drawn.alt  # type: ignore[union-attr]
    assert drawn.alt.startswith("Timeline of 29 events on a time axis broken into ")
    assert "Event 2 at hour 0; details that the figure leaves out" in drawn.alt
    texts = " ".join(t for t in root.itertext())
    assert "Event 2 at hour 0" in texts and "details that the figure leaves out" not in texts.replace(drawn.alt, "")


# --------------------------------------------------------------------------- in the outputs


def test_the_timeline_figure_is_in_the_html_and_its_text_selectable_in_the_pdf(built_samples: dict[str, Path]) -> None:
    for case, label in (("ankle-fracture", "Computed tomography of the ankle"),
                        ("dcis-bone-marrow", "Succumbed to her illness"),
                        ("meningococcal-purpura-fulminans", "Arrival in the emergency department")):
        html = (built_samples[case] / "index.html").read_text(encoding="utf-8")
        figure = re.search(r'<figure id="fig-(?:course|timeline)".*?</figure>', html, re.S)
        assert figure and "<svg" in figure.group() and 'role="img"' in figure.group()
        text = subprocess.run(["pdftotext", str(built_samples[case] / f"{case}.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert label in text and ("Months of" in text or "Days (" in text or "Hours (" in text)


def test_panel_images_are_set_side_by_side(built_samples: dict[str, Path]) -> None:
    html = (built_samples["ankle-fracture"] / "index.html").read_text(encoding="utf-8")
    assert '<div class="panel-grid panel-columns-2">' in html
    xml = subprocess.run(["pdftotext", "-bbox", str(built_samples["ankle-fracture"] / "ankle-fracture.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    # The stand-in images print "Synthetic radiograph, mortise view" and "..., lateral view":
    # side by side, their words share a line.
    tops = [float(y) for y in re.findall(r'yMin="([\d.]+)"[^>]*>radiograph,</word>', xml)]
    assert len(tops) == 2 and abs(tops[0] - tops[1]) < 2
