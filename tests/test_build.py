"""Integration: the real CLI builds the reference case; we read the HTML and the PDF like a reader would.

One build per journal is shared by the module (building is the slow part); each
test then checks one promise of the HTML or PDF issues.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from casepress.cli import main

from .conftest import REPO

REFERENCE = REPO / "cases" / "dcis-bone-marrow"
JOURNALS = ("frontiers", "generic", "bmj-case-reports")
VNU = REPO / ".cache" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
EPOCH = "1734912000"  # 2024-12-23, the article's publication date


def _build(out: Path, *extra: str) -> int:
    return main(["build", str(REFERENCE.relative_to(REPO)), "--output", str(out), "--force", *extra])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The reference case built with each journal template (PDF for the case's own, frontiers)."""
    monkey = pytest.MonkeyPatch()
    monkey.chdir(REPO)
    monkey.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkey.delenv("GITHUB_ACTIONS", raising=False)
    folders: dict[str, Path] = {}
    try:
        for journal in JOURNALS:
            out = tmp_path_factory.mktemp(journal)
            extra = ["--journal", journal] + ([] if journal == "frontiers" else ["--no-pdf"])
            assert _build(out, *extra) == 0, f"building with {journal} failed"
            folders[journal] = out / "dcis-bone-marrow"
    finally:
        monkey.undo()
    return folders


def _html(folder: Path) -> str:
    return (folder / "index.html").read_text(encoding="utf-8")


def _text(html: str) -> str:
    """Visible text with whitespace (incl. no-break spaces) normalised."""
    text = re.sub(r"<[^>]+>", "", html)
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'")
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.imgs: list[dict[str, str | None]] = []
        self.headings: list[int] = []
        self.ths: list[dict[str, str | None]] = []
        self.html_lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"] or "")
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"] or "")
        if tag == "img":
            self.imgs.append(a)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "th":
            self.ths.append(a)
        if tag == "html":
            self.html_lang = a.get("lang")


def _parse(html: str) -> _Ids:
    parser = _Ids()
    parser.feed(html)
    return parser


# --------------------------------------------------------------------------- HTML


@pytest.mark.parametrize("journal", JOURNALS)
def test_figures_tables_and_references_are_numbered(built: dict[str, Path], journal: str) -> None:
    html = _html(built[journal])
    text = _text(html)
    for n in (1, 2, 3, 4):
        assert re.search(r'<figure id="fig-[a-z-]+"[^>]*>', html)
        assert re.search(rf"(?i)figure {n}\b", text), f"Figure {n} missing"
    for n in (1, 2, 3):
        assert re.search(rf"(?i)table {n}\b", text), f"Table {n} missing"
    # Panel references as the article prints them.
    for label in ("Figures 1A–C", "Figure 2A", "(Figures 3A, B)", "(Figures 3C, D)", "Figures 1D–F",
                  "Figure 2B", "Figures 1G–I", "(Figure 4)"):
        assert label in text, f"{label!r} not in the {journal} HTML"
    assert len(re.findall(r'<li id="ref-', html)) == 48
    assert "??" not in text and "[@" not in text


@pytest.mark.parametrize("journal", JOURNALS)
def test_every_internal_link_resolves(built: dict[str, Path], journal: str) -> None:
    parsed = _parse(_html(built[journal]))
    ids = set(parsed.ids)
    assert len(ids) == len(parsed.ids), "duplicate ids"
    internal = [h[1:] for h in parsed.hrefs if h.startswith("#")]
    assert internal, "no internal links at all"
    assert sorted(set(internal) - ids) == []
    html = _html(built[journal])
    order = re.findall(r'<li id="ref-([^"]+)"', html)
    cited = {h[4:] for h in internal if h.startswith("ref-")}
    # A collapsed range (2–4) links its ends; the entries inside it are cited through the range.
    for first, last in re.findall(r'href="#ref-([^"]+)">\d+</a>–<a class="citation" href="#ref-([^"]+)"', html):
        cited.update(order[order.index(first): order.index(last) + 1])
    assert sorted(set(order) - cited) == [], "every reference is cited"


@pytest.mark.parametrize("journal", JOURNALS)
def test_html_is_accessible(built: dict[str, Path], journal: str) -> None:
    parsed = _parse(_html(built[journal]))
    assert parsed.html_lang == "en"
    assert parsed.imgs and all((img.get("alt") or "").strip() for img in parsed.imgs)
    assert parsed.headings[0] == 1 and parsed.headings.count(1) == 1
    for before, after in zip(parsed.headings, parsed.headings[1:]):
        assert after <= before + 1, f"heading level jumps from h{before} to h{after}"
    assert parsed.ths and all(th.get("scope") in ("col", "row") for th in parsed.ths)


@pytest.mark.skipif(not VNU.is_file() or shutil.which("java") is None, reason="make test installs the Nu checker")
def test_html_is_valid_per_nu_checker(built: dict[str, Path]) -> None:
    pages = [str(f / name) for f in built.values() for name in ("index.html", "care-checklist.html")]
    pages += [str(f.parent / "index.html") for f in built.values()]  # the collection index
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", *pages], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_same_sources_give_identical_html(built: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    assert _build(tmp_path, "--journal", "generic", "--no-pdf") == 0
    assert (tmp_path / "dcis-bone-marrow" / "index.html").read_bytes() == (built["generic"] / "index.html").read_bytes()


def test_assets_are_published_beside_the_page(built: dict[str, Path]) -> None:
    folder = built["frontiers"]
    html = _html(folder)
    for src in re.findall(r'(?:src|href)="([^"#:]+)"', html):
        assert (folder / src).is_file(), f"{src} is linked but not in the output folder"
    assert list((folder / "figures").glob("*.svg"))


# --------------------------------------------------------------------------- PDF


def _pdftotext(pdf: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def pdf(built: dict[str, Path]) -> Path:
    return built["frontiers"] / "dcis-bone-marrow.pdf"


def test_pdf_page_count(pdf: Path) -> None:
    # The article runs to 9 pages in print; our layout holds the same text plus three tables.
    assert 7 <= _pages(pdf) <= 14


def test_pdf_text(pdf: Path) -> None:
    text = " ".join(_pdftotext(pdf).replace("\u00ad", "").split())
    text = re.sub(r"(\w)- (\w)", r"\1\2", text)  # undo hyphenation at line ends
    assert "Bone marrow metastasis and bone marrow necrosis occurring 11 years after ductal carcinoma" in text
    assert "a noninvasive breast cancer, rarely metastasises to distant locations" in text
    for caption in ("Hematoxylin-eosin staining of surgical excision specimens of the right breast in 2013",
                    "Immunohistochemical staining of the second bone marrow biopsy in March 2024",
                    "There was no abnormal metabolism in the area of the right breast surgery or the axilla",
                    "Immunohistochemical staining of a specimen of the right axillary mass in 2024"):
        assert caption in text, caption
    assert "References" in text
    assert "Allred DC. Ductal carcinoma in situ: terminology, classification, and natural history" in text
    assert "Dissecting the heterogeneity and tumorigenesis of BRCA1 deficient mammary tumors" in text


def test_pdf_fonts_are_embedded_and_expected(pdf: Path) -> None:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    assert rows
    for row in rows:
        name, emb = row[0], row[-5]
        assert emb == "yes", f"{name} is not embedded"
        # Only the fonts shipped in templates/base/assets/fonts: no fallback to system fonts.
        assert re.search(r"\+casepress-(serif|sans|symbols)", name), f"unexpected (fallback) font {name}"


def test_pdf_is_reproducible(pdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert _build(tmp_path, "--journal", "frontiers") == 0
    assert (tmp_path / "dcis-bone-marrow" / "dcis-bone-marrow.pdf").read_bytes() == pdf.read_bytes()


def test_pdf_metadata_and_variant(pdf: Path) -> None:
    info = subprocess.run(["pdfinfo", "-meta", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Case report: Bone marrow metastasis" in info
    assert "Shuting Zhang" in info
    assert "pdfaid:part" in info and re.search(r'pdfaid:part(>|=")3', info), "PDF/A-3b is declared"


def test_pdf_links_point_inside_the_file(pdf: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(str(pdf))
    named = set(reader.named_destinations)
    internal = external = 0
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            obj = annot.get_object()
            if obj.get("/Subtype") != "/Link":
                continue
            action = obj.get("/A")
            dest = obj.get("/Dest")
            if action is not None and action.get_object().get("/S") == "/URI":
                external += 1
                assert str(action.get_object()["/URI"]).startswith(("https://doi.org/", "https://", "mailto:"))
            elif dest is not None:
                internal += 1
                if isinstance(dest, str) or hasattr(dest, "encode"):
                    assert str(dest) in named
    assert internal >= 48, "citations, figure and table references link inside the PDF"
    assert external >= 48, "DOIs are links"


def test_pdf_outline_from_headings(pdf: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    titles: list[str] = []

    def walk(items: list) -> Iterator[str]:
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield str(item.title)

    titles = list(walk(pypdf.PdfReader(str(pdf)).outline))
    assert any("Introduction" in t for t in titles)
    assert any("Discussion" in t for t in titles)
    assert any("References" in t for t in titles)


def test_pdf_ua_variant_is_tagged_with_alt_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pypdf = pytest.importorskip("pypdf")
    monkeypatch.chdir(REPO)
    assert _build(tmp_path, "--pdf-variant", "pdf/ua-1") == 0
    pdf = tmp_path / "dcis-bone-marrow" / "dcis-bone-marrow.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Tagged:\s+yes", info)
    reader = pypdf.PdfReader(str(pdf))
    alts: list[str] = []

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif hasattr(node, "keys"):
            if node.get("/S") == "/Figure" and "/Alt" in node:  # type: ignore[union-attr]
                alts.append(str(node["/Alt"]))  # type: ignore[index]
            if "/K" in node:  # type: ignore[operator]
                walk(node["/K"])  # type: ignore[index]

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    # Each figure's alt text travels into the structure tree (/Alt on its /Figure element).
    # Four placeholder images and the timeline figure drawn by casepress (its SVG's <title>).
    assert len(alts) == 5 and all(alt.startswith("Placeholder image") for alt in alts[:4]), alts
    assert alts[4].startswith("Timeline of 22 events"), alts
    # The PyPI checker covers part of PDF/UA-1: no errors (it warns that WeasyPrint does not write /Scope).
    checker = shutil.which("pdfua") or str(Path(sys.executable).parent / "pdfua")
    out = subprocess.run([checker, "check", str(pdf)], capture_output=True, text=True, check=False).stdout
    assert re.search(r"errors=0\b", out), out
