"""A resolved case as the Word manuscript: python-docx and pandoc read back its headings in the
journal's order, its tables, embedded figures and every reference as printed; two builds are
byte-identical. Runs once the resolve stage is on the branch."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from casepress.outputs.submission.figures import figure_files, stripped_from_case
from casepress.outputs.word.writer import pictures_for, text_of, write_docx

from .conftest import REPO
from .judges import pandoc_text
from .test_jats_writer import CASES, resolved

pytest.importorskip("casepress.resolve", reason="needs the resolve stage (issue 10)")

REFERENCE = REPO / "templates/base/reference.docx"
WHEN = datetime(2024, 12, 23, tzinfo=UTC)


def build(name: str, journal: str | None = None) -> tuple[bytes, object]:
    case = resolved(name, journal)
    files = figure_files(case.figures, stripped_from_case(case.checked.case_dir))
    return write_docx(case, REFERENCE, WHEN, pictures_for(files)), case


@pytest.mark.parametrize("journal", [None, "bmj-case-reports"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_headings_tables_figures_references(name: str, journal: str | None, tmp_path: Path) -> None:
    data, case = build(name, journal)
    document = docx.Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]

    def labels(sections: object) -> list[str]:
        return [s.label for s in sections]  # type: ignore[attr-defined]

    top = labels(case.sections)  # type: ignore[attr-defined]
    assert [h for h in headings if h in top] == top
    own = 1 if case.case.therapeutic_intervention.interventions else 0  # type: ignore[attr-defined]
    assert len(document.tables) == len(case.tables) + own  # type: ignore[attr-defined]
    assert all(t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None for t in document.tables)
    images = sum((1 if f.figure.file else 0) + sum(1 for p in f.panels if p.file) for f in case.figures)  # type: ignore[attr-defined]
    assert len(document.inline_shapes) == images
    assert all(s._inline.docPr.get("descr") for s in document.inline_shapes)
    references = [p.text for p in document.paragraphs if p.style.name == "Reference"]
    printed = [text_of(e.text) for e in case.references]  # type: ignore[attr-defined]
    assert [r.split("\t", 1)[-1] for r in references] == printed
    text = pandoc_text(data, "docx", tmp_path)
    flat = " ".join(text.split())
    assert all(" ".join(p.split()) in flat for p in printed)


def test_reference_case_is_byte_identical_twice() -> None:
    first, case = build("dcis-bone-marrow")
    assert build("dcis-bone-marrow")[0] == first
    document = docx.Document(io.BytesIO(first))
    assert len([p for p in document.paragraphs if p.style.name == "Reference"]) == 48


def test_interventions_are_a_table_with_an_unnumbered_caption() -> None:
    data, _ = build("dcis-bone-marrow", "bmj-case-reports")
    document = docx.Document(io.BytesIO(data))
    (table,) = [t for t in document.tables if t.rows[0].cells[0].text == "Intervention"]
    assert [c.text for c in table.rows[0].cells] == ["Intervention", "Dose", "Frequency", "Duration", "Started"]
    assert [c.text for c in table.rows[3].cells] == [
        "Tamoxifen", "20 mg", "daily", "a few days (stopped by the patient after discharge)", "2013"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    body = document.element.body
    caption = table._tbl.getprevious()
    assert "".join(t.text for t in caption.iter(qn("w:t"))) == "Interventions"
    after = table._tbl.getnext()
    assert "".join(t.text for t in after.iter(qn("w:t"))) == "— not stated."
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    position = list(body).index(table._tbl)
    treatment = next(p for p in document.paragraphs if p.style.name == "Heading 1" and p.text == "Treatment")
    follow = next(p for p in document.paragraphs if p.style.name == "Heading 1" and p.text == headings[headings.index("Treatment") + 1])
    assert list(body).index(treatment._p) < position < list(body).index(follow._p)
