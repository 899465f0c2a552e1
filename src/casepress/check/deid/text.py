"""The case's text fields: which strings are scanned in which context, each finding located."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from casepress.check.deid.detectors import DETECTORS, Match, scan_text
from casepress.check.deid.findings import Finding, KnownPeople
from casepress.core.diagnostics import FieldPath, format_path

if TYPE_CHECKING:
    from casepress.load.source import SourceDocument


_FRONT_SECTIONS = frozenset({"affiliations", "review", "publication", "source", "license"})
_SKIPPED_SECTIONS = frozenset(
    {
        "schema_version",
        "journal",
        "csl",
        "language",
        "bibliography",
        "doi",
        "dates",
        "checks",
        "authors",
        "article_type",
    }
)
"""Top-level keys holding no prose: settings, ids, the authors (see KnownPeople), ``checks``."""
_SKIPPED_KEYS = frozenset(
    {
        "id",
        "file",
        "doi",
        "orcid",
        "email",
        "url",
        "initials",
        "date",
        "after",
        "before",
        "offset",
        "care",
        "generate",
        "width",
        "kind",
        "type",
        "flag",
        "sex",
        "age_unit",
    }
)
"""Keys holding identifiers of the case's own parts, file names, links and enumerations."""

_HINTS = {
    "age-over-89": "Safe Harbor aggregates ages over 89: write '90 years or older'",
    "birth-date": "give the age at presentation instead of the date of birth",
    "geo": (
        "name no place smaller than a state or province; if it is not about the patient "
        "(e.g. the hospital's city), acknowledge it under checks.acknowledge"
    ),
    "name": "refer to people by role ('the patient', 'her husband'); cite literature with [@key]",
}
_DEFAULT_HINT = "remove it, or acknowledge it under checks.acknowledge with the reason"


def _context(path: FieldPath) -> str:
    section = path[0] if path else ""
    if section in _FRONT_SECTIONS:
        return "front"
    if section == "declarations":
        return "declarations"
    return "clinical"


def iter_text_fields(data: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, str]]:
    """Every string of the case that is text (not an id, a file name, a link or a setting)."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            if (not path and key in _SKIPPED_SECTIONS) or key in _SKIPPED_KEYS:
                continue
            yield from iter_text_fields(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from iter_text_fields(value, path + (index,))


_SCANS: dict[tuple[str, str, str], list[Match]] = {}
"""Scan results by (text, context, known people): a rebuild after an edit (watch mode)
rescans only the strings that changed. Bounded: cleared when it grows large."""


_SCANNING_CODE = ("casepress.check.deid.detectors", "casepress.check.deid.patterns", "casepress.check.deid.dates",
                  "casepress.check.deid.identifiers", "casepress.check.deid.names", "casepress.check.deid.places",
                  "casepress.check.deid.findings", "casepress.text.markup")
"""The modules whose code shapes a scan (text.markup gives the safe spans): part of its cache key."""


def scanning_code() -> str:
    """What shapes a scan besides the text and the people: the detectors' code and Python's
    (its re; code_digest holds Python's version)."""
    from casepress.core.cache import code_digest

    return code_digest(*_SCANNING_CODE)


def _scan_all(pairs: list[tuple[str, str]], known: KnownPeople, people: str) -> None:
    """Put scan_text of each (text, context) not in _SCANS there: from the cache (one record for
    all of a case's new texts, keyed by them, the known people and the code), else scanned."""
    from casepress.core.cache import JsonCache, digest

    if len(_SCANS) > 20_000:
        _SCANS.clear()
    missing = list(dict.fromkeys(p for p in pairs if (*p, people) not in _SCANS))
    if not missing:
        return
    cache = JsonCache.named("deid-scan")
    key = digest("deid-scan-v1", scanning_code(), people, missing)
    scans = _replay(cache.get(key), len(missing))
    if scans is None:
        scans = [scan_text(text, context, known) for text, context in missing]
        cache.put(key, [[[DETECTORS.index(m.detector), m.start, m.end] for m in found] for found in scans])
    for (text, context), found in zip(missing, scans):
        _SCANS[text, context, people] = found


def _replay(record: Any, count: int) -> list[list[Match]] | None:
    """A cached record back as matches; None when it is not one (a miss)."""
    if not isinstance(record, list) or len(record) != count:
        return None
    try:
        scans = [[(i, start, end) for i, start, end in found] for found in record]
    except (TypeError, ValueError):
        return None
    if not all(type(n) is int and n >= 0 for found in scans for match in found for n in match):
        return None
    if any(i >= len(DETECTORS) for found in scans for i, _, _ in found):
        return None
    return [[Match(DETECTORS[i], start, end) for i, start, end in found] for found in scans]


def text_findings(doc: SourceDocument, known: KnownPeople) -> list[Finding]:
    """Identifiers in the case's text fields, each at its exact line and column."""
    findings: list[Finding] = []
    people = known.digest()
    fields = [(path, text, _context(path)) for path, text in iter_text_fields(doc.data)]
    _scan_all([(text, context) for _, text, context in fields], known, people)
    for path, text, context in fields:
        key = (text, context, people)
        for match in _SCANS[key]:
            detector = match.detector
            matched = text[match.start : match.end]
            shown = detector.show(matched)
            findings.append(
                Finding(
                    detector.kind,
                    matched,
                    shown,
                    f"{detector.label} '{shown}'",
                    doc.location_in_text(path, match.start),
                    format_path(path),
                    _HINTS.get(detector.kind, _DEFAULT_HINT),
                )
            )
    return findings


def demographics_findings(doc: SourceDocument) -> list[Finding]:
    """The structured age, when it is over 89 years."""
    path = ("patient_information", "demographics", "age")
    age = doc.value_at(path)
    unit = doc.value_at(("patient_information", "demographics", "age_unit")) or "years"
    if isinstance(age, int) and not isinstance(age, bool) and unit == "years" and 89 < age <= 130:
        return [
            Finding(
                "age-over-89",
                str(age),
                str(age),
                f"age over 89 '{age}'",
                doc.location(path),
                format_path(path),
                _HINTS["age-over-89"],
            )
        ]
    return []
