"""The submission package: SVG rasterised at 300 dpi, figure files named for submission systems
and stripped, the deterministic zip with its manifest."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from casepress.model import Figure
from casepress.core.reproducible import build_time
from casepress.outputs.submission.figures import figure_files, stripped_from_case
from casepress.outputs.submission.package import MANIFEST, PackageFile, package_files, submission_zip
from casepress.outputs.submission.raster import svg_to_png, with_dpi
from casepress.stages.resolved import GeneratedImage

from .conftest import REPO

FIGURES = REPO / "cases/dcis-bone-marrow/figures"
WHEN = datetime(2024, 12, 23, 10, 30, 5, tzinfo=UTC)


@dataclass(frozen=True)
class Numbered:
    figure: Figure
    number: int


def test_svg_to_png_is_300_dpi_and_reproducible() -> None:
    svg = (FIGURES / "figure-1.svg").read_bytes()  # 776 x 596 CSS px
    png = svg_to_png(svg)
    image = Image.open(io.BytesIO(png))
    assert image.size == (2425, 1863)
    assert [round(d) for d in image.info["dpi"]] == [300, 300]
    assert svg_to_png(svg) == png
    # the text is drawn (with the shipped fonts): the label area is not blank
    assert image.convert("L").crop((40, 40, 120, 120)).getextrema()[0] < 128


def test_svg_that_cannot_be_drawn_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="the SVG cannot be drawn"):
        svg_to_png(b"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><rect")


def test_with_dpi_replaces_an_existing_resolution() -> None:
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG", dpi=(72, 72))
    assert [round(d) for d in Image.open(io.BytesIO(with_dpi(out.getvalue(), 600))).info["dpi"]] == [600, 600]
    assert out.getvalue().count(b"pHYs") == 1 and with_dpi(out.getvalue(), 600).count(b"pHYs") == 1


def _png_with_name(path: Path) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "Patient: Jane Doe, MRN 12345")
    Image.new("RGB", (8, 8), "white").save(path, "PNG", pnginfo=info)


def test_figure_files_are_named_stripped_and_svgs_rasterised(tmp_path: Path) -> None:
    (tmp_path / "figures").mkdir()
    _png_with_name(tmp_path / "figures" / "a.png")
    _png_with_name(tmp_path / "figures" / "b.PNG")
    (tmp_path / "figures" / "whole.svg").write_bytes((FIGURES / "figure-4.svg").read_bytes())
    panels = Figure.model_validate({
        "id": "fig-x", "caption": "x", "panels": [
            {"label": "A", "file": "figures/a.png", "alt": "a"},
            {"label": "B-C", "file": "figures/b.PNG", "alt": "b"}]})
    whole = Figure.model_validate({"id": "fig-y", "file": "figures/whole.svg", "alt": "y", "caption": "y"})
    files = figure_files([Numbered(whole, 2), Numbered(panels, 1)], stripped_from_case(tmp_path))
    assert [(f.name, f.role) for f in files] == [
        ("Figure-1A.png", "figure"), ("Figure-1B-C.png", "figure"),
        ("Figure-2.svg", "figure"), ("Figure-2.png", "figure-png")]
    assert b"Jane Doe" in (tmp_path / "figures" / "a.png").read_bytes()
    assert all(b"Jane Doe" not in f.data for f in files)
    assert Image.open(io.BytesIO(files[0].data)).size == (8, 8)  # original resolution and format


def _files() -> list[PackageFile]:
    return [PackageFile("case.xml", "jats", b"<article/>"), PackageFile("Figure-1.svg", "figure", b"<svg/>"),
            PackageFile("case.docx", "manuscript-docx", b"PK")]


def test_zip_is_deterministic_sorted_and_listed() -> None:
    data = submission_zip(_files(), WHEN)
    assert submission_zip(list(reversed(_files())), WHEN) == data
    assert submission_zip(_files(), datetime(2025, 1, 1, tzinfo=UTC)) != data  # the time is recorded
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist() == ["Figure-1.svg", "case.docx", "case.xml", MANIFEST]
    assert {i.date_time for i in archive.infolist()} == {(2024, 12, 23, 10, 30, 4)}
    listed = json.loads(archive.read(MANIFEST))["files"]
    assert [e["file"] for e in listed] == ["Figure-1.svg", "case.docx", "case.xml"]
    for entry in listed:
        body = archive.read(entry["file"])
        assert entry["size"] == len(body) and entry["sha256"] == hashlib.sha256(body).hexdigest()
    assert listed[2]["role"] == "jats"


@pytest.mark.parametrize(("files", "message"), [
    ([PackageFile("a", "jats", b""), PackageFile("a", "figure", b"")], "two files named a"),
    ([PackageFile("x/a", "jats", b"")], "cannot be a file"),
    ([PackageFile(MANIFEST, "jats", b"")], "cannot be a file"),
    ([PackageFile("a", "nonsense", b"")], "unknown role"),
])
def test_zip_refuses_bad_files(files: list[PackageFile], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        submission_zip(files, WHEN)


def test_build_time_from_source_date_epoch() -> None:
    assert build_time({"SOURCE_DATE_EPOCH": "1734949805"}) == datetime(2024, 12, 23, 10, 30, 5, tzinfo=UTC)
    assert build_time({"SOURCE_DATE_EPOCH": "soon"}).year >= 2024


def test_package_files_names_and_roles() -> None:
    files = package_files("dcis", docx=b"d", pdf=b"p", jats=b"x", checklist_pdf=b"c",
                          figures=[("Figure-1.svg", "figure", b"s"), ("Figure-1.png", "figure-png", b"g")])
    assert [(f.name, f.role) for f in files] == [
        ("dcis.docx", "manuscript-docx"), ("dcis.pdf", "manuscript-pdf"), ("dcis.xml", "jats"),
        ("care-checklist.pdf", "care-checklist"), ("Figure-1.svg", "figure"), ("Figure-1.png", "figure-png")]
    names = zipfile.ZipFile(io.BytesIO(submission_zip(files, WHEN))).namelist()
    assert names == sorted(f.name for f in files) + [MANIFEST]


@dataclass(frozen=True)
class Drawn:
    figure: Figure
    number: int
    image: GeneratedImage | None


def test_a_generated_figure_is_a_figure_file_with_its_png() -> None:
    svg = (FIGURES / "figure-4.svg").read_bytes()
    image = GeneratedImage("figures/fig-course.svg", svg, svg.decode(), "Timeline of 2 events")
    drawn = Figure.model_validate({"id": "fig-course", "generate": "timeline", "caption": "The course."})
    whole = Figure.model_validate({"id": "fig-y", "file": "figures/whole.png", "alt": "y", "caption": "y"})

    def read(name: str) -> bytes:
        assert name == "figures/whole.png"  # the drawn figure is not read from the case
        return b"png"

    files = figure_files([Drawn(drawn, 2, image), Drawn(whole, 1, None)], read)
    assert [(f.name, f.role, f.source) for f in files] == [
        ("Figure-1.png", "figure", "figures/whole.png"),
        ("Figure-2.svg", "figure", "figures/fig-course.svg"), ("Figure-2.png", "figure-png", "figures/fig-course.svg")]
    assert files[1].data == svg and files[2].data == svg_to_png(svg)
    names = zipfile.ZipFile(io.BytesIO(submission_zip(
        package_files("ankle", figures=[(f.name, f.role, f.data) for f in files]), WHEN))).namelist()
    assert names == ["Figure-1.png", "Figure-2.png", "Figure-2.svg", MANIFEST]


def test_a_drawing_is_read_back_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from casepress.outputs.submission import raster

    monkeypatch.setenv("CASEPRESS_CACHE_DIR", str(tmp_path / "cache"))
    drawing = b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="20" height="10"/></svg>'
    first = svg_to_png(drawing)
    assert list((tmp_path / "cache" / "raster").rglob("*.png"))  # kept where the cache keeps bytes
    monkeypatch.setattr(raster, "draw_svg", lambda *args: pytest.fail("drawn again"))
    assert svg_to_png(drawing) == first
    with pytest.raises(pytest.fail.Exception):  # another resolution is another drawing
        svg_to_png(drawing, dpi=150)
