"""The units of time, read from one table (model/dates.py), mean what the separate lists meant before."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from casepress.model.dates import DURATION_UNITS, OFFSET_UNITS, UNITS
from casepress.resolve.timeline_figure import _DURATION, duration_of, gap_text

OLD_DURATION = re.compile(r"^(?:about |approximately |~)?(\d+(?:\.\d+)?) (minute|hour|day|week|month|year)s?\b")
"""The figure's duration pattern as it was written out, with its own unit list."""

OLD_AVERAGE_DAYS = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1, "week": 7, "month": 30.44, "year": 365.25}

TEXTS = [
    "8 weeks", "3 hours", "1.5 hours", "18 minutes", "1 minute", "1 hour", "1 day", "7 days", "1 week",
    "1 month", "12 months", "1 year", "2 years", "about 3 hours", "about 65 hours", "approximately 2 weeks",
    "~2 days", "~ 2 days", "about  3 hours", "About 3 hours", "3 Hours", "3 HOURS", "minutes", "3 minutes",
    "3 hrs", "10 min", "3 h", "2 wks", "2 mos", "3 yr", "3 hourss", "3 hoursly", "3 minutesque", "3 dayss",
    "5 days, weaned before extubation", "5 days-long", "5 days.", "5 days (stopped)", "5 days\n", "5  days",
    "5\tdays", "5days", "1.5. hours", ".5 hours", "1. hours", "0 days", "007 days", "-3 days", "+3 days",
    "a few days (stopped by the patient)", "", "3", "3 ", "3 mins", "3 hour's", "3 week_s", "3 weeks_", "3 yearsago",
    "٣ days", "3 days ago", "1,5 hours", "about ~3 hours", "~about 3 hours", "3 monthly", "3 years old",
]
"""Texts the figure may meet as an intervention's duration, edge cases included."""


@pytest.mark.parametrize("text", TEXTS)
def test_the_duration_pattern_built_from_the_table_accepts_what_the_written_one_did(text: str) -> None:
    old, new = OLD_DURATION.match(text), _DURATION.match(text)
    assert (old is None) == (new is None)
    if old and new:
        assert old.group(0, 1) == new.group(0, 1)
        unit = old.group(2)
        assert duration_of(text) == timedelta(days=float(old.group(1)) * OLD_AVERAGE_DAYS[unit])


def test_the_table_holds_the_lists_it_replaced() -> None:
    assert list(OFFSET_UNITS.items()) == list({
        "minute": "minute", "minutes": "minute", "min": "minute",
        "hour": "hour", "hours": "hour", "h": "hour",
        "day": "day", "days": "day",
        "week": "week", "weeks": "week",
        "month": "month", "months": "month",
        "year": "year", "years": "year",
    }.items())
    longest = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1, "week": 7, "month": 31, "year": 366}
    assert {u.name: u.longest_days for u in DURATION_UNITS} == longest
    assert {u.name: u.average_days for u in DURATION_UNITS} == OLD_AVERAGE_DAYS
    assert {u.name: u.precision for u in DURATION_UNITS} == {
        "minute": "minute", "hour": "minute", "day": "day", "week": "day", "month": "month", "year": "year"}
    assert {u.name: u.length for u in DURATION_UNITS if u.length} == {
        "minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(days=7)}
    assert (UNITS["month"].months, UNITS["year"].months) == (1, 12)


def _old_gap_text(delta: timedelta) -> str:
    days = delta.total_seconds() / 86400
    for unit, length in (("year", 365.25), ("month", 30.44), ("week", 7), ("day", 1), ("hour", 1 / 24)):
        if days >= length * 1.5 or unit == "hour":
            amount = max(1, round(days / length))
            return f"{amount} {unit}{'s' if amount != 1 else ''}"
    raise AssertionError("unreachable")


@pytest.mark.parametrize("minutes", [0, 1, 30, 59, 60, 89, 90, 91, 1439, 2159, 2160, 10079, 15119, 15120,
                                     43833, 65736, 65737, 525959, 788399, 788400, 788401, 10 * 525960])
def test_a_gap_is_said_as_before(minutes: int) -> None:
    delta = timedelta(minutes=minutes)
    assert gap_text(delta) == _old_gap_text(delta)
    assert gap_text(delta + timedelta(seconds=1)) == _old_gap_text(delta + timedelta(seconds=1))
