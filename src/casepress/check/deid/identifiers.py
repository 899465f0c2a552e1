"""Contact details and numbers: e-mail addresses, URLs, IP addresses, ID and phone numbers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from casepress.check.deid.findings import KnownPeople
from casepress.check.deid.patterns import _UNIT_AFTER, _digits_between, _regex_finder, compiled


_EMAIL = r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"
_EMAIL_NEEDS = r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2}"
"""What every text holds where _EMAIL matches (see Detector.needs): a domain ('[@key]' has none)."""


def _find_emails(text: str, known: KnownPeople) -> Iterator[tuple[int, int]]:
    for match in compiled(_EMAIL).finditer(text):
        if match.group(0).lower() not in known.emails:
            yield match.span()


_URL = r"(?i)\b(?:https?://|ftp://|www\.)[^\s<>()\[\]\"'`]+(?:\([^\s()]*\)[^\s<>()\[\]\"'`]*)*"


def _find_urls(text: str, known: KnownPeople) -> Iterator[tuple[int, int]]:
    for match in compiled(_URL).finditer(text):
        url = match.group(0).rstrip(".,;:!?*_")
        # A DOI link names an article, not a person.
        if re.match(r"(?:https?://)?(?:dx\.)?doi\.org/", url, re.IGNORECASE):
            continue
        yield match.start(), match.start() + len(url)


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = rf"(?<![\w.])(?:{_OCTET}\.){{3}}{_OCTET}(?!\.?\d|\w)"
_IPV6 = (
    r"(?<![\w:])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}"
    r"|(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,5})?)(?![\w:])"
)

_SSN = r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])"

# Cue words of numbers that belong to the patient (record, insurance, identity documents).
_ID_PATIENT_CUE = (
    r"(?:MRN|SSN|medical\s+record(?:\s+(?:number|no\.?|#))?|social\s+security\s+(?:number|no\.?)|"
    r"(?:hospital|health|patient|inpatient|outpatient|admission|chart|case|record|"
    r"account|billing|insurance|policy|member(?:ship)?|beneficiary|health\s+plan|NHS|CHI|"
    r"Medicare|Medicaid|passport|national\s+ID|ID\s+card|identity\s+card|driver'?s\s+licen[cs]e|"
    r"bed)\s+(?:number|no\.?|#|ID)|patient\s+identifier)"
)
# Cue words of other identifying numbers (licences, certificates, devices, vehicles).
_ID_OTHER_CUE = (
    r"(?:VIN|(?:licen[cs]e|certificate|serial|device|vehicle\s+identification|plate|"
    r"registration\s+plate|employee|staff|student|ID)\s+(?:number|no\.?|#|ID))"
)
_ID_VALUE = r"(?P<v>[A-Z]{0,4}[-/ ]?\d[\dA-Z/-]{2,}\b)"
_ID_PATIENT_ENDS = "mrn|ssn|record|identifier|number|no|#|id"
_ID_OTHER_ENDS = "vin|number|no|#|id"
"""The last words of the cues above, lower-cased (every cue ends with one)."""


def _id_needs(ends: str) -> str:
    """What every text holds where _id_finder finds a number (see Detector.needs), lower-cased:
    the end of a cue (one of ``ends``), then the start of the value, up to its first digit."""
    return rf"(?:{ends})\.?\s*(?:[:#=]|is|was|of)?\s*[a-z]{{0,4}}[-/ ]?\d"


def _id_finder(cue: str) -> Callable[[str, KnownPeople], Iterator[tuple[int, int]]]:
    return _regex_finder(
        rf"\b{cue}\s*(?:[:#=]|is|was|of)?\s*{_ID_VALUE}", re.IGNORECASE, "v", _digits_between(4, 20)
    )


_LONG_NUMBER = rf"(?<![\w.,/+-])\d{{7,}}(?![\w.,]\d|\d|-\d){_UNIT_AFTER}"

_PHONE_CUED = (
    r"\b(?:tel(?:ephone)?|phone(?:\s+number)?|mobile(?:\s+(?:phone|number))?|cell\s*phone|"
    r"fax(?:\s+number)?|contact\s+number)\b\.?\s*(?:no\.?|number|#)?\s*[:.]?\s*"
    r"(?P<v>\+?\(?\d[\d\s().-]{4,18}\d)"
)


_PHONE_CUED_NEEDS = r"(?:tel|phone|mobile|fax|number)\.?\s*(?:no\.?|number|#)?\s*[:.]?\s*\+?\(?\d"
"""What every text holds where _PHONE_CUED matches, lower-cased (see Detector.needs): the
last word of a cue, then the start of the number."""


def _phone_digits(value: str) -> bool:
    """8 to 15 digits, and not a run of years ('2013 2014 2015')."""
    groups = re.findall(r"\d+", value)
    if all(re.fullmatch(r"(?:19|20)\d\d", g) for g in groups):
        return False
    return 8 <= sum(len(g) for g in groups) <= 15


_PHONE_FORMATS = (
    # International: +86 536 1234567, +44 (0)20 7946 0958.
    r"(?<![\w+])\+\d{1,3}(?:[\s.-]?\(?\d{1,5}\)?){2,5}(?!\w)",
    # North American: (555) 123-4567, 555-123-4567, 555.123.4567.
    r"(?<!\w)\(\d{3}\)\s?\d{3}[\s.-]\d{4}(?!\d)",
    r"(?<![\w.-])\d{3}[.-]\d{3}[.-]\d{4}(?![\w-]|\.\d)",
    # Grouped digits: 555 123 4567, 0207 946 0958.
    r"(?<![\w.,-])\d{3,4}\s\d{3,4}\s\d{4}(?![\w.,]\d|\d)",
    # Chinese mobile numbers: eleven digits starting 13-19.
    r"(?<![\w.,+-])1[3-9]\d{9}(?!\w)",
    # Landlines with a trunk prefix: 0536-8462123, (020) 7946 0958.
    r"(?<![\w.-])\(?0\d{2,4}\)?[\s-]\d{3,4}[\s-]?\d{3,4}(?![\w-]|\.\d)",
)
_PHONE_NEEDS = r"\+\d|\)\s?\d{3}[\s.-]\d|[.-]\d{3}[.-]\d|[\s-]\d{3,4}[\s-]?\d{3}|1[3-9]\d{9}"
"""What every text holds where one of _PHONE_FORMATS matches (see Detector.needs), format by
format (the grouped digits are a landline's tail), each written from its first character
that is not a digit, which re finds faster."""
