"""A resolved case as the Word manuscript: python-docx and pandoc read back its headings in the
journal's order, its tables, embedded figures and every reference as printed; two builds are
byte-identical. Runs once the resolve stage is on the branch."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from casepress.outputs.submission.figures import figure_files, stripped_from_case
from casepress.outputs.word.runs import bookmark, entry_bookmark
from casepress.outputs.word.writer import abstract_words, pictures_for, text_of, write_docx

from .conftest import REPO
from .judges import pandoc_text
from .test_jats_writer import ABSTRACTS, CASES, DRAWN, resolved

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
    abstract = case.journal.config.labels.abstract  # type: ignore[attr-defined]
    assert headings[0] == abstract  # the journal's label for it, as the HTML prints it
    if journal == "bmj-case-reports":
        assert abstract == "Summary"
    own = 1 if case.case.therapeutic_intervention.interventions else 0  # type: ignore[attr-defined]
    assert len(document.tables) == len(case.tables) + own  # type: ignore[attr-defined]
    assert all(t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None for t in document.tables)
    images = sum((1 if f.figure.file or f.image else 0) + sum(1 for p in f.panels if p.file)  # type: ignore[attr-defined]
                 for f in case.figures)  # type: ignore[attr-defined]
    assert len(document.inline_shapes) == images
    assert all(s._inline.docPr.get("descr") for s in document.inline_shapes)
    for drawn in [f for f in case.figures if f.image]:  # type: ignore[attr-defined]
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


@pytest.mark.parametrize("name", sorted(ABSTRACTS))
def test_the_abstract_has_one_subheading_per_part(name: str, tmp_path: Path) -> None:
    data, _ = build(name)
    document = docx.Document(io.BytesIO(data))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    start = paragraphs.index(("Heading 1", "Abstract"))
    end = next(i for i, (style, _) in enumerate(paragraphs) if i > start and style == "Heading 1")
    titles = [title for title, _ in ABSTRACTS[name]]
    assert [text for style, text in paragraphs[start:end] if style == "Heading 2"] == titles
    assert sum(1 for style, _ in paragraphs[start:end] if style != "Heading 2") == len(titles) + 1  # + "Abstract"
    flat = " ".join(pandoc_text(data, "docx", tmp_path).split())
    positions = [flat.find(title) for title in ["Abstract", *titles]]
    assert -1 not in positions and positions == sorted(positions)


def test_the_word_count_takes_all_four_parts() -> None:
    case = resolved("four-part-abstract").case  # type: ignore[attr-defined]
    parts = [case.abstract.introduction, case.abstract.findings, case.abstract.management, case.abstract.conclusion]
    assert [len(p.split()) for p in parts] == [13, 16, 15, 14]
    assert abstract_words(case) == 58


def _text(element: object) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", DRAWN)
def test_citations_and_float_references_link_to_their_bookmarks(name: str, tmp_path: Path) -> None:
    data, case = build(name)
    document = docx.Document(io.BytesIO(data))
    body = document.element.body
    starts = list(body.iter(qn("w:bookmarkStart")))
    ids = [b.get(qn("w:id")) for b in starts]
    assert len(set(ids)) == len(ids) and ids == [b.get(qn("w:id")) for b in body.iter(qn("w:bookmarkEnd"))]
    marked = {b.get(qn("w:name")): b.getparent() for b in starts}
    # every reference list entry, in order, carries its bookmark
    entries = [p._p for p in document.paragraphs if p.style.name == "Reference"]
    assert [marked[entry_bookmark(e.key)] for e in case.references] == entries  # type: ignore[attr-defined]
    floats = {bookmark(f.id): f for f in (*case.figures, *case.tables)}  # type: ignore[attr-defined]
    assert all(_text(marked[n]).startswith(f"{f.label}. ") for n, f in floats.items())  # the captions
    links = [(h.get(qn("w:anchor")), _text(h)) for h in body.iter(qn("w:hyperlink")) if h.get(qn("w:anchor"))]
    assert links and all(anchor in marked for anchor, _ in links)
    labels = {entry_bookmark(e.key): text_of(e.label).rstrip(".") for e in case.references}  # type: ignore[attr-defined]
    for anchor, text in links:
        if anchor in labels:  # a citation number: its entry's number
            assert text == labels[anchor]
        else:  # Figure 1A, Table 2: the float's number
            assert re.match(r"\d+", text).group() == str(floats[anchor].number)  # type: ignore[union-attr]
    # every entry cited is linked, but those cited only inside a collapsed range (2–4 links 2 and 4)
    inside = {"ankle-fracture": set(), "dcis-bone-marrow": {"coleman2019", "yates2017"},
              "meningococcal-purpura-fulminans": set()}[name]
    assert set(labels) - {a for a, _ in links} == {entry_bookmark(k) for k in inside}
    assert {floats[a].id for a, _ in links if a in floats} == {
        "ankle-fracture": {"fig-xray", "fig-ct", "fig-followup", "tbl-labs", "tbl-plan"},
        "dcis-bone-marrow": {"fig-histology", "fig-ihc", "fig-pet-ct", "fig-axillary-ihc", "tbl-timeline", "tbl-labs",
                             "tbl-ihc"},
        "meningococcal-purpura-fulminans": {"fig-findings", "fig-timeline", "tbl-labs", "tbl-phoenix",
                                            "tbl-resuscitation", "tbl-timeline"}}[name]
    # pandoc reads the links back as links to the entry's and the caption's anchors
    html = pandoc_text(data, "docx", tmp_path, to="html")
    first = case.references[0]  # type: ignore[attr-defined]
    assert f'<a href="#{entry_bookmark(first.key)}">{labels[entry_bookmark(first.key)]}</a>' in html
    assert f'<span id="{entry_bookmark(first.key)}" class="anchor"></span>' in html
    figure = next(f for f in case.figures if bookmark(f.id) in {a for a, _ in links})  # type: ignore[attr-defined]
    assert f'<span id="{bookmark(figure.id)}" class="anchor"></span>' in html
    assert f'<a href="#{bookmark(figure.id)}">{figure.number}' in html


def test_bookmark_names_are_what_word_keeps() -> None:
    assert bookmark("fig-xray") == "fig_xray" and entry_bookmark("allred2010") == "ref_allred2010"
    odd = [entry_bookmark(k) for k in ("smith:2010", "a-b", "a_b", "x" * 60, "x" * 61, "müller2020")]
    assert odd[1] == "ref_a_b" and len(set(odd)) == len(odd)
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,39}", n) for n in odd)
    assert odd[0] == "ref_smith_2010_" + hashlib.sha256(b"ref-smith:2010").hexdigest()[:12]


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
