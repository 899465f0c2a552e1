"""A resolved case as one JATS file: DTD-valid for the sample cases in every shipped journal,
every figure, table, citation and statement tagged, the abstract's parts titled, pandoc reads it back.

Runs once the resolve stage (``casepress.resolve``, ``casepress.stages``) is on the branch."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from casepress.core.diagnostics import Diagnostics
from casepress.journals.journal import load_journal
from casepress.build.pipeline import check_case
from casepress.core.project import Project

from .conftest import REPO
from .judges import jats_errors, pandoc_references, pandoc_text

resolve_stage = pytest.importorskip("casepress.resolve", reason="needs the resolve stage (issue 10)")
pytest.importorskip("casepress.stages", reason="needs the resolve stage (issue 10)")

from casepress.outputs.jats.writer import write_jats  # noqa: E402

HREF = "{http://www.w3.org/1999/xlink}href"
CASES = {"dcis-bone-marrow": REPO / "cases/dcis-bone-marrow/case.yaml",
         "ankle-fracture": REPO / "tests/samples/ankle-fracture/case.yaml",
         "four-part-abstract": REPO / "tests/samples/four-part-abstract/case.yaml",
         "meningococcal-purpura-fulminans": REPO / "cases/meningococcal-purpura-fulminans/case.yaml"}


def resolved(name: str, journal: str | None = None) -> Any:
    diagnostics = Diagnostics()
    project = Project(REPO)
    checked = check_case(CASES[name], project, diagnostics)
    assert checked is not None, [str(d) for d in diagnostics]
    loaded = load_journal(project, journal or checked.case.journal, diagnostics)
    assert loaded is not None
    result = resolve_stage.resolve(checked, loaded, diagnostics)
    assert result is not None, [str(d) for d in diagnostics]
    return result


@pytest.mark.parametrize("journal", [None, "generic", "bmj-case-reports", "frontiers"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_dtd_valid_with_everything_tagged(name: str, journal: str | None) -> None:
    case = resolved(name, journal)
    data = write_jats(case, date(2025, 1, 1))
    assert jats_errors(data) == []
    root = etree.fromstring(data)
    assert root.get("article-type") == "case-report"
    assert len(root.findall("back/ref-list/ref")) == len(case.references)
    assert sorted(f.get("id") for f in root.iter("fig")) == sorted(f.id for f in case.figures)
    assert sorted(t.get("id") for t in root.iter("table-wrap")) == sorted(t.id for t in case.tables)
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    xrefs = list(root.iter("xref"))
    assert all(rid in ids for x in xrefs for rid in x.get("rid", "").split())
    cited = {rid for x in xrefs if x.get("ref-type") == "bibr" for rid in x.get("rid", "").split()}
    assert cited == {r.get("id") for r in root.findall("back/ref-list/ref")}
    assert {x.get("rid") for x in xrefs if x.get("ref-type") in ("fig", "table")} <= \
        {f.id for f in (*case.figures, *case.tables)}
    assert len(root.findall("back/sec")) + len(root.findall("back/ack")) == len(case.statements)
    assert all(s.get("specific-use", "").startswith("care:") for s in root.findall("body/sec")
               if s.get("id") in ("introduction", "discussion"))


def test_reference_case_has_48_refs_and_pandoc_reads_it(tmp_path: Path) -> None:
    data = write_jats(resolved("dcis-bone-marrow"), date(2025, 1, 1), {"figures/figure-1.svg": ("Figure-1.svg", "Figure-1.png")})
    root = etree.fromstring(data)
    assert len(root.findall("back/ref-list/ref")) == 48
    assert {x.get("rid") for x in root.iter("xref") if x.get("ref-type") in ("fig", "table")} == {
        "fig-histology", "fig-ihc", "fig-pet-ct", "fig-axillary-ihc", "tbl-timeline", "tbl-labs", "tbl-ihc"}
    assert [g.get("{http://www.w3.org/1999/xlink}href") for g in root.findall(".//fig[@id='fig-histology']//graphic")] == \
        ["Figure-1.svg", "Figure-1.png"]
    text = pandoc_text(data, "jats", tmp_path)
    assert "Case description" in text and "Conflict of interest" in text and "(1)" in text
    assert len(pandoc_references(data, tmp_path)) == 48


ABSTRACTS = {
    "four-part-abstract": [("Introduction", "care:3a"), ("Patient concerns and clinical findings", "care:3b"),
                           ("Diagnosis, interventions and outcomes", "care:3c"), ("Conclusion", "care:3d")],
    "ankle-fracture": [("Introduction", "care:3a"), ("Case presentation", "care:3b care:3c"),
                       ("Conclusion", "care:3d")],
}


@pytest.mark.parametrize("name", sorted(ABSTRACTS))
def test_the_abstract_has_one_titled_sec_per_part(name: str, tmp_path: Path) -> None:
    data = write_jats(resolved(name), date(2025, 1, 1))
    secs = etree.fromstring(data).findall("front/article-meta/abstract/sec")
    assert [(s.findtext("title"), s.get("specific-use")) for s in secs] == ABSTRACTS[name]
    assert all(len(s.findall("p")) == 1 for s in secs)
    # pandoc reads the abstract into the metadata block, one heading per part.
    metadata = pandoc_text(data, "jats", tmp_path, to="markdown").split("\n---\n")[0]
    assert re.findall(r"^  # (.+)$", metadata, re.M) == [title for title, _ in ABSTRACTS[name]]


def test_a_journal_renames_the_abstracts_titles() -> None:
    from casepress.journals.journal import AbstractHeadings
    from casepress.outputs.jats.body import abstract

    element = abstract(resolved("four-part-abstract").case, headings=AbstractHeadings(findings="Case presentation"))
    assert element is not None
    assert [t.text for t in element.iter("title")] == [
        "Introduction", "Case presentation", "Diagnosis, interventions and outcomes", "Conclusion"]


DRAWN = ("ankle-fracture", "dcis-bone-marrow", "meningococcal-purpura-fulminans")
"""The cases with a generated (timeline) figure."""


@pytest.mark.parametrize("name", DRAWN)
def test_generated_figure_has_a_graphic_to_its_file_with_its_alt_text(name: str) -> None:
    case = resolved(name)
    drawn = [f for f in case.figures if f.image is not None]
    assert [(f.id, f.image.name) for f in drawn] == [
        {"dcis-bone-marrow": ("fig-timeline", "figures/fig-timeline.svg"),
         "ankle-fracture": ("fig-course", "figures/fig-course.svg"),
         "meningococcal-purpura-fulminans": ("fig-timeline", "figures/fig-timeline.svg")}[name]]
    fig, image = drawn[0], drawn[0].image
    assert image.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<svg ')
    assert resolved(name).figures[case.figures.index(fig)].image == image  # the same bytes every time
    data = write_jats(case, date(2025, 1, 1))
    assert jats_errors(data) == []
    graphics = etree.fromstring(data).findall(f".//fig[@id='{fig.id}']/graphic")
    assert [(g.get(HREF), g.get("mime-subtype"), g.findtext("alt-text")) for g in graphics] == \
        [(image.name, "svg+xml", image.alt)]
    assert image.alt == (fig.figure.alt or image.alt) and (fig.figure.alt or image.alt.startswith("Timeline of "))  # the case's alt, else generated
    # in the submission zip's copy: the package's names, as for a figure with a file
    package = write_jats(case, date(2025, 1, 1), {image.name: (f"Figure-{fig.number}.svg", f"Figure-{fig.number}.png")})
    assert jats_errors(package) == []
    assert [g.get(HREF) for g in etree.fromstring(package).findall(f".//fig[@id='{fig.id}']/alternatives/graphic")] == \
        [f"Figure-{fig.number}.svg", f"Figure-{fig.number}.png"]
