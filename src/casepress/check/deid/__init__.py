"""The de-identification lint: identifiers of the patient in the text and in the images.

A case report is about one real person. Guided by the HIPAA Safe Harbor list of 18
identifiers, :func:`check_deidentification` looks for

* identifiers in every text field of the case: telephone and fax numbers, e-mail
  addresses that are not an author's, record and other ID numbers, dates of birth,
  ages over 89, street addresses and postal codes, place names used about the
  patient, URLs and IP addresses, and names of people who are not authors;
* identifying metadata in the figures' files and in any DICOM file of the case folder:
  EXIF GPS position, capture dates, serial numbers and owner names, XMP and IPTC
  creators, PNG text chunks, SVG metadata, DICOM patient and institution fields.

Every finding is a located warning ``deid-<kind>`` that quotes no more of the
identifier than it takes to find it (``'135…087'``). A finding the authors have
reviewed is acknowledged under ``checks.acknowledge`` (with the reason); an
acknowledgement that matches nothing is itself a warning, so ``--strict`` passes only
when every finding is resolved or acknowledged.

The text detectors are regular expressions keyed on formats (``+44 20 7946 0958``)
and cue words (``MRN``, ``born on``, ``Mrs``, ``lives in``) rather than on name or
place dictionaries: a detector that needs no cue would flag every surname in the
literature review. Precision matters as much as recall, because a lint that cries
wolf is switched off; ``tests/test_deid.py`` holds the reference case to no findings.

Stripping (the copies a build publishes) lives in :mod:`casepress.check.images`;
``strip_metadata`` and ``strip_bytes`` stay importable from here.

This package holds the check itself (:func:`check_deidentification`, here) and its
parts, each importable from here too:

- :mod:`.findings`: what a finding, an acknowledgement and the known people are, and masking;
- the text detectors: :mod:`.patterns` (shared pieces), :mod:`.dates` (dates of birth,
  ages), :mod:`.identifiers` (e-mail, URLs, IP, ID and phone numbers), :mod:`.places`,
  :mod:`.names`; :mod:`.detectors` puts them in priority order and scans one text;
- :mod:`.text` finds them in the case's text fields, :mod:`.people` reads the known people;
- the image-metadata readers: :mod:`.metadata` (shared), :mod:`.raster` (EXIF, XMP,
  IPTC, PNG), :mod:`.svg`, :mod:`.dicom`; :mod:`.files` runs them on the case's files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from casepress.check.images import strip_bytes, strip_metadata  # stripping moved there; still importable from here
from casepress.check.deid.detectors import CONTEXTS, DETECTORS, Detector, Match, scan_text
from casepress.check.deid.dicom import dicom_hits, is_dicom, load_pydicom
from casepress.check.deid.files import file_findings, file_hits
from casepress.check.deid.findings import (
    Acknowledged,
    Finding,
    KnownPeople,
    as_is,
    mask,
    mask_digits,
    mask_email,
    show_url,
)
from casepress.check.deid.metadata import MetaHit
from casepress.check.deid.names import name_at
from casepress.check.deid.people import known_people
from casepress.check.deid.raster import exif_hits, iptc_hits, raster_hits, xmp_hits
from casepress.check.deid.svg import svg_hits
from casepress.check.deid.text import demographics_findings, iter_text_fields, text_findings
from casepress.core.diagnostics import Diagnostics, disabled_codes, suppressed, warning_code

if TYPE_CHECKING:
    from casepress.model import Case
    from casepress.check.context import CaseContext


def acknowledgements(data: Any) -> list[Acknowledged]:
    """``checks.acknowledge`` as written (validation reports malformed entries)."""
    checks = data.get("checks") if isinstance(data, dict) else None
    entries = checks.get("acknowledge") if isinstance(checks, dict) else None
    result: list[Acknowledged] = []
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(entry, dict) and isinstance(entry.get("text"), str):
            field = entry.get("field")
            result.append(
                Acknowledged(index, entry["text"], field if isinstance(field, str) else None)
            )
    return result


warning_code("deid", "a possible identifier of the patient (HIPAA Safe Harbor), `deid-<kind>`, in the text or "
             "in image metadata", "{n} possible identifiers", family=True)
warning_code("deid-unused-acknowledgement", "an acknowledgement in `checks.acknowledge` matches no finding")


def check_deidentification(case: Case, ctx: CaseContext, diagnostics: Diagnostics) -> None:
    """Identifiers of the patient in the text and the images are warnings, unless acknowledged.

    Reads the raw YAML rather than ``case``, so that it sees every string as
    written and still runs when some sections failed validation.
    """
    data = ctx.doc.data
    disabled = disabled_codes(data)
    if suppressed("deid", disabled):
        return
    known = known_people(data, ctx.case_dir, ctx.project.root)
    findings = text_findings(ctx.doc, known) + demographics_findings(ctx.doc)
    findings += file_findings(data, ctx, known)
    acks = acknowledgements(data)
    used: set[int] = set()
    for finding in findings:
        covering = [a.index for a in acks if a.covers(finding)]
        used.update(covering)
        if covering or suppressed(finding.code, disabled):
            continue
        diagnostics.warning(
            finding.code, finding.message, finding.location, finding.field, finding.hint
        )
    if suppressed("deid-unused-acknowledgement", disabled):
        return
    for ack in acks:
        if ack.index not in used:
            path = ("checks", "acknowledge", ack.index, "text")
            where = f" in {ack.field}" if ack.field else ""
            diagnostics.warning(
                "deid-unused-acknowledgement",
                f"acknowledgement '{ack.text}' matches no de-identification finding{where}",
                ctx.doc.location(path),
                path,
                "remove it, or quote the finding's text exactly as the warning shows it",
            )


__all__ = [
    "Acknowledged",
    "CONTEXTS",
    "DETECTORS",
    "Detector",
    "Finding",
    "KnownPeople",
    "Match",
    "MetaHit",
    "acknowledgements",
    "as_is",
    "check_deidentification",
    "demographics_findings",
    "dicom_hits",
    "exif_hits",
    "file_findings",
    "file_hits",
    "iptc_hits",
    "is_dicom",
    "iter_text_fields",
    "known_people",
    "load_pydicom",
    "mask",
    "mask_digits",
    "mask_email",
    "name_at",
    "raster_hits",
    "scan_text",
    "show_url",
    "strip_bytes",
    "strip_metadata",
    "svg_hits",
    "text_findings",
    "xmp_hits",
]
