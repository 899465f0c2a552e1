"""Dates, date-times and offsets (issue 14 item 1): every accepted and refused form, how each
offset unit resolves and prints on an anchor of each precision, the elapsed-time column, the
timeline table and figure. The located errors through the CLI are in tests/corpus/model/."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import TypeAdapter, ValidationError

from casepress.check.context import CaseContext
from casepress.check.generated import describe_event_date, elapsed_text, interval_text, long_date, moment_text
from casepress.check.timeline import ResolvedEvent, check_elapsed_from, resolve_events
from casepress.core.diagnostics import Diagnostics
from casepress.core.project import Project
from casepress.load.source import load_yaml
from casepress.model import Case, PartialDate, Timeline
from casepress.model.dates import DateValue, OffsetValue
from casepress.resolve.stage import timeline_entries
from casepress.resolve.tables import RELATIVE_NOTE, elapsed_origin, timeline_cells
from casepress.resolve.timeline_figure import KIND_COLOURS, timeline_figure

from .conftest import REPO

DATE = TypeAdapter(DateValue)
OFFSET = TypeAdapter(OffsetValue)


def error_of(adapter: TypeAdapter[Any], value: object) -> tuple[str, str]:
    """The one error a value gets: its type and its message."""
    with pytest.raises(ValidationError) as raised:
        adapter.validate_python(value)
    errors = raised.value.errors()
    assert len(errors) == 1
    return errors[0]["type"], errors[0]["msg"]


def timeline(*events: dict[str, Any], elapsed_from: str | None = None) -> Timeline:
    """A timeline of these events (``id`` and ``date`` given; kind and text filled in)."""
    return Timeline.model_validate({
        "events": [{"kind": "other", "text": f"Event {i}.", **e} for i, e in enumerate(events)],
        **({"elapsed_from": elapsed_from} if elapsed_from else {}),
    })


def resolved(*events: dict[str, Any]) -> dict[str, ResolvedEvent]:
    """The events resolved, by id."""
    return {r.event.id or "": r for r in resolve_events(timeline(*events))}


def case_with(timeline_data: dict[str, Any]) -> Case:
    """The minimal corpus case with this timeline."""
    data = yaml.safe_load((REPO / "tests" / "corpus" / "base.yaml").read_text(encoding="utf-8"))
    data["timeline"] = timeline_data
    return Case.model_validate(data)


# --------------------------------------------------------------------------- parsing dates


@pytest.mark.parametrize(("text", "precision", "first", "last"), [
    ("2013", "year", datetime(2013, 1, 1), datetime(2013, 12, 31, 23, 59, 59, 999999)),
    ("2024-02", "month", datetime(2024, 2, 1), datetime(2024, 2, 29, 23, 59, 59, 999999)),
    ("2025-02", "month", datetime(2025, 2, 1), datetime(2025, 2, 28, 23, 59, 59, 999999)),
    ("2025-12", "month", datetime(2025, 12, 1), datetime(2025, 12, 31, 23, 59, 59, 999999)),
    ("2024-02-29", "day", datetime(2024, 2, 29), datetime(2024, 2, 29, 23, 59, 59, 999999)),
    ("2025-03-14T06:40", "minute", datetime(2025, 3, 14, 6, 40), datetime(2025, 3, 14, 6, 40, 59, 999999)),
    ("2025-03-14T00:00", "minute", datetime(2025, 3, 14), datetime(2025, 3, 14, 0, 0, 59, 999999)),
    ("2025-03-14T23:59", "minute", datetime(2025, 3, 14, 23, 59), datetime(2025, 3, 14, 23, 59, 59, 999999)),
    ("2025-03-14T06:40:15", "second", datetime(2025, 3, 14, 6, 40, 15), datetime(2025, 3, 14, 6, 40, 15, 999999)),
    ("1800", "year", datetime(1800, 1, 1), datetime(1800, 12, 31, 23, 59, 59, 999999)),
    ("2200-12-31T23:59:59", "second", datetime(2200, 12, 31, 23, 59, 59), datetime(2200, 12, 31, 23, 59, 59, 999999)),
])
def test_accepted_dates_with_their_precision_and_bounds(text: str, precision: str, first: datetime, last: datetime) -> None:
    parsed = DATE.validate_python(text)
    assert isinstance(parsed, PartialDate)
    assert (parsed, parsed.precision, parsed.start, parsed.bounds()) == (text, precision, first, (first, last))


@pytest.mark.parametrize(("value", "kept"), [
    (2013, "2013"),  # YAML reads a bare year as a number
    ("  2013-01  ", "2013-01"),
    (datetime(2025, 3, 14, 6, 40), "2025-03-14T06:40"),
    (datetime(2025, 3, 14, 6, 40, 15), "2025-03-14T06:40:15"),
])
def test_dates_given_as_other_values_are_kept_as_text(value: object, kept: str) -> None:
    assert DATE.validate_python(value) == kept


@pytest.mark.parametrize(("value", "kind", "message"), [
    ("2025-02-29", "invalid_date", "impossible date '2025-02-29': day is out of range for month"),
    ("2025-02-30", "invalid_date", "impossible date '2025-02-30': day is out of range for month"),
    ("2025-04-31", "invalid_date", "impossible date '2025-04-31': day is out of range for month"),
    ("2025-13", "invalid_date", "impossible date '2025-13': month must be in 1..12"),
    ("2025-00-10", "invalid_date", "impossible date '2025-00-10': month must be in 1..12"),
    ("2025-03-14T25:40", "invalid_date", "impossible date '2025-03-14T25:40': hour must be in 0..23"),
    ("2025-03-14T24:00", "invalid_date", "impossible date '2025-03-14T24:00': hour must be in 0..23"),
    ("2025-03-14T06:60", "invalid_date", "impossible date '2025-03-14T06:60': minute must be in 0..59"),
    ("2025-03-14T06:40:60", "invalid_date", "impossible date '2025-03-14T06:40:60': second must be in 0..59"),
    ("2025-02-30T06:40", "invalid_date", "impossible date '2025-02-30T06:40': day is out of range for month"),
    ("2025-03-14T06:40Z", "invalid_date",
     "'2025-03-14T06:40Z' has a time zone; write the local clinical time without one, e.g. 2025-03-14T06:40"),
    ("2025-03-14T06:40+01:00", "invalid_date",
     "'2025-03-14T06:40+01:00' has a time zone; write the local clinical time without one, e.g. 2025-03-14T06:40"),
    ("2025-03-14T06:40:15-0500", "invalid_date",
     "'2025-03-14T06:40:15-0500' has a time zone; write the local clinical time without one, e.g. 2025-03-14T06:40"),
    ("2025-03-14 06:40Z", "invalid_date",
     "'2025-03-14 06:40Z' has a time zone; write the local clinical time without one, e.g. 2025-03-14T06:40"),
    ("2025-03-14 06:40", "invalid_date",
     "'2025-03-14 06:40' is not a date-time; write a T between the date and the time, e.g. 2025-03-14T06:40"),
    ("2025-03-14T6:40", "invalid_date",
     "'2025-03-14T6:40' is not a date-time; write YYYY-MM-DDTHH:MM (24-hour clock, two digits each), e.g. 2025-03-14T06:40"),
    ("2025-03-14T06", "invalid_date",
     "'2025-03-14T06' is not a date-time; write YYYY-MM-DDTHH:MM (24-hour clock, two digits each), e.g. 2025-03-14T06:40"),
    ("2025-03-14T06:40:15.5", "invalid_date",
     "'2025-03-14T06:40:15.5' is not a date-time; write YYYY-MM-DDTHH:MM (24-hour clock, two digits each), e.g. 2025-03-14T06:40"),
    ("yesterday", "invalid_date", "'yesterday' is not a date; write YYYY-MM-DD, YYYY-MM, YYYY or YYYY-MM-DDTHH:MM"),
    ("2025-3-14", "invalid_date", "'2025-3-14' is not a date; write YYYY-MM-DD, YYYY-MM, YYYY or YYYY-MM-DDTHH:MM"),
    ("14/03/2025", "invalid_date", "'14/03/2025' is not a date; write YYYY-MM-DD, YYYY-MM, YYYY or YYYY-MM-DDTHH:MM"),
    ("", "invalid_date", "'' is not a date; write YYYY-MM-DD, YYYY-MM, YYYY or YYYY-MM-DDTHH:MM"),
    (3.5, "invalid_date", "'3.5' is not a date; write YYYY-MM-DD, YYYY-MM, YYYY or YYYY-MM-DDTHH:MM"),
    (True, "invalid_date", "'True' is not a date; write YYYY-MM-DD, YYYY-MM, YYYY or YYYY-MM-DDTHH:MM"),
    ("1799", "date_range", "'1799' is outside the years 1800-2200 that casepress accepts"),
    ("2201-01", "date_range", "'2201-01' is outside the years 1800-2200 that casepress accepts"),
    ("9999-12-31T23:59", "date_range", "'9999-12-31T23:59' is outside the years 1800-2200 that casepress accepts"),
])
def test_refused_dates_say_why(value: object, kind: str, message: str) -> None:
    assert error_of(DATE, value) == (kind, message)


def test_the_schema_pattern_accepts_the_accepted_forms_only() -> None:
    pattern = re.compile(DATE.json_schema()["pattern"])
    assert [bool(pattern.match(t)) for t in ("2013", "2013-01", "2013-01-24", "2025-03-14T06:40", "2025-03-14T06:40:15",
                                            "2025-03-14T06:40Z", "2025-03-14 06:40", "2025-03-14T6:40")] == \
        [True] * 5 + [False] * 3


# --------------------------------------------------------------------------- parsing offsets


@pytest.mark.parametrize(("text", "amount", "unit"), [
    ("1 minute", 1, "minute"), ("30 minutes", 30, "minute"), ("30 min", 30, "minute"),
    ("1 hour", 1, "hour"), ("3 hours", 3, "hour"), ("3 h", 3, "hour"), ("1.5 hours", 1.5, "hour"),
    ("1 day", 1, "day"), ("2 days", 2, "day"), ("0.5 days", 0.5, "day"), ("0 days", 0, "day"),
    ("1 week", 1, "week"), ("8 weeks", 8, "week"),
    ("1 month", 1, "month"), ("6 months", 6, "month"),
    ("1 year", 1, "year"), ("9 years", 9, "year"),
    ("3 Weeks", 3, "week"), ("2 HOURS", 2, "hour"), ("  8   weeks ", 8, "week"),
    ("146766 days", 146766, "day"),  # 401 years of 366 days: the longest accepted
])
def test_accepted_offsets_in_every_unit(text: str, amount: float, unit: str) -> None:
    offset = OFFSET.validate_python(text)
    assert (offset.amount, offset.unit) == (amount, unit)
    assert offset == " ".join(text.split())  # kept as written, its spaces normalised


def test_the_schema_pattern_accepts_every_unit_as_written_in_lower_case() -> None:
    pattern = re.compile(OFFSET.json_schema()["pattern"])
    assert all(pattern.match(t) for t in ("1 minute", "30 minutes", "30 min", "1 hour", "3 hours", "3 h", "1.5 hours",
                                          "2 days", "1 day", "1 week", "8 weeks", "1 month", "6 months", "1 year",
                                          "9 years"))
    assert not pattern.match("3 fortnights") and not pattern.match("3")


NOT_A_DURATION = ("is not a duration; write a number and a unit (minutes, hours, days, weeks, months or years), "
                  "e.g. '8 weeks' or '1.5 hours'")


@pytest.mark.parametrize(("value", "kind", "message"), [
    ("3 fortnights", "invalid_offset",
     "'3 fortnights': 'fortnights' is not a unit of time; write minutes, hours, days, weeks, months or years, "
     "e.g. '8 weeks' or '1.5 hours'"),
    ("90 secs", "invalid_offset",
     "'90 secs': 'secs' is not a unit of time; write minutes, hours, days, weeks, months or years, "
     "e.g. '8 weeks' or '1.5 hours'"),
    ("3", "invalid_offset", f"'3' {NOT_A_DURATION}"),
    (8, "invalid_offset", f"'8' {NOT_A_DURATION}"),
    (True, "invalid_offset", f"'True' {NOT_A_DURATION}"),
    ("weeks", "invalid_offset", f"'weeks' {NOT_A_DURATION}"),
    ("3weeks", "invalid_offset", f"'3weeks' {NOT_A_DURATION}"),
    ("-3 days", "invalid_offset", f"'-3 days' {NOT_A_DURATION}"),
    ("1,5 hours", "invalid_offset", f"'1,5 hours' {NOT_A_DURATION}"),
    ("a few days", "invalid_offset", f"'a few days' {NOT_A_DURATION}"),
    ("146767 days", "date_range",
     "offset '146767 days' is longer than the 401 years from 1800 to 2200 that casepress accepts"),
    ("99999999 years", "date_range",
     "offset '99999999 years' is longer than the 401 years from 1800 to 2200 that casepress accepts"),
])
def test_refused_offsets_say_why(value: object, kind: str, message: str) -> None:
    assert error_of(OFFSET, value) == (kind, message)


# --------------------------------------------------------------------------- resolving and printing


def relative(anchor: str, offset: str, direction: str, approximate: bool = False) -> ResolvedEvent:
    """The event ``offset`` ``direction`` ('before' or 'after') an event dated ``anchor``, resolved."""
    rel = {"id": "e", "date": {direction: "a", "offset": offset, **({"approximate": True} if approximate else {})}}
    anchored = {"id": "a", "date": anchor}
    return resolved(*((rel, anchored) if direction == "before" else (anchored, rel)))["e"]


@pytest.mark.parametrize(("anchor", "offset", "direction", "printed", "precision"), [
    # An anchor known to the year: any offset shorter than a year may cross into the next one.
    ("2025", "30 minutes", "before", "2024–2025 (30 minutes before)", "year"),
    ("2025", "3 hours", "after", "2025–2026 (3 hours after)", "year"),
    ("2025", "2 days", "after", "2025–2026 (2 days after)", "year"),
    ("2025", "2 weeks", "before", "2024–2025 (2 weeks before)", "year"),
    ("2025", "6 months", "after", "2025–2026 (6 months after)", "year"),
    ("2025", "9 years", "before", "2016 (9 years before)", "year"),
    # Known to the month.
    ("2025-03", "30 min", "after", "March–April 2025 (30 min after)", "month"),
    ("2025-03", "3 hours", "before", "February–March 2025 (3 hours before)", "month"),
    ("2025-03", "1 day", "after", "March–April 2025 (1 day after)", "month"),
    ("2025-03", "2 weeks", "before", "February–March 2025 (2 weeks before)", "month"),
    ("2025-03", "1 month", "before", "February 2025 (1 month before)", "month"),
    ("2025-03", "10 months", "after", "January 2026 (10 months after)", "month"),
    ("2025-12", "1 month", "after", "January 2026 (1 month after)", "month"),
    ("2025-03", "9 years", "after", "2034 (9 years after)", "year"),
    # Known to the day: minutes and hours may fall on the day before or after.
    ("2025-03-14", "30 minutes", "before", "13–14 March 2025 (30 minutes before)", "day"),
    ("2025-03-14", "3 hours", "before", "13–14 March 2025 (3 hours before)", "day"),
    ("2025-03-14", "3 h", "after", "14–15 March 2025 (3 h after)", "day"),
    ("2025-03-14", "2 days", "after", "16 March 2025 (2 days after)", "day"),
    ("2025-03-14", "2 weeks", "before", "28 February 2025 (2 weeks before)", "day"),
    ("2025-03-14", "1 month", "after", "April 2025 (1 month after)", "month"),
    ("2025-03-14", "9 years", "before", "2016 (9 years before)", "year"),
    # Known to the minute: minutes and hours keep it.
    ("2025-03-14T06:40", "30 minutes", "after", "14 March 2025, 07:10 (30 minutes after)", "minute"),
    ("2025-03-14T06:40", "45 min", "before", "14 March 2025, 05:55 (45 min before)", "minute"),
    ("2025-03-14T06:40", "1 minute", "after", "14 March 2025, 06:41 (1 minute after)", "minute"),
    ("2025-03-14T06:40", "3 hours", "before", "14 March 2025, 03:40 (3 hours before)", "minute"),
    ("2025-03-14T06:40", "1.5 hours", "after", "14 March 2025, 08:10 (1.5 hours after)", "minute"),
    ("2025-03-14T06:40", "2 h", "after", "14 March 2025, 08:40 (2 h after)", "minute"),
    ("2025-03-14T06:40", "1 hour", "before", "14 March 2025, 05:40 (1 hour before)", "minute"),
    ("2025-03-14T06:40", "1 day", "after", "15 March 2025 (1 day after)", "day"),
    ("2025-03-14T06:40", "0.5 days", "before", "13 March 2025 (0.5 days before)", "day"),
    ("2025-03-14T06:40", "8 weeks", "after", "9 May 2025 (8 weeks after)", "day"),
    ("2025-03-14T06:40", "6 months", "after", "September 2025 (6 months after)", "month"),
    ("2025-03-14T06:40", "9 years", "before", "2016 (9 years before)", "year"),
    # Known to the second: an offset in minutes or hours is known to the minute.
    ("2025-03-14T06:40:15", "30 minutes", "after", "14 March 2025, 07:10 (30 minutes after)", "minute"),
    # 'About' days or weeks is a month; 'about' hours keep the minutes, months and years their unit.
    ("2025-03-14", "12 weeks", "after~", "June 2025 (about 12 weeks after)", "month"),
    ("2025-03-14T06:40", "3 days", "before~", "March 2025 (about 3 days before)", "month"),
    ("2025-03-14T06:40", "1 hour", "after~", "14 March 2025, 07:40 (about 1 hour after)", "minute"),
    ("2025-03-14T06:40", "8 hours", "before~", "13 March 2025, 22:40 (about 8 hours before)", "minute"),
    ("2025-03-14", "6 months", "after~", "September 2025 (about 6 months after)", "month"),
    ("2025-03-14", "9 years", "before~", "2016 (about 9 years before)", "year"),
    # At the same time as another event: its date, approximately or not.
    ("2025-03-14T06:40", "0 minutes", "after", "14 March 2025, 06:40", "minute"),
    ("2025-03-14T06:40", "0 minutes", "after~", "14 March 2025, 06:40 (approximately)", "minute"),
    ("2025-03-14", "0 days", "after~", "14 March 2025 (approximately)", "day"),
])
def test_each_unit_on_each_precision(anchor: str, offset: str, direction: str, printed: str, precision: str) -> None:
    event = relative(anchor, offset, direction.rstrip("~"), direction.endswith("~"))
    assert (describe_event_date(event), event.precision) == (printed, precision)


@pytest.mark.parametrize(("anchor", "offset", "direction", "named", "printed"), [
    # Months move along the calendar, to the month's last day when the day is missing.
    ("2025-01-31", "1 month", "after", datetime(2025, 2, 28), "February 2025 (1 month after)"),
    ("2024-01-31", "1 month", "after", datetime(2024, 2, 29), "February 2024 (1 month after)"),
    ("2025-03-31", "1 month", "before", datetime(2025, 2, 28), "February 2025 (1 month before)"),
    ("2025-01-31", "13 months", "after", datetime(2026, 2, 28), "February 2026 (13 months after)"),
    ("2024-02-29", "1 year", "after", datetime(2025, 2, 28), "2025 (1 year after)"),
    ("2024-02-29", "4 years", "after", datetime(2028, 2, 29), "2028 (4 years after)"),
    # Days, hours and minutes are lengths of time: across midnight, month ends and leap days.
    ("2024-03-01", "1 day", "before", datetime(2024, 2, 29), "29 February 2024 (1 day before)"),
    ("2024-02-28T22:00", "3 hours", "after", datetime(2024, 2, 29, 1), "29 February 2024, 01:00 (3 hours after)"),
    ("2025-02-28T22:00", "3 hours", "after", datetime(2025, 3, 1, 1), "1 March 2025, 01:00 (3 hours after)"),
    ("2025-03-01T01:00", "2 hours", "before", datetime(2025, 2, 28, 23), "28 February 2025, 23:00 (2 hours before)"),
    ("2025-12-31T23:00", "90 minutes", "after", datetime(2026, 1, 1, 0, 30), "1 January 2026, 00:30 (90 minutes after)"),
    ("2025-03-14T23:30", "45 minutes", "after", datetime(2025, 3, 15, 0, 15), "15 March 2025, 00:15 (45 minutes after)"),
])
def test_calendar_edges(anchor: str, offset: str, direction: str, named: datetime, printed: str) -> None:
    event = relative(anchor, offset, direction)
    assert (event.named[0], describe_event_date(event)) == (named, printed)


def test_an_hour_offset_from_a_day_spans_the_hours_the_day_may_be() -> None:
    # 3 hours before 'some time on 14 March' is 21:00 on the 13th at the earliest.
    event = relative("2025-03-14", "3 hours", "before")
    assert event.named == (datetime(2025, 3, 13, 21), datetime(2025, 3, 14, 20, 59, 59, 999999))
    assert (event.earliest, event.latest) == event.named


def test_an_approximate_date_is_widened_but_printed_as_named() -> None:
    event = relative("2025-03-14", "12 weeks", "after", approximate=True)
    assert event.named == (datetime(2025, 6, 6), datetime(2025, 6, 6, 23, 59, 59, 999999))
    assert (event.earliest, event.latest) == (datetime(2025, 5, 16), datetime(2025, 6, 27, 23, 59, 59, 999999))
    assert event.approximate


def test_a_chain_of_relative_dates_before_and_after() -> None:
    events = resolved(
        {"id": "history", "date": {"before": "onset", "offset": "9 years"}},
        {"id": "onset", "date": {"before": "arrival", "offset": "8 hours", "approximate": True}},
        {"id": "arrival", "date": "2025-03-14T06:40"},
        {"id": "bolus", "date": {"after": "arrival", "offset": "30 minutes"}},
        {"id": "picu", "date": {"after": "bolus", "offset": "2 hours"}},
        {"id": "ward", "date": {"after": "picu", "offset": "2 days"}},
        {"id": "clinic", "date": {"after": "ward", "offset": "6 months"}},
    )
    assert {k: (describe_event_date(r), r.precision) for k, r in events.items()} == {
        "history": ("2016 (9 years before)", "year"),
        "onset": ("13 March 2025, 22:40 (about 8 hours before)", "minute"),
        "arrival": ("14 March 2025, 06:40", "minute"),
        "bolus": ("14 March 2025, 07:10 (30 minutes after)", "minute"),
        "picu": ("14 March 2025, 09:10 (2 hours after)", "minute"),
        "ward": ("16 March 2025 (2 days after)", "day"),
        "clinic": ("September 2025 (6 months after)", "month"),
    }
    # 'about' 8 hours: a quarter of the offset either side.
    assert (events["onset"].earliest, events["onset"].latest) == (
        datetime(2025, 3, 13, 20, 40), datetime(2025, 3, 14, 0, 40, 59, 999999))


@pytest.mark.parametrize(("low", "high", "precision", "text"), [
    (datetime(2016, 1, 1), datetime(2016, 12, 31), "year", "2016"),
    (datetime(2024, 12, 31), datetime(2025, 12, 31), "year", "2024–2025"),
    (datetime(2013, 4, 1), datetime(2013, 5, 31), "month", "April–May 2013"),
    (datetime(2025, 12, 1), datetime(2026, 1, 31), "month", "December 2025–January 2026"),
    (datetime(2025, 11, 2, 21), datetime(2025, 11, 3, 20), "day", "2–3 November 2025"),
    (datetime(2025, 2, 28, 21), datetime(2025, 3, 1, 20), "day", "28 February–1 March 2025"),
    (datetime(2025, 12, 31, 21), datetime(2026, 1, 1, 20), "day", "31 December 2025–1 January 2026"),
    (datetime(2025, 11, 3, 22, 40), datetime(2025, 11, 3, 23, 10), "minute", "3 November 2025, 22:40–23:10"),
    (datetime(2025, 12, 31, 23, 30), datetime(2026, 1, 1, 0, 10), "minute", "31 December 2025, 23:30–1 January 2026, 00:10"),
    (datetime(2025, 11, 3, 6, 40, 15), datetime(2025, 11, 3, 6, 40, 15, 999), "second", "3 November 2025, 06:40:15"),
])
def test_interval_text(low: datetime, high: datetime, precision: str, text: str) -> None:
    assert interval_text(low, high, precision) == text  # type: ignore[arg-type]


@pytest.mark.parametrize(("value", "text"), [
    ("2013", "2013"), ("2013-01", "January 2013"), ("2013-01-24", "24 January 2013"),
    ("2025-03-14T06:40", "14 March 2025, 06:40"), ("2025-03-14T06:05:09", "14 March 2025, 06:05:09"),
    (datetime(2025, 3, 14, 6, 40), "14 March 2025, 06:40"), (datetime(2025, 3, 14).date(), "14 March 2025"),
])
def test_long_date(value: Any, text: str) -> None:
    assert long_date(value) == text


def test_moment_text_at_each_precision() -> None:
    moment = datetime(2025, 3, 4, 6, 5, 9)
    assert [moment_text(moment, p) for p in ("year", "month", "day", "minute", "second")] == [  # type: ignore[arg-type]
        "2025", "March 2025", "4 March 2025", "4 March 2025, 06:05", "4 March 2025, 06:05:09"]


def test_a_time_on_the_day_printed_above_prints_alone() -> None:
    events = list(resolve_events(timeline(
        {"id": "a", "date": "2025-03-14T23:00"},
        {"date": {"after": "a", "offset": "30 minutes"}},  # same day: the time alone
        {"date": {"after": "a", "offset": "90 minutes"}},  # past midnight: the date again
        {"date": "2025-03-15T09:00"},  # same day as the row above
        {"date": "2025-03-15"},  # known to the day: never elided
        {"date": "2025-03-15T14:00"},  # the row above has no time
        {"date": {"after": "a", "offset": "1 day"}},  # known to the day (the 15th)
    )))
    printed = [describe_event_date(r, p) for r, p in zip(events, [None, *events])]
    assert printed == [
        "14 March 2025, 23:00", "23:30 (30 minutes after)", "15 March 2025, 00:30 (90 minutes after)",
        "09:00", "15 March 2025", "15 March 2025, 14:00", "15 March 2025 (1 day after)",
    ]


# --------------------------------------------------------------------------- elapsed time

ARRIVAL = {"id": "arrival", "date": "2025-03-14T06:40"}


def elapsed(origin: dict[str, Any], *dates: Any) -> list[str]:
    """The elapsed time of each date (written, or ``(direction, offset[, '~'])`` from the origin)."""
    events = [origin]
    for i, d in enumerate(dates):
        date_: Any = d
        if isinstance(d, tuple):
            date_ = {d[0]: origin["id"], "offset": d[1], **({"approximate": True} if d[2:] else {})}
        events.append({"id": f"e{i}", "date": date_})
    by_id = {r.event.id: r for r in resolve_events(timeline(*events))}
    return [elapsed_text(by_id[f"e{i}"], by_id[origin["id"]]) for i in range(len(dates))]


def test_elapsed_minutes_and_hours() -> None:
    assert elapsed(
        ARRIVAL,
        ("after", "0 minutes"), ("after", "30 minutes"), ("before", "45 minutes"), ("after", "59 minutes"),
        ("after", "60 minutes"), ("after", "89 minutes"), ("after", "90 minutes"), ("after", "105 minutes"),
        ("before", "75 minutes"), ("before", "90 minutes"), ("after", "47.5 hours"), ("after", "2874 minutes"),
        "2025-03-14T06:40:15",
    ) == [
        "Hour 0", "+30 min", "−45 min", "+59 min",
        "Hour 1", "Hour 1", "Hour 1.5", "Hour 1.5",  # half hours counted toward zero, like days
        "Hour −1", "Hour −1.5", "Hour 47.5", "Hour 47.5",
        "Hour 0",  # known to the second, counted to the minute both are known to
    ]


def test_elapsed_days() -> None:
    assert elapsed(
        ARRIVAL,
        ("after", "48 hours"), ("after", "66 hours"), ("before", "72 hours"), "2025-03-16T05:00", "2025-03-16T07:00",
        "2025-03-14", "2025-03-16", "2025-03-13", ("after", "1 day"), ("after", "8 weeks"), "2025-05-14T06:39",
    ) == [
        "Day 2", "Day 2", "Day −3", "Hour 46", "Day 2",
        "Day 0", "Day 2", "Day −1",  # known to the day: calendar days, whatever the time of arrival
        "Day 1", "Day 56", "Day 60",
    ]


def test_elapsed_months_and_years() -> None:
    assert elapsed(
        ARRIVAL,
        "2025-05-14T06:40", "2025-05-20", ("after", "6 months"), "2027-03-14T06:39", "2027-03-14T06:40",
        ("before", "9 years"), ("before", "25 months"),
    ) == ["Month 2", "Month 2", "Month 6", "Month 23", "Year 2", "Year −9", "Year −2"]


def test_elapsed_coarse_dates_count_in_their_own_unit() -> None:
    # A month or a year has no day: September is Month 6 after March, 2026 is Year 1 after 2025.
    assert elapsed(ARRIVAL, "2025-03", "2025-04", "2025-09", "2024-06", "2025", "2026", "2034", "2016") == [
        "≈ Month 0", "≈ Month 1", "≈ Month 6", "≈ Month −9", "≈ Year 0", "≈ Year 1", "≈ Year 9", "≈ Year −9"]
    assert elapsed({"id": "o", "date": "2025-03"}, "2025-03-20", "2025-04-02", "2026-02", "2027-03") == [
        "Month 0", "Month 1", "≈ Month 11", "≈ Year 2"]
    assert elapsed({"id": "o", "date": "2025"}, "2025-03-20", "2026-01-02") == ["Year 0", "Year 1"]


def test_elapsed_approximate_dates() -> None:
    assert elapsed(
        ARRIVAL,
        ("after", "1 hour", "~"), ("before", "8 hours", "~"), ("after", "0 minutes", "~"), ("after", "12 weeks", "~"),
        ("after", "3 days", "~"),
    ) == ["≈ Hour 1", "≈ Hour −8", "≈ Hour 0", "≈ Month 3", "≈ Month 0"]
    # Hours from a day-known event: either of two days, counted from the middle of what it may be.
    day = {"id": "admission", "date": "2025-03-14"}
    assert elapsed(day, ("before", "3 hours"), ("after", "3 hours"), ("after", "30 hours")) == [
        "≈ Day 0", "≈ Day 0", "≈ Day 1"]


def test_elapsed_from_an_unknown_event_is_located_with_a_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    messages = []
    for origin in ("arival", "zzz"):
        (tmp_path / "case.yaml").write_text(
            f"timeline:\n  elapsed_from: {origin}\n  events:\n    - {{id: arrival, date: 2025-03-14T06:40}}\n",
            encoding="utf-8")
        diagnostics = Diagnostics()
        doc = load_yaml(Path("case.yaml"), diagnostics)
        assert doc is not None
        check_elapsed_from(timeline(ARRIVAL, elapsed_from=origin), CaseContext(doc, Project(tmp_path)), diagnostics)
        messages += [d.format() for d in diagnostics]
    assert messages == [
        "case.yaml:2:17: error[undefined-ref] timeline.elapsed_from: timeline event 'arival' is not defined "
        "(no event has this id)\n    hint: did you mean 'arrival'?",
        "case.yaml:2:17: error[undefined-ref] timeline.elapsed_from: timeline event 'zzz' is not defined "
        "(no event has this id)",
    ]


def test_elapsed_from_a_known_event_is_no_error(tmp_path: Path) -> None:
    (tmp_path / "case.yaml").write_text("timeline: {}\n", encoding="utf-8")
    diagnostics = Diagnostics()
    doc = load_yaml(tmp_path / "case.yaml", diagnostics)
    assert doc is not None
    check_elapsed_from(timeline(ARRIVAL, elapsed_from="arrival"), CaseContext(doc, Project(tmp_path)), diagnostics)
    assert list(diagnostics) == []


# --------------------------------------------------------------------------- the timeline table

EMERGENCY = [
    {"id": "arrival", "date": "2025-03-14T06:40", "kind": "presentation",
     "text": "Arrival in the emergency department: heart rate 182/min"},
    {"date": {"after": "arrival", "offset": "30 minutes"}, "kind": "intervention", "text": "Ceftriaxone"},
    {"date": {"after": "arrival", "offset": "1 day"}, "kind": "test", "text": "Creatinine 96 µmol/L"},
    {"date": "2025-03-15T09:00", "kind": "intervention", "text": "Furosemide"},
    {"date": "2025-03-15T14:00", "kind": "follow-up", "text": "Ultrasound"},
]


def rows_of(case: Case) -> tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, bool], ...], tuple[str, ...]]:
    """The timeline table of a case: its column heads, its rows as (text, is a header) cells, its notes."""
    entries = timeline_entries(case)
    cells = timeline_cells(entries, any(e.relation for e in entries), elapsed_origin(case))
    heads = tuple(part.text for c in cells.columns for part in c.parts)  # type: ignore[union-attr]
    rows = tuple(tuple((part.text, c.header) for c in row for part in c.parts) for row in cells.rows)  # type: ignore[union-attr]
    return heads, rows, cells.footnotes  # type: ignore[return-value]


def test_timeline_table_with_elapsed_time() -> None:
    heads, rows, notes = rows_of(case_with({"elapsed_from": "arrival", "events": EMERGENCY}))
    assert heads == ("Time", "Date", "Event", "Type")
    assert rows == (
        (("Hour 0", True), ("14 March 2025, 06:40", False),
         ("Arrival in the emergency department: heart rate 182/min", False), ("Presentation", False)),
        (("+30 min", True), ("07:10", False), ("Ceftriaxone", False), ("Intervention", False)),
        (("Day 1", True), ("15 March 2025", False), ("Creatinine 96 µmol/L", False), ("Test", False)),
        (("Hour 26", True), ("15 March 2025, 09:00", False), ("Furosemide", False), ("Intervention", False)),
        (("Hour 31", True), ("14:00", False), ("Ultrasound", False), ("Follow up", False)),
    )
    # the Time column says what '(30 minutes after)' would: the date column and its note drop it
    assert notes == ("Time is counted from arrival in the emergency department (Hour 0).",)


def test_timeline_table_without_elapsed_time() -> None:
    heads, rows, notes = rows_of(case_with({"events": EMERGENCY}))
    assert heads == ("Date", "Event", "Type")
    assert [cells[0] for cells in rows] == [
        ("14 March 2025, 06:40", True), ("07:10 (30 minutes after)", True), ("15 March 2025 (1 day after)", True),
        ("15 March 2025, 09:00", True), ("14:00", True)]
    assert notes == (RELATIVE_NOTE,)
    absolute = [e for e in EMERGENCY if isinstance(e["date"], str)]
    assert rows_of(case_with({"events": absolute}))[2] == ()


def test_the_elapsed_origin_keeps_an_acronym() -> None:
    events = [{**EMERGENCY[0], "text": "ED arrival: shock"}, *EMERGENCY[1:]]
    assert rows_of(case_with({"elapsed_from": "arrival", "events": events}))[2][0] == \
        "Time is counted from ED arrival (Hour 0)."


# --------------------------------------------------------------------------- the timeline figure

_AXIS_MARK = re.compile(r'<circle cx="58.0" cy="[\d.]+" r="2.2" fill="(#[0-9a-f]{6})" stroke="(#[0-9a-f]{6})"')


@pytest.mark.parametrize(("arrival", "onset_ranged"), [("2025-03-14T06:40", False), ("2025-03-14", True)])
def test_figure_marks_a_minute_filled_and_hours_from_a_day_hollow(arrival: str, onset_ranged: bool) -> None:
    case = case_with({"events": [
        {"date": {"before": "arrival", "offset": "3 hours"}, "kind": "history", "text": "Onset"},
        {"id": "arrival", "date": arrival, "kind": "presentation", "text": "Arrival"},
    ]})
    entries = timeline_entries(case)
    assert [e.ranged for e in entries] == [onset_ranged, False]
    drawn = timeline_figure(entries, case, "column", "fig-timeline").svg
    history = KIND_COLOURS["history"]
    marks = dict((stroke, fill) for fill, stroke in _AXIS_MARK.findall(drawn))
    assert marks[history] == ("#ffffff" if onset_ranged else history)
    if not onset_ranged:  # known to the minute: both filled
        assert marks[KIND_COLOURS["presentation"]] == KIND_COLOURS["presentation"]
