"""Dates of the case: full ISO dates, dates known to the month or year, offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError


def _year_in_range(year: int, value: Any) -> None:
    """Refuse years casepress does not date anything in (before any arithmetic is done with them)."""
    from casepress.core.limits import MAX_YEAR, MIN_YEAR

    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PydanticCustomError(
            "date_range", "'{value}' is outside the years {low}-{high} that casepress accepts",
            {"value": value, "low": MIN_YEAR, "high": MAX_YEAR},
        )


def _publication_year(value: int) -> int:
    _year_in_range(value, value)
    return value


@dataclass(frozen=True, slots=True)
class DurationUnit:
    """A unit of time that offsets and durations are written in, and what it means."""

    name: str
    """The unit, singular: ``week`` (what :attr:`Offset.unit` gives)."""
    plural: str
    """Its plural: ``weeks``. The figure recognises a duration in prose only by these two words."""
    abbreviations: tuple[str, ...]
    """Short forms an offset may also be written with: ``min``, ``h``."""
    length: timedelta | None
    """Its fixed length; None for months and years, which move along the calendar."""
    months: int
    """How many calendar months it moves by (0 for a unit of fixed length)."""
    longest_days: float
    """The longest it can last, in days (month 31, year 366): the range check of an offset."""
    average_days: float
    """Its average length, in days (month 30.44, year 365.25): where the figure draws a duration."""
    precision: Precision
    """How precisely an offset in it places an event: an hour offset keeps the anchor's minutes."""

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every way an offset may write it, lower case: ``hour``, ``hours``, ``h``."""
        return (self.name, self.plural, *self.abbreviations)


DURATION_UNITS: tuple[DurationUnit, ...] = (
    # name, plural, abbreviations, length, months, longest days, average days, precision
    DurationUnit("minute", "minutes", ("min",), timedelta(minutes=1), 0, 1 / 1440, 1 / 1440, "minute"),
    DurationUnit("hour", "hours", ("h",), timedelta(hours=1), 0, 1 / 24, 1 / 24, "minute"),
    DurationUnit("day", "days", (), timedelta(days=1), 0, 1, 1, "day"),
    DurationUnit("week", "weeks", (), timedelta(days=7), 0, 7, 7, "day"),
    DurationUnit("month", "months", (), None, 1, 31, 30.44, "month"),
    DurationUnit("year", "years", (), None, 12, 366, 365.25, "year"),
)
"""The units of time, shortest first: the one place that says what each means."""

UNITS: dict[str, DurationUnit] = {unit.name: unit for unit in DURATION_UNITS}
"""Every unit by its singular name."""

OFFSET_UNITS: dict[str, str] = {spelling: unit.name for unit in DURATION_UNITS for spelling in unit.spellings}
"""Every spelling an offset may be written with (in any case), and the unit it stands for."""

_UNIT_LIST = ", ".join(unit.plural for unit in DURATION_UNITS[:-1]) + f" or {DURATION_UNITS[-1].plural}"
"""The units as an error message names them: ``minutes, hours, ... or years``."""


class Offset(str):
    """A duration such as ``8 weeks``, ``3 hours`` or ``1.5 hours``, kept as written."""

    __slots__ = ()

    @property
    def amount(self) -> float:
        """The number: 8, 3, 1.5."""
        return float(self.split()[0])

    @property
    def unit(self) -> str:
        """The unit, singular: ``week``, ``hour``."""
        return OFFSET_UNITS[self.split()[1].lower()]


def _offset(value: Any) -> Offset:
    """Parse an offset, naming the units when the unit is not one, and refuse one longer than the accepted years."""
    from casepress.core.limits import MAX_YEAR, MIN_YEAR

    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s+([A-Za-z]+)", value.strip()) if isinstance(value, str) else None
    if match is None:
        raise PydanticCustomError(
            "invalid_offset", "'{value}' is not a duration; write a number and a unit ({units}), e.g. '8 weeks' or '1.5 hours'",
            {"value": str(value), "units": _UNIT_LIST},
        )
    if match.group(2).lower() not in OFFSET_UNITS:
        raise PydanticCustomError(
            "invalid_offset", "'{value}': '{unit}' is not a unit of time; write {units}, e.g. '8 weeks' or '1.5 hours'",
            {"value": value, "unit": match.group(2), "units": _UNIT_LIST},
        )
    offset = Offset(f"{match.group(1)} {match.group(2)}")
    span = MAX_YEAR - MIN_YEAR + 1
    if offset.amount * UNITS[offset.unit].longest_days > span * 366:
        raise PydanticCustomError(
            "date_range", "offset '{value}' is longer than the {span} years from {low} to {high} that casepress accepts",
            {"value": value, "span": span, "low": MIN_YEAR, "high": MAX_YEAR},
        )
    return offset


OffsetValue = Annotated[
    Offset,
    PlainValidator(_offset),
    WithJsonSchema({
        "type": "string",
        # The parser takes any case ('3 Hours'); JSON Schema patterns have no flag for it.
        "pattern": r"^\d+(\.\d+)?\s+(" + "|".join("".join(f"[{c}{c.upper()}]" for c in unit) for unit in OFFSET_UNITS) + ")$",
    }),
]
"""A duration: a number and a unit of time (minutes, hours, days, weeks, months, years)."""


def parse_iso_date(value: Any) -> date:
    """Parse ``YYYY-MM-DD``, saying exactly why an impossible date is impossible."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise PydanticCustomError(
            "invalid_date", "'{value}' is not a date; write YYYY-MM-DD", {"value": value}
        )
    _year_in_range(int(value.strip()[:4]), value)
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise PydanticCustomError(
            "invalid_date", "impossible date '{value}': {reason}", {"value": value, "reason": str(exc)}
        ) from None


IsoDate = Annotated[
    date,
    BeforeValidator(parse_iso_date),
    WithJsonSchema({"type": "string", "format": "date"}),
]
"""A full date, ``YYYY-MM-DD``."""


Precision = Literal["year", "month", "day", "minute", "second"]
"""How much of a moment is known, coarsest first."""

PRECISIONS: tuple[Precision, ...] = ("year", "month", "day", "minute", "second")
"""The precisions in order, coarsest first (the index compares them)."""


def coarser(a: Precision, b: Precision) -> Precision:
    """The less precise of two precisions."""
    return a if PRECISIONS.index(a) <= PRECISIONS.index(b) else b


_LAST = timedelta(microseconds=1)


def _end_of(first: datetime, precision: Precision) -> datetime:
    """The last instant of the year, month, day, minute or second that starts at ``first``."""
    if precision == "year":
        return first.replace(year=first.year + 1) - _LAST if first.year < 9999 else datetime.max
    if precision == "month":
        nxt = first.replace(year=first.year + (first.month == 12), month=first.month % 12 + 1)
        return nxt - _LAST
    step = {"day": timedelta(days=1), "minute": timedelta(minutes=1), "second": timedelta(seconds=1)}[precision]
    return first + step - _LAST


class PartialDate(str):
    """A moment known to the year, month, day, minute or second, kept as written.

    ``2013``, ``2013-01``, ``2013-01-24``, ``2025-03-14T06:40`` or ``2025-03-14T06:40:15``
    (local clinical time: a case report has no time zone).
    """

    __slots__ = ()

    @property
    def precision(self) -> Precision:
        """How much of the moment is known."""
        return {4: "year", 7: "month", 10: "day", 16: "minute", 19: "second"}[len(self)]  # type: ignore[return-value]

    @property
    def start(self) -> datetime:
        """The first instant it may stand for."""
        text = self + {4: "-01-01", 7: "-01"}.get(len(self), "")
        return datetime.fromisoformat(text)

    def bounds(self) -> tuple[datetime, datetime]:
        """The first and the last instant it may stand for."""
        first = self.start
        return first, _end_of(first, self.precision)


MOMENT = r"\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2})?)?)?)?"
"""A moment as a case writes it: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM[:SS]``."""
_MOMENT = re.compile(MOMENT)
_HINTS = (
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})"),
     "'{value}' has a time zone; write the local clinical time without one, e.g. 2025-03-14T06:40"),
    (re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?"),
     "'{value}' is not a date-time; write a T between the date and the time, e.g. 2025-03-14T06:40"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{1,2}(:\d{1,2}){0,2}(\.\d+)?"),
     "'{value}' is not a date-time; write YYYY-MM-DDTHH:MM (24-hour clock, two digits each), e.g. 2025-03-14T06:40"),
)


def _partial_date(value: Any) -> PartialDate:
    if isinstance(value, datetime):
        value = value.isoformat(timespec="minutes" if value.second == 0 else "seconds")
    elif isinstance(value, date):
        value = value.isoformat()
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if text is None or not _MOMENT.fullmatch(text):
        message = next((m for pattern, m in _HINTS if text and pattern.fullmatch(text)),
                       "'{value}' is not a date; write YYYY-MM-DD, YYYY-MM, YYYY or YYYY-MM-DDTHH:MM")
        # str(): the error text would print True as '1'.
        raise PydanticCustomError("invalid_date", message, {"value": str(value)})
    _year_in_range(int(text[:4]), text)
    try:
        PartialDate(text).start
    except ValueError as exc:
        raise PydanticCustomError(
            "invalid_date", "impossible date '{value}': {reason}", {"value": text, "reason": str(exc)}
        ) from None
    return PartialDate(text)


DateValue = Annotated[
    str,
    PlainValidator(_partial_date),
    WithJsonSchema({"type": "string", "pattern": f"^{MOMENT}$"}),
]
"""A moment known to the year, month, day or minute: ``2013``, ``2013-01``, ``2024-03-02``, ``2025-03-14T06:40``."""
