"""Dates of the case: full ISO dates, dates known to the month or year, offsets."""

from __future__ import annotations

import re
from datetime import date
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


_OFFSET_DAYS = {"day": 1, "week": 7, "month": 31, "year": 366}


def _offset_in_range(value: str) -> str:
    """Refuse an offset longer than the span of accepted years (it cannot land on an accepted date)."""
    from casepress.core.limits import MAX_YEAR, MIN_YEAR

    amount, unit = value.split()
    span = MAX_YEAR - MIN_YEAR + 1
    if float(amount) * _OFFSET_DAYS[unit.rstrip("s")] > span * 366:
        raise PydanticCustomError(
            "date_range", "offset '{value}' is longer than the {span} years from {low} to {high} that casepress accepts",
            {"value": value, "span": span, "low": MIN_YEAR, "high": MAX_YEAR},
        )
    return value


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


class PartialDate(str):
    """A date of ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` precision, kept as written."""

    __slots__ = ()

    @property
    def precision(self) -> Literal["day", "month", "year"]:
        """How much of the date is known."""
        return {10: "day", 7: "month", 4: "year"}[len(self)]  # type: ignore[return-value]

    def bounds(self) -> tuple[date, date]:
        """The first and last day the date may stand for."""
        parts = [int(p) for p in self.split("-")]
        if len(parts) == 3:
            d = date(*parts)
            return d, d
        if len(parts) == 2:
            first = date(parts[0], parts[1], 1)
            nxt = date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
            return first, date.fromordinal(nxt.toordinal() - 1)
        return date(parts[0], 1, 1), date(parts[0], 12, 31)


def _partial_date(value: Any) -> PartialDate:
    if isinstance(value, date):
        return PartialDate(value.isoformat())
    text = str(value).strip() if isinstance(value, (str, int)) else None
    if text is None or not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        raise PydanticCustomError(
            "invalid_date",
            "'{value}' is not a date; write YYYY-MM-DD, YYYY-MM or YYYY",
            {"value": value},
        )
    parts = [int(p) for p in text.split("-")]
    _year_in_range(parts[0], text)
    try:
        if len(parts) == 3:
            date(*parts)
        elif len(parts) == 2:
            date(parts[0], parts[1], 1)
    except ValueError as exc:
        raise PydanticCustomError(
            "invalid_date", "impossible date '{value}': {reason}", {"value": text, "reason": str(exc)}
        ) from None
    return PartialDate(text)


DateValue = Annotated[
    str,
    PlainValidator(_partial_date),
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}),
]
"""A date that may be known only to the month or year: ``2024-03-02``, ``2013-01``, ``2013``."""
