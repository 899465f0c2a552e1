"""Every text detector in priority order, the fields each runs in, and the scan of one text."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from casepress.text import markup
from casepress.check.deid.dates import _AGE_NEEDS, _DATE, _YEAR, _find_ages
from casepress.check.deid.findings import KnownPeople, as_is, mask, mask_digits, mask_email, show_url
from casepress.check.deid.identifiers import (
    _EMAIL,
    _EMAIL_NEEDS,
    _ID_OTHER_CUE,
    _ID_OTHER_ENDS,
    _ID_PATIENT_CUE,
    _ID_PATIENT_ENDS,
    _IPV4,
    _IPV6,
    _LONG_NUMBER,
    _PHONE_CUED,
    _PHONE_CUED_NEEDS,
    _PHONE_FORMATS,
    _PHONE_NEEDS,
    _SSN,
    _find_emails,
    _find_urls,
    _id_finder,
    _id_needs,
    _phone_digits,
)
from casepress.check.deid.names import _ACADEMIC_TITLE, _LAY_TITLE, _NAME_CUES, _name_finder
from casepress.check.deid.patterns import _digits_between, _regex_finder, compiled, fold, unanchored
from casepress.check.deid.places import (
    _PLACE_CUES,
    _PLACE_UNIT_NEEDS,
    _POSTCODE_PATTERNS,
    _STREET_NEEDS,
    _STREET_PATTERNS,
    _find_place_units,
    _place_after,
)


# Identifiers of articles, trials, genes and variants: never the patient's.
_SAFE_CUES = (
    r"\b(?:OMIM|MIM|PMID|PMCID|PubMed(?:\s+ID)?|NCT|ISRCTN|ChiCTR|EudraCT|DOI|ISBN|ISSN|ORCID|"
    r"GenBank|RefSeq|UniProt|HGNC|Entrez(?:\s+Gene)?|Gene\s+ID|ClinVar|dbSNP|COSMIC|PROSPERO|"
    r"CRD|ICD(?:-\d+)?(?:-CM)?|rs|(?i:doi))\s*(?:ID|No\.?|number)?\s*[:#]?\s*[A-Za-z]*\d[\w./:-]*"
)


@dataclass(frozen=True, slots=True)
class Detector:
    """One way of finding one kind of identifier in text."""

    name: str
    """A short name, used by the field contexts (see CONTEXTS)."""
    kind: str
    """The finding's kind; its code is ``deid-<kind>``."""
    label: str
    """What the message calls it, e.g. ``telephone or fax number``."""
    find: Callable[[str, KnownPeople], Iterable[tuple[int, int]]]
    """The spans of the identifiers in a text."""
    show: Callable[[str], str]
    """How to quote a match without printing more of it than needed."""
    needs: str | None = None
    """A pattern that every text this detector finds anything in matches (its cue words, the
    shape of its digits), searched first: most texts hold none, and the search is many times
    faster than the detector (see casepress.check.deid.patterns). None: run it on every text."""
    lowered: bool = False
    """Search ``needs`` in the folded text (patterns.fold): the detector ignores case, and
    ``needs`` is written in lower case."""


@dataclass(frozen=True, slots=True)
class Match:
    """One identifier found inside a string."""

    detector: Detector
    """The detector that found it."""
    start: int
    """Offset of its first character."""
    end: int
    """Offset just past it."""


DETECTORS: tuple[Detector, ...] = (
    # Earlier detectors win where two overlap: an e-mail address holds digits that would
    # otherwise read as a phone number, a URL holds words that would read as a place.
    Detector("email", "email", "e-mail address", _find_emails, mask_email, _EMAIL_NEEDS),
    Detector("url", "url", "URL", _find_urls, show_url, r"://|www\.", True),
    Detector(
        "ip",
        "ip",
        "IP address",
        _regex_finder(f"{_IPV4}|{_IPV6}", check=_digits_between(1, 39)),
        mask,
        r"\.\d{1,3}\.\d{1,3}\.\d|:[0-9A-Fa-f:]",  # the last three octets; a group after a colon, or '::'
    ),
    Detector(
        "birth-date",
        "birth-date",
        "date of birth",
        _regex_finder(
            rf"\b(?:date\s+of\s+birth|birth\s*date|birthday|D\.?O\.?B\b\.?)\s*"
            rf"(?:[:=,-]|is|was|of)?\s*(?P<d>{_DATE}|{_YEAR})",
            re.IGNORECASE,
            "d",
        ),
        mask,
        r"birth|d\.?o\.?b",
        True,
    ),
    Detector(
        "born",
        "birth-date",
        "date of birth",
        _regex_finder(rf"\bborn\s+(?:on\s+(?:the\s+)?|in\s+)?(?P<d>{_DATE})", re.IGNORECASE, "d"),
        mask,
        r"born\s",
        True,
    ),
    Detector(
        "ssn", "id-number", "social security-like number", _regex_finder(_SSN), mask_digits, r"-\d{2}-\d{4}"
    ),
    Detector(
        "id-patient",
        "id-number",
        "record or ID number",
        _id_finder(_ID_PATIENT_CUE),
        mask,
        _id_needs(_ID_PATIENT_ENDS),
        True,
    ),
    Detector(
        "id-other",
        "id-number",
        "licence, certificate or serial number",
        _id_finder(_ID_OTHER_CUE),
        mask,
        _id_needs(_ID_OTHER_ENDS),
        True,
    ),
    Detector(
        "phone-cued",
        "phone",
        "telephone or fax number",
        _regex_finder(_PHONE_CUED, re.IGNORECASE, "v", _digits_between(7, 15)),
        mask_digits,
        _PHONE_CUED_NEEDS,
        True,
    ),
    Detector(
        "phone",
        "phone",
        "telephone or fax number",
        _regex_finder("|".join(f"(?:{p})" for p in _PHONE_FORMATS), check=_phone_digits),
        mask_digits,
        _PHONE_NEEDS,
    ),
    Detector(
        "street",
        "address",
        "street address",
        _regex_finder("|".join(f"(?:{p})" for p in _STREET_PATTERNS)),
        mask,
        _STREET_NEEDS,
    ),
    *(
        Detector(
            "postcode",
            "geo",
            "postal code",
            _regex_finder(pattern, flags, "v", _digits_between(1, 9)),
            mask,
            needs,
            lowered,
        )
        for pattern, flags, needs, lowered in _POSTCODE_PATTERNS
    ),
    Detector("age", "age-over-89", "age over 89", _find_ages, as_is, _AGE_NEEDS, True),
    Detector(
        "name-lay",
        "name",
        "personal name",
        _name_finder(_LAY_TITLE, True, False),
        as_is,
        unanchored(_LAY_TITLE),
    ),
    Detector(
        "name-academic",
        "name",
        "personal name",
        _name_finder(_ACADEMIC_TITLE, True, True),
        as_is,
        unanchored(_ACADEMIC_TITLE),
    ),
    *(
        Detector("name-cued", "name", "personal name", _name_finder(cue, False, False), as_is, needs, lowered)
        for cue, needs, lowered in _NAME_CUES
    ),
    *(
        Detector("place-cued", "geo", "place name", _place_after(cue), as_is, needs, lowered)
        for cue, needs, lowered in _PLACE_CUES
    ),
    Detector("place-unit", "geo", "place name", _find_place_units, as_is, _PLACE_UNIT_NEEDS),
    Detector(
        "long-number",
        "id-number",
        "long number (an ID?)",
        _regex_finder(_LONG_NUMBER),
        mask_digits,
        r"\d{7}",
    ),
)
"""Every text detector, in priority order."""

_ALL = frozenset(d.name for d in DETECTORS)

CONTEXTS: dict[str, frozenset[str]] = {
    # Clinical prose is about the patient: everything is looked for.
    "clinical": _ALL,
    # Statements (funding, ethics, acknowledgements) name grants, approvals, colleagues and
    # links legitimately; patient identifiers and lay-titled names are still looked for.
    "declarations": _ALL - {"url", "ip", "long-number", "id-other", "place-unit", "name-academic"},
    # Front matter describes the article and its people (affiliations name cities, the
    # citation holds page numbers): only identifiers that can only be the patient's.
    "front": frozenset(
        {"email", "ssn", "id-patient", "birth-date", "born", "age", "name-lay", "name-cued"}
    ),
    # Free text in image metadata (descriptions, comments, SVG titles).
    "metadata": _ALL - {"url", "ip"},
}
"""Which detectors run in which kind of field."""


def _safe_spans(text: str, known: KnownPeople) -> list[tuple[int, int]]:
    """Spans no detector may report: citations, cross-references, article and gene ids."""
    spans = [(g.start, g.end) for g in markup.scan(text)]
    spans += [m.span() for m in compiled(_SAFE_CUES).finditer(text)]
    spans += [m.span() for m in compiled(_EMAIL).finditer(text) if m.group(0).lower() in known.emails]
    return spans


def _overlaps(span: tuple[int, int], taken: Iterable[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


def _may_match(detector: Detector, text: str, folded: str) -> bool:
    """False when ``detector`` cannot find anything in ``text`` (its ``needs`` is missing)."""
    if detector.needs is None:
        return True
    return compiled(detector.needs).search(folded if detector.lowered else text) is not None


def scan_text(text: str, context: str, known: KnownPeople) -> list[Match]:
    """Every identifier in ``text`` that ``context``'s detectors find, in text order.

    Matches never overlap each other or a safe span; where two detectors claim the
    same characters, the earlier one in DETECTORS wins.
    """
    enabled = CONTEXTS[context]
    folded = fold(text)
    taken: list[tuple[int, int]] | None = None  # the safe spans, looked for once something is found
    found: list[Match] = []
    for detector in DETECTORS:
        if detector.name not in enabled or not _may_match(detector, text, folded):
            continue
        for start, end in detector.find(text, known):
            if taken is None:
                taken = _safe_spans(text, known)
            if not _overlaps((start, end), taken):
                taken.append((start, end))
                found.append(Match(detector, start, end))
    return sorted(found, key=lambda m: m.start)
