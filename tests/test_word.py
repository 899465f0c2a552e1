"""The Word manuscript's building blocks, read back by python-docx and by pandoc."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from casepress.core.diagnostics import Diagnostics
from casepress.journals.journal import load_journal
from casepress.core.project import Project
from casepress.core.reproducible import build_time
from casepress.outputs.submission.raster import svg_to_png
from casepress.outputs.word.document import FigureBlock, Manuscript, Picture, TableBlock, count_words
from casepress.outputs.word.lookup import find_reference_docx
from casepress.outputs.word.reference import STYLES, TABLE_STYLE, ReferenceOptions, make_reference

from .conftest import REPO
from .judges import pandoc_text
from .test_jats import Text, formatted_entries, reference_case

BASE_REFERENCE = REPO / "templates/base/reference.docx"


@dataclass(frozen=True)
class CellText:
    text: str
    strong: bool = False


@dataclass(frozen=True)
class Prose:
    path: tuple[str | int, ...]
    text: str


class LineBreak:
    pass


def build(when: datetime) -> bytes:
    checked = reference_case()
    case = checked.case
    writer = Manuscript(BASE_REFERENCE, when)
    abstract = str(case.abstract)
    writer.title_page(case, [("abstract", count_words(abstract)), ("main text", 1234)])
    writer.heading("Abstract", 1)
    writer.prose(abstract)
    writer.heading("Case description", 1)
    writer.heading("Patient information", 2)
    writer.prose(str(case.patient_information.presentation) + "\n\n- first\n- second")
    figure = case.figures[0]
    writer.figure(FigureBlock(
        "Figure 1", None, ("figures", 0, "caption"),
        tuple((p.label.replace("-", "–"), str(p.caption), ("figures", 0, "panels", i, "caption"))
              for i, p in enumerate(figure.panels)),
        (Picture(svg_to_png((checked.case_dir / str(figure.file)).read_bytes()), str(figure.alt), "Figure-1.png"),)))
    writer.table(TableBlock(
        "Table 1", "Laboratory *results*", ("tables", 1, "caption"),
        ((CellText("Analyte"),), (CellText("Value"),)),
        tuple(((CellText(f"Analyte {i}"),), (CellText("16", strong=True), LineBreak(), Prose(("x",), "*low*")))
              for i in range(40)),
        row_headers=True, notes=("Bold: outside the reference range.",)))
    writer.references("References", [(e.label, e.formatted or ()) for e in formatted_entries(checked)])
    writer.properties(case)
    return writer.to_bytes()


@pytest.fixture(scope="module")
def manuscript() -> bytes:
    return build(datetime(2024, 12, 23, tzinfo=UTC))


def test_python_docx_reads_styles_headings_tables_images_references(manuscript: bytes) -> None:
    document = docx.Document(io.BytesIO(manuscript))
    styled = [(p.style.name, p.text) for p in document.paragraphs]
    assert styled[0] == ("Title", "Case report: Bone marrow metastasis and bone marrow necrosis occurring 11\u00a0years "
                                  "after ductal carcinoma in situ of the breast")
    assert styled[1][1].startswith("Shuting Zhang1,2, Zhonghai Du2*, Jun Wu2")
    assert ("Heading 1", "Case description") in styled and ("Heading 2", "Patient information") in styled
    assert [s for s, t in styled if t in ("first", "second")] == ["List Bullet", "List Bullet"]
    references = [t for s, t in styled if s == "Reference"]
    assert len(references) == 48 and references[0].startswith("1.\tAllred DC.")
    title_runs = document.paragraphs[0].runs
    assert [r.text for r in title_runs if r.italic] == ["in situ"]
    byline = document.paragraphs[1].runs
    assert [r.text for r in byline if r.font.superscript] == ["1,2", "2*", "2", "2", "3"]
    assert "Word count: abstract 228; main text 1234" in [t for _, t in styled]
    # the figure: embedded with its alt text as Word's description, caption with panel letters
    assert len(document.inline_shapes) == 1
    doc_pr = document.inline_shapes[0]._inline.docPr
    assert doc_pr.get("descr", "").startswith("Placeholder image") and doc_pr.get("name") == "Figure-1.png"
    caption = next(t for s, t in styled if s == "Caption" and t.startswith("Figure 1."))
    assert "(A–C) Hematoxylin-eosin staining" in caption and "(G–I)" in caption
    table = document.tables[0]
    assert table.style.name == TABLE_STYLE and len(table.rows) == 41
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert table.cell(1, 1).text == "16\nlow" and table.cell(1, 1).paragraphs[0].runs[0].bold
    props = document.core_properties
    assert props.title.startswith("Case report: Bone marrow") and props.author.startswith("Shuting Zhang; Zhonghai Du")
    assert props.keywords.startswith("ductal carcinoma in situ, bone marrow metastasis") and props.language == "en"
    assert props.created == props.modified == datetime(2024, 12, 23, tzinfo=UTC)


def test_pandoc_reads_the_manuscript(manuscript: bytes, tmp_path: Path) -> None:
    text = pandoc_text(manuscript, "docx", tmp_path)
    for expected in ("Case report: Bone marrow metastasis", "Case description", "Patient information",
                     "Analyte 39", "Allred DC. Ductal carcinoma in situ", "Sun", "Keywords:"):
        assert expected in text


def test_two_builds_are_byte_identical_and_carry_the_build_time(manuscript: bytes) -> None:
    when = build_time({"SOURCE_DATE_EPOCH": str(int(datetime(2024, 12, 23, tzinfo=UTC).timestamp()))})
    assert build(when) == manuscript
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(manuscript)).infolist()} == {(2024, 12, 23, 0, 0, 0)}
    assert build(datetime(2025, 1, 2, tzinfo=UTC)) != manuscript


def test_shipped_reference_document_is_reproducible_and_has_the_styles() -> None:
    assert make_reference() == BASE_REFERENCE.read_bytes(), "regenerate: scripts/make-reference-docx"
    document = docx.Document(str(BASE_REFERENCE))
    names = {s.name for s in document.styles}
    assert set(STYLES) | {TABLE_STYLE} <= names


def test_a_journal_reference_docx_wins_and_its_settings_apply(tmp_path: Path) -> None:
    journal_dir = tmp_path / "templates" / "journals" / "review"
    journal_dir.mkdir(parents=True)
    (journal_dir / "journal.yaml").write_text("name: Review\nextends: frontiers\n", encoding="utf-8")
    (journal_dir / "reference.docx").write_bytes(make_reference(ReferenceOptions(double_spacing=True, line_numbers=True)))
    diagnostics = Diagnostics()
    journal = load_journal(Project(tmp_path), "review", diagnostics)
    assert journal is not None, diagnostics
    found = find_reference_docx(journal, tmp_path / "cases" / "x")
    assert found == journal_dir / "reference.docx"
    writer = Manuscript(found, datetime(2024, 1, 1, tzinfo=UTC))
    writer.prose("Text.")
    document = docx.Document(io.BytesIO(writer.to_bytes()))
    assert document.styles["Normal"].paragraph_format.line_spacing == 2.0
    assert document.sections[0]._sectPr.find(qn("w:lnNumType")) is not None
    # without a journal file, the base reference document is found through the same chain
    plain = load_journal(Project(tmp_path), "frontiers", diagnostics)
    assert plain is not None and find_reference_docx(plain, tmp_path / "cases" / "x") == BASE_REFERENCE.resolve()


def test_count_words_leaves_citations_out() -> None:
    assert count_words("Two words [@allred2010].\n\n*Third* @fig-x here") == 4
