"""Dates and ages: the date patterns of a date of birth, and ages over 89 of one person."""

from __future__ import annotations

import re
from collections.abc import Iterator

from casepress.check.deid.findings import KnownPeople
from casepress.check.deid.patterns import compiled


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
_AGE_NOT_ONE_PERSON_AFTER = (
    r"(?i)\s*(?:[-–—]\s*\d|to\s+\d|(?:years?\s+)?(?:and|or)\s+(?:older|over|above|more)|\+|"
    r"(?:days?|weeks?|wks?|months?|mos?)\b)"
)
# Before an age, these make it a group ('patients aged 95').
_AGE_GROUP_BEFORE = (
    r"(?i)\b(?:patients|people|persons|individuals|those|adults|women|men|subjects|cases|cohort|"
    r"population|participants|elderly)\s+(?:\w+\s+)?$"
)


def _may_state_an_age(text: str) -> bool:
    """False when no age over 89 can be found: every one written in digits is a whole number
    of two or three digits (see _over_89) and every other one holds one of these words."""
    numbers = compiled(r"\d+").findall(text)
    if any(len(n) in (2, 3) and 89 < int(n) <= 130 for n in numbers):
        return True
    return compiled(r"(?i)enarian|ninet|hundreds").search(text) is not None


def _find_ages(text: str, known: KnownPeople) -> Iterator[tuple[int, int]]:
    """Ages over 89 of one person; group ages and ranges are statistics, not identifiers."""
    if not _may_state_an_age(text):
        return  # (the search below is slow: it tries every position of the text)
    for match in compiled(_AGE).finditer(text):
        if not _over_89(match.group(0)):
            continue
        if compiled(_AGE_NOT_ONE_PERSON_AFTER).match(text, match.end()):
            continue
        if compiled(_AGE_GROUP_BEFORE).search(text[max(0, match.start() - 40) : match.start()]):
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
_AGE = "(?i)" + "|".join(f"(?:{p})" for p in _AGE_PATTERNS)
_AGE_NEEDS = r"\d[\s\-‐‑–]*y|aged?[\s:]*(?:of\s*)?\d|enarian|ninet|hundreds|90s"
"""What every text holds where _AGE matches, lower-cased (see Detector.needs), pattern by
pattern: digits before 'y' (years, yrs, y, yo, y/o), 'age' before digits, the words."""
