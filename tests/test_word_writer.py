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
    assert len(document.tables) == len(case.tables)  # type: ignore[attr-defined]
    assert all(t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None for t in document.tables)
    images = sum((1 if f.figure.file or f.image else 0) + sum(1 for p in f.panels if p.file)  # type: ignore[attr-defined]
                 for f in case.figures)  # type: ignore[attr-defined]
    assert len(document.inline_shapes) == images
    assert all(s._inline.docPr.get("descr") for s in document.inline_shapes)
    drawn = next(f for f in case.figures if f.image)  # type: ignore[attr-defined]
    assert [s._inline.docPr.get("descr") for s in document.inline_shapes
            if s._inline.docPr.get("name") == f"Figure-{drawn.number}.png"] == [drawn.image.alt]
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
