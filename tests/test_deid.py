"""The de-identification lint (casepress.check.deid): fixtures under tests/deid/, text probes, stripping.

Every folder under tests/deid/ with a case.yaml is a scenario; its expected.txt holds
the exact diagnostics of ``check_deidentification`` (``Diagnostic.format()``, sorted,
one per line). Regenerate with ``CASEPRESS_REGEN=1 pytest tests/test_deid.py`` and
review the diff; remake the fixture images with ``python tests/deid/make_fixtures.py``.

The check is called directly (load, validate, then the check), so these tests hold
whether or not the check is registered in ``validate.CHECKS``.
"""

from __future__ import annotations

import base64
import io
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageCms, PngImagePlugin

from casepress.check import deid
from casepress.check.deid import (
    Acknowledged,
    Finding,
    KnownPeople,
    check_deidentification,
    file_hits,
    known_people,
    scan_text,
    strip_bytes,
    strip_metadata,
    text_findings,
)
from casepress.core.diagnostics import Diagnostic, Diagnostics, Location, render_text
from casepress.core.project import Project
from casepress.load.source import SourceDocument, load_yaml
from casepress.check.validate import CaseContext, validate

from .conftest import REGENERATE, REPO

FIXTURES = REPO / "tests" / "deid"
SCENARIOS = sorted(p for p in FIXTURES.iterdir() if (p / "case.yaml").is_file())
REFERENCE = REPO / "cases" / "dcis-bone-marrow" / "case.yaml"
PLANTED = FIXTURES / "planted" / "case.yaml"

needs_pydicom = pytest.mark.skipif(
    deid.load_pydicom() is None, reason="pydicom is not installed (the DICOM fixtures need it)"
)


def load(case_file: Path) -> tuple[SourceDocument, CaseContext, object]:
    """Load and validate a case as the pipeline does; the case must be valid."""
    diagnostics = Diagnostics()
    relative = case_file.relative_to(REPO)  # diagnostics show repo-relative paths
    doc = load_yaml(relative, diagnostics)
    assert doc is not None, render_text(diagnostics)
    project = Project(REPO)
    case = validate(doc, project, diagnostics)
    assert case is not None and not diagnostics.has_errors, render_text(diagnostics.errors)
    return doc, CaseContext(doc, project), case


def run_check(case_file: Path) -> list[Diagnostic]:
    """The de-identification diagnostics of one case, sorted."""
    _, ctx, case = load(case_file)
    found = Diagnostics()
    check_deidentification(case, ctx, found)  # type: ignore[arg-type]
    return found.sorted()


# --------------------------------------------------------------------------- scenarios


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_scenario_prints_expected_diagnostics(scenario: Path, in_repo: Path) -> None:
    if deid.load_pydicom() is None and any(scenario.rglob("*.dcm")):
        pytest.skip("pydicom is not installed (the DICOM fixtures need it)")
    diagnostics = run_check(scenario / "case.yaml")
    text = "".join(d.format() + "\n" for d in diagnostics)
    expected_file = scenario / "expected.txt"
    if REGENERATE:
        expected_file.write_text(text, encoding="utf-8")
    assert text == expected_file.read_text(encoding="utf-8")


def test_every_scenario_has_expectations() -> None:
    missing = [p.name for p in SCENARIOS if not (p / "expected.txt").is_file()]
    assert not missing, f"scenarios without expected.txt: {missing}"


def test_reference_case_raises_no_false_alarm(in_repo: Path) -> None:
    assert render_text(run_check(REFERENCE)) == ""


@needs_pydicom
def test_planted_identifiers_of_every_kind_are_found(in_repo: Path) -> None:
    codes = {d.code for d in run_check(PLANTED)}
    kinds = {
        # text
        "phone",
        "email",
        "id-number",
        "birth-date",
        "age-over-89",
        "address",
        "geo",
        "url",
        "ip",
        "name",
        # metadata
        "gps",
        "image-date",
        "device-id",
        "institution",
        "burned-in",
    }
    assert {f"deid-{k}" for k in kinds} <= codes


@needs_pydicom
def test_planted_metadata_fields_are_all_reported(in_repo: Path) -> None:
    messages = "\n".join(d.message for d in run_check(PLANTED))
    for key in (
        "EXIF GPSInfo",
        "EXIF DateTimeOriginal",
        "EXIF BodySerialNumber",
        "EXIF Artist",
        "EXIF CameraOwnerName",
        "XMP dc:creator",
        "XMP photoshop:City",
        "IPTC By-line",
        "IPTC City",
        "PNG Author",
        "PNG Creation Time",
        "PNG Comment",
        "SVG dc:creator",
        "SVG <title>",
        "DICOM PatientName",
        "DICOM PatientID",
        "DICOM PatientBirthDate",
        "DICOM InstitutionName",
        "DICOM ReferringPhysicianName",
        "DICOM AccessionNumber",
        "DICOM StudyDate",
        "DICOM PatientAge",
    ):
        assert f"'{key}'" in messages, key
    # Metadata values are masked; the camera's generic description holds nothing.
    metadata = "\n".join(line for line in messages.splitlines() if "' of " in line)
    assert "Jane Doe" not in metadata and "Whitfield" not in metadata and "Weifang" not in metadata
    assert "ImageDescription" not in metadata


def test_text_findings_point_at_the_identifier(in_repo: Path) -> None:
    doc, ctx, _ = load(PLANTED)
    findings = text_findings(doc, known_people(doc.data, ctx.case_dir))
    assert len(findings) > 15
    lines = doc.text.splitlines()
    for finding in findings:
        assert finding.location.line is not None and finding.location.column is not None
        at = lines[finding.location.line - 1][finding.location.column - 1 :]
        first_word = finding.text.split()[0]
        assert at.startswith(first_word), (finding, at)


def test_messages_never_print_whole_numbers_or_addresses(in_repo: Path) -> None:
    messages = "\n".join(d.message for d in run_check(PLANTED))
    for secret in (
        "00482913",
        "7946 0958",
        "margaret.w@",
        "123-45-6789",
        "XK-22918832",
        "3 March 1931",
        "221B Baker Street",
        "192.168.20.14",
        "/whitfield",
    ):
        assert secret not in messages, secret


# --------------------------------------------------------------------------- text probes

KNOWN = KnownPeople(
    emails=frozenset({"13573603087@163.com"}),
    full_names=frozenset({"shuting zhang"}),
    surnames=frozenset({"zhang", "du", "chan", "hartkopf"}),
    cited={"chan2023": frozenset({"chan"}), "hartkopf2021": frozenset({"hartkopf"})},
)

NO_FINDING = [
    # The reference case's clinical values (see the brief of the lint).
    "platelets 16 × 10⁹/L",
    "a dose of DT: 4800cGy/25f, with enhanced DT to the right breast surgical area: 800cGy/4f",
    "Tumor markers showed CA153 at 45 U/L",
    "her plasma D-dimer increased to 55.29 mg/L",
    "alkaline phosphatase had abnormally increased to 2398 U/L",
    "severe pain (NRS score 8) developed",
    "the patient was fragile (ECOG 4)",
    "estrogen receptor (ER) (+90%), progesterone receptor (PgR) (+80%)",
    "The mass measured approximately 1.5 cm × 2 cm",
    "The NSABP protocol B-17 showed a 12-year local recurrence rate of 32%",
    "out of 16,651 bone marrow biopsy specimens, only 2 cases",
    "breast cancer susceptibility gene 1 (*BRCA1*, OMIM: 113705)",
    "presented to our hospital on February 24, 2024, with fatigue",
    "admitted to the hospital in January 2013",
    "On April 19, the patient presented",
    "we report the case of a 47-year-old female patient",
    "The corresponding author is 13573603087@163.com.",
    # Literature, authors, eponyms, de-identified letters.
    "Interestingly, Chan, B. reported a case [@chan2023].",
    "Dr. Zhang reviewed the slides; Professor Hartkopf's series [@hartkopf2021] agrees.",
    "known as Trousseau syndrome, with a so-called Virchow's node",
    "Mrs. X and patient A were seen.",
    # Measurements, ranges, registries and everyday clinical numbers.
    "pH 7.35 (7.35-7.45); blood pressure 120/80 mmHg; SpO2 98%; 38.5°C; 52 kg",
    "PMID: 12345678, NCT01234567, rs80357713, doi:10.1234/5678901, ICD-10 C50.9",
    "viral load 1000000 copies/mL; 10000000 IU; 12345678 cells",
    "The patient was 35 at diagnosis; patient age (<40 years)",
    "born in 1975; a newborn in March",
    "she moved to Intensive Care; the Health District; the 10-year risk",
    "See https://doi.org/10.3389/fonc.2024.1473896 for the article.",
    # States and countries are allowed by Safe Harbor; groups and ranges are statistics.
    "A 45-year-old man from Nigeria; she lives in Shandong Province and moved to Canada.",
    "an infant aged 90 days; patients aged 90 or older [@x]; those aged 95 and over",
    # Products, markers and non-personal numbers.
    "Trade name: Herceptin; a drug called Herceptin; a protein called Ki-67; the drug was from Pfizer",
    "trial registration number: 2020-001; in 2013 2014 2015; platelets 10000000/L",
]


@pytest.mark.parametrize("text", NO_FINDING)
def test_no_false_alarm(text: str) -> None:
    found = [(m.detector.name, text[m.start : m.end]) for m in scan_text(text, "clinical", KNOWN)]
    assert found == []


FOUND = [
    ("Call +86 536 1234567 today.", "phone", "+86 536 1234567"),
    ("Call (555) 123-4567.", "phone", "(555) 123-4567"),
    ("fax: 0536-8462123", "phone", "0536-8462123"),
    ("mobile 13812345678", "phone", "13812345678"),
    ("write to jane.doe@hospital.org", "email", "jane.doe@hospital.org"),
    ("MRN: 00123456", "id-number", "00123456"),
    ("hospital number A1234567", "id-number", "A1234567"),
    ("SSN 123-45-6789", "id-number", "123-45-6789"),
    ("specimen 20240314889 was", "id-number", "20240314889"),
    ("She was born on 3 March 1931.", "birth-date", "3 March 1931"),
    ("DOB: 1931-03-03", "birth-date", "1931-03-03"),
    ("date of birth 12/03/1931", "birth-date", "12/03/1931"),
    ("a 92-year-old man", "age-over-89", "92-year-old"),
    ("a woman aged 95, seen", "age-over-89", "aged 95"),
    ("101 years old", "age-over-89", "101 years old"),
    ("a nonagenarian", "age-over-89", "nonagenarian"),
    ("in her 90s", "age-over-89", "in her 90s"),
    ("at 221B Baker Street", "address", "221B Baker Street"),
    ("No. 12 Xinhua Road", "address", "12 Xinhua Road"),
    ("P.O. Box 12", "address", "P.O. Box 12"),
    ("ZIP code 10027", "geo", "10027"),
    ("London SW1A 1AA", "geo", "SW1A 1AA"),
    ("she lives in Kuiwen District", "geo", "Kuiwen District"),
    ("a farmer from Anqiu", "geo", "Anqiu"),
    ("in Weifang City", "geo", "Weifang City"),
    ("see https://example.org/patient/smith.", "url", "https://example.org/patient/smith"),
    ("from 192.168.1.20", "ip", "192.168.1.20"),
    ("Mrs Smith came", "name", "Mrs Smith"),
    ("Dr. Jane Doe referred her", "name", "Dr. Jane Doe"),
    ("patient John was seen", "name", "John"),
    ("a man named Li Wei", "name", "Li Wei"),
    ("her husband, Wang Lei, agreed", "name", "Wang Lei"),
    ("Name: Zhang San", "name", "Zhang San"),
    ("her name is Alice.", "name", "Alice"),
    ("she was called Susan by her family", "name", "Susan"),
]


@pytest.mark.parametrize(("text", "kind", "matched"), FOUND, ids=[f[2] for f in FOUND])
def test_identifier_is_found(text: str, kind: str, matched: str) -> None:
    found = [(m.detector.kind, text[m.start : m.end]) for m in scan_text(text, "clinical", KNOWN)]
    assert found == [(kind, matched)]


def test_front_matter_and_declarations_keep_their_legitimate_content() -> None:
    affiliation = "Department of Oncology, Weifang Hospital, 261041 Weifang City, Shandong; Tel +86 536 1234567"
    assert scan_text(affiliation, "front", KNOWN) == []
    funding = "Grant No. 81872145; approval KY2024-045; data at https://osf.io/abcde. We thank Dr. Li Ming."
    assert scan_text(funding, "declarations", KNOWN) == []
    thanks = "We thank Mrs Whitfield's son."
    assert [thanks[m.start : m.end] for m in scan_text(thanks, "declarations", KNOWN)] == [
        "Mrs Whitfield"
    ]


def _probe_texts() -> list[str]:
    """The probes above, the fixtures' and the reference case's texts, and variants of each
    that change case or use the characters re's IGNORECASE equates with i and s."""
    texts = NO_FINDING + [text for text, _, _ in FOUND]
    for case_file in [REFERENCE, *(s / "case.yaml" for s in SCENARIOS)]:
        doc = load_yaml(case_file, Diagnostics())
        assert doc is not None
        texts += [text for _, text in deid.iter_text_fields(doc.data)]
    variants = [t.upper() for t in texts] + [t.lower() for t in texts] + [t.swapcase() for t in texts]
    variants += [t.replace("i", "ı").replace("s", "ſ") for t in texts] + [t.replace("I", "İ") for t in texts]
    return texts + variants


def test_a_detector_is_skipped_only_where_it_finds_nothing() -> None:
    """Detector.needs is a necessary condition of the detector: skipping it changes no finding."""
    from casepress.check.deid.detectors import _may_match
    from casepress.check.deid.patterns import fold

    skipped_wrongly = [
        (detector.name, text)
        for text in _probe_texts()
        for detector in deid.DETECTORS
        if list(detector.find(text, KNOWN)) and not _may_match(detector, text, fold(text))
    ]
    assert skipped_wrongly == []
    assert [m.detector.name for m in scan_text("Mrs Smıth, aged 95, was born on 3 March 1931", "clinical",
                                               KNOWN)] == ["name-lay", "age", "born"]


def test_cached_findings_are_the_findings(in_repo: Path) -> None:
    """A check that reads its scans and metadata hits from the cache reports what a fresh one does."""
    from casepress.check.deid import text

    text._SCANS.clear()
    first = run_check(PLANTED)  # fills the cache, if this run's cache did not hold the case yet
    text._SCANS.clear()
    assert run_check(PLANTED) == first


def test_masking() -> None:
    assert deid.mask_digits("13573603087") == "135…087"
    assert deid.mask_email("jane@hospital.org") == "j…@hospital.org"
    assert deid.show_url("https://example.org/a/b") == "https://example.org/…"
    assert deid.mask("Jane") == "J…e"


def test_acknowledgement_matches_text_or_quote_and_field_or_ancestor() -> None:
    finding = Finding(
        "phone", "+44 20 7946 0958", "442…958", "m", Location("c.yaml", 1, 1), "figures[0].file"
    )
    assert Acknowledged(0, "442…958", None).covers(finding)
    assert Acknowledged(0, "+44 20 7946 0958", "figures[0]").covers(finding)
    assert Acknowledged(0, "+44 20 7946 0958", "figures[0].file").covers(finding)
    assert not Acknowledged(0, "+44 20 7946 0958", "figures[1]").covers(finding)
    assert not Acknowledged(0, "+44 20 7946 0958", "figures[0].fil").covers(finding)
    assert not Acknowledged(0, "7946 0958", None).covers(finding)


# --------------------------------------------------------------------------- files


def test_dicom_without_pydicom_is_reported_not_skipped(
    in_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pydicom", None)  # import pydicom now raises ImportError
    dicom = [d for d in run_check(PLANTED) if d.location and d.location.file.endswith(".dcm")]
    assert [d.code for d in dicom] == ["deid-dicom-unchecked"]
    assert "pydicom is not installed" in dicom[0].message


def test_unreadable_image_is_reported(tmp_path: Path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    assert [h.kind for h in file_hits(broken, KNOWN)] == ["unreadable"]


def test_reference_figures_carry_no_metadata() -> None:
    for svg in sorted((REFERENCE.parent / "figures").glob("*.svg")):
        assert file_hits(svg, KNOWN) == [], svg


# --------------------------------------------------------------------------- stripping

ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def identifying_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x013B] = "Jane Doe"
    if orientation != 1:
        exif[0x0112] = orientation
    exif.get_ifd(0x8769)[0x9003] = "2024:03:02 10:41:07"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (36.0, 42.0, 30.5), "E", (119.0, 6.0, 15.0)
    return exif


def make_image(fmt: str, orientation: int = 1) -> bytes:
    image = Image.new("RGB", (9, 7))
    image.putdata([(x * 20, y * 30, (x + y) * 10) for y in range(7) for x in range(9)])
    out = io.BytesIO()
    if fmt == "GIF":
        image.convert("P").save(out, "GIF", comment=b"patient Eleanor Whitfield, MRN 00482913")
    elif fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Author", "Jane Doe")
        info.add_itxt("Comment", "patient Eleanor Whitfield")
        image.save(out, "PNG", pnginfo=info, exif=identifying_exif(orientation), icc_profile=ICC)
    elif fmt == "WEBP":
        image.save(
            out,
            "WEBP",
            lossless=True,
            exif=identifying_exif(orientation),
            icc_profile=ICC,
            xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>",
        )
    else:
        image.save(
            out,
            fmt,
            quality=95,
            exif=identifying_exif(orientation),
            icc_profile=ICC,
            comment=b"patient Eleanor Whitfield",
        )
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF"])
def test_strip_keeps_pixels_and_colour_and_drops_metadata(fmt: str, tmp_path: Path) -> None:
    original = make_image(fmt)
    path = tmp_path / f"figure.{fmt.lower()}"
    path.write_bytes(original)
    assert deid.raster_hits(original, KNOWN), "the test image must carry identifying metadata"
    stripped = strip_metadata(path)
    assert stripped == strip_metadata(path)  # deterministic
    assert deid.raster_hits(stripped, KNOWN) == []
    with Image.open(io.BytesIO(original)) as before, Image.open(io.BytesIO(stripped)) as after:
        assert (after.format, after.mode, after.size) == (before.format, before.mode, before.size)
        assert after.tobytes() == before.tobytes()
        assert after.info.get("icc_profile") == before.info.get("icc_profile")
        assert dict(after.getexif()) == {}
        assert not getattr(after, "text", {})
        assert "comment" not in after.info and "xmp" not in after.info


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_strip_keeps_the_orientation_alone(fmt: str) -> None:
    stripped = strip_bytes(make_image(fmt, orientation=6))
    with Image.open(io.BytesIO(stripped)) as after:
        assert dict(after.getexif()) == {0x0112: 6}


def test_strip_removes_jpeg_trailer_and_iptc() -> None:
    from tests.deid.make_fixtures import photo_jpeg

    original = photo_jpeg() + b"trailing vendor data with a serial number"
    stripped = strip_bytes(original)
    assert stripped.endswith(b"\xff\xd9")
    assert b"Photoshop 3.0" not in stripped and b"Jane Doe" not in stripped


def test_strip_svg_metadata_comments_and_embedded_images() -> None:
    embedded = base64.b64encode(make_image("JPEG")).decode("ascii")
    svg = f"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
     sodipodi:docname="whitfield-eleanor.svg">
  <!-- drawn by Jane Doe for MRN 00482913 -->
  <style><!-- rect {{ fill: red; }} --></style>
  <metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata>
  <image width="9" height="7" xlink:href="data:image/jpeg;base64,{embedded}"/>
  <rect width="4" height="4"/>
</svg>
""".encode()
    hits = {h.key for h in deid.svg_hits(svg, KNOWN)}
    assert {"SVG comment", "SVG embedded image 1 EXIF GPSInfo"} <= hits
    stripped = strip_bytes(svg)
    assert stripped == strip_bytes(svg)
    text = stripped.decode()
    assert "<metadata" not in text and "Jane Doe" not in text and "docname" not in text
    assert "<style><!-- rect { fill: red; } --></style>" in text  # CSS is not a comment
    assert deid.svg_hits(stripped, KNOWN) == []


def test_strip_planted_fixture_images_leaves_nothing_to_report() -> None:
    for name in ("photo.jpg", "scan.png"):
        stripped = strip_metadata(FIXTURES / "planted" / "figures" / name)
        assert deid.raster_hits(stripped, KNOWN) == [], name
    drawing = strip_metadata(FIXTURES / "planted" / "figures" / "drawing.svg")
    # The title is visible content, not metadata: the lint reports it, stripping keeps it.
    assert [h.key for h in deid.svg_hits(drawing, KNOWN)] == ["SVG <title>"]


def test_strip_refuses_other_formats(tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("not an image")
    with pytest.raises(ValueError, match="not a JPEG, PNG, WebP, GIF or SVG"):
        strip_metadata(other)


def test_acknowledged_scenario_has_findings_to_acknowledge(in_repo: Path) -> None:
    """Without its checks, the acknowledged fixture reports what its acknowledgements cover."""
    case_file = FIXTURES / "acknowledged" / "case.yaml"
    doc, ctx, _ = load(case_file)
    known = known_people(doc.data, ctx.case_dir)
    findings = text_findings(doc, known) + deid.file_findings(doc.data, ctx, known)
    quoted = sorted((f.code, f.shown) for f in findings)
    assert quoted == [
        ("deid-geo", "Weifang City"),
        ("deid-geo", "Weifang City"),
        ("deid-gps", "EXIF GPSInfo"),
        ("deid-name", "Wang Lei"),
        ("deid-phone", "442…958"),
        ("deid-url", "https://clinic.example.org/…"),
    ]


def test_strip_refuses_damaged_files() -> None:
    png = make_image("PNG")
    with pytest.raises(ValueError, match="truncated"):
        strip_bytes(png[:40])
    gif = make_image("GIF")
    with pytest.raises(ValueError, match="truncated GIF"):
        strip_bytes(gif[:30])


@pytest.mark.parametrize("mode", ["progressive", "restart-markers", "cmyk"])
def test_strip_jpeg_variants_keep_pixels(mode: str) -> None:
    image = Image.new("RGB", (64, 48))
    image.putdata([(x * 4, y * 5, (x + y) % 256) for y in range(48) for x in range(64)])
    out = io.BytesIO()
    if mode == "cmyk":  # Adobe's APP14 segment is needed to decode CMYK
        image.convert("CMYK").save(out, "JPEG", exif=identifying_exif())
    elif mode == "progressive":
        image.save(out, "JPEG", progressive=True, exif=identifying_exif())
    else:
        image.save(out, "JPEG", restart_marker_blocks=2, exif=identifying_exif())
    original = out.getvalue()
    stripped = strip_bytes(original)
    assert deid.raster_hits(stripped, KNOWN) == []
    with Image.open(io.BytesIO(original)) as before, Image.open(io.BytesIO(stripped)) as after:
        assert after.tobytes() == before.tobytes()
