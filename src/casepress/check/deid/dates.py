"""Dates and ages: the date patterns of a date of birth, and ages over 89 of one person."""

from __future__ import annotations

import re
from collections.abc import Iterator

from casepress.check.deid.findings import KnownPeople


_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
# Dates with a day or a month: the elements Safe Harbor removes (a year alone may stay).
_DATE = (
    r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
    r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
    rf"|{_DAY}\s+(?:of\s+)?{_MONTHS}\.?,?\s+\d{{4}}"
    rf"|{_MONTHS}\.?\s+{_DAY},?\s+\d{{4}}"
    rf"|{_MONTHS}\.?,?\s+\d{{4}}"
    rf"|{_MONTHS}\.?\s+{_DAY}\b"
    rf"|{_DAY}\s+(?:of\s+)?{_MONTHS}\b"
    r"|\d{4}[-/.]\d{1,2}\b)"
)
_YEAR = r"(?:1[89]|20)\d{2}\b"


def _over_89(value: str) -> bool:
    numbers = re.findall(r"\d+", value)
    # Spelled-out ages ('nonagenarian', 'ninety-two-year-old') carry no digits: all over 89.
    return not numbers or 89 < int(numbers[0]) <= 130


# After an age, these make it a group or a range ('aged 90 or older') or not years at all.
_AGE_NOT_ONE_PERSON_AFTER = re.compile(
    r"\s*(?:[-–—]\s*\d|to\s+\d|(?:years?\s+)?(?:and|or)\s+(?:older|over|above|more)|\+|"
    r"(?:days?|weeks?|wks?|months?|mos?)\b)",
    re.IGNORECASE,
)
# Before an age, these make it a group ('patients aged 95').
_AGE_GROUP_BEFORE = re.compile(
    r"\b(?:patients|people|persons|individuals|those|adults|women|men|subjects|cases|cohort|"
    r"population|participants|elderly)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)


def _find_ages(text: str, known: KnownPeople) -> Iterator[tuple[int, int]]:
    """Ages over 89 of one person; group ages and ranges are statistics, not identifiers."""
    for match in _AGE.finditer(text):
        if not _over_89(match.group(0)):
            continue
        if _AGE_NOT_ONE_PERSON_AFTER.match(text, match.end()):
            continue
        if _AGE_GROUP_BEFORE.search(text[max(0, match.start() - 40) : match.start()]):
            continue
        yield match.span()


_AGE_PATTERNS = (
    r"(?<![\d.,])\d{2,3}\s*[-‐‑–]?\s*(?:years?|yrs?|y)\s*[-‐‑–]?\s*old\b",
    r"(?<![\d.,])\d{2,3}\s*(?:years?|yrs?)\s+of\s+age\b",
    r"\b(?:aged|age(?:\s+of)?|age\s*:)\s*\d{2,3}(?!\d|[.,]\d|\s*(?:%|th\b|st\b|nd\b|rd\b))",
    r"(?<![\d.,])\d{2,3}\s*(?:yo|y/o|y\.o\.)(?!\w)",
    r"\b(?:nonagenarian|centenarian|supercentenarian)\b",
    r"\bin\s+(?:his|her|their)\s+(?:nineties|90s|hundreds)\b",
    r"\bninety(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?[- ]years?[- ]old\b",
)
_AGE = re.compile("|".join(f"(?:{p})" for p in _AGE_PATTERNS), re.IGNORECASE)
