"""The resolve stage on its own: numbering, panel labels, the ICMJE legend rule, float placement,
section order and headings from journal.yaml, citations and tables as data; no build.

Cases are variations of tests/samples/ankle-fracture, copied into a temporary project (with its
own journals when a test needs one) and checked as ``casepress check`` would.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from casepress.cli import main
from casepress.core.diagnostics import Diagnostics
from casepress.outputs.html_writer import inline_html
from casepress.journals.journal import load_journal
from casepress.build.pipeline import check_case
from casepress.core.project import Project
from casepress.resolve import resolve
from casepress.resolve.citations import from_html
from casepress.stages.resolved import BlockSite, CellText, GroupId, ResolvedCase, SectionProse

from .conftest import REPO

SAMPLE = REPO / "tests" / "samples" / "ankle-fracture"


def _case(tmp_path: Path, change: Any = None, journal: str | None = None, journal_yaml: str | None = None) -> ResolvedCase:
    """The sample case (changed by ``change(data)``), resolved for ``journal`` (a journal of the
    temporary project when ``journal_yaml`` is given)."""
    folder = tmp_path / "cases" / "sample"
    shutil.copytree(SAMPLE, folder)
    data = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
    if change is not None:
        change(data)
    (folder / "case.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    if journal_yaml is not None:
        journal = journal or "test"
        (tmp_path / "templates" / "journals" / journal).mkdir(parents=True)
        (tmp_path / "templates" / "journals" / journal / "journal.yaml").write_text(journal_yaml, encoding="utf-8")
    diagnostics = Diagnostics()
    project = Project(tmp_path)
    checked = check_case(folder / "case.yaml", project, diagnostics)
    assert checked is not None, [str(d) for d in diagnostics]
    loaded = load_journal(project, journal or checked.case.journal, diagnostics)
    assert loaded is not None, [str(d) for d in diagnostics]
    resolved = resolve(checked, loaded, diagnostics)
    assert resolved is not None, [str(d) for d in diagnostics]
    return resolved


def _numbers(resolved: ResolvedCase) -> dict[str, int]:
    return {f.id: f.number for f in (*resolved.figures, *resolved.tables)}


def _references(resolved: ResolvedCase) -> list[str]:
    return [e.key for e in resolved.references]


def _label(resolved: ResolvedCase, field: tuple[str | int, ...], ordinal: int = 0) -> list[str]:
    group = resolved.groups[GroupId(field, ordinal)]
    return [f"{c.word} {', '.join(p.text for p in c.parts)}" for c in group.crossrefs]


@pytest.fixture
def sample(tmp_path: Path) -> ResolvedCase:
    return _case(tmp_path)


# --------------------------------------------------------------------------- numbering


def test_floats_are_numbered_by_first_mention_and_unmentioned_ones_last(sample: ResolvedCase) -> None:
    assert _numbers(sample) == {
        "fig-xray": 1,            # presenting concerns
        "fig-ct": 2,              # imaging
        "fig-followup": 3,        # first mentioned in the notes of tbl-plan, when that is set
        "fig-classification": 4,  # never mentioned: after the others
        "fig-course": 5,          # the timeline figure, mentioned only in the timeline's caption (which
                                  # the generated timeline table does not print): last too
        "tbl-timeline": 1,        # set by the Timeline section before any other table
        "tbl-labs": 2,
        "tbl-plan": 3,
    }
    assert [f.label for f in sample.figures] == ["Figure 1", "Figure 2", "Figure 3", "Figure 4", "Figure 5"]


def test_citations_are_numbered_in_reading_order_legends_where_their_float_is_first_mentioned(
        sample: ResolvedCase) -> None:
    # laugehansen1950 is cited by the legend of fig-ct (first mentioned in imaging) before the
    # reasoning cites it; michelson1995 only by the legend of the figure nobody mentions: last.
    assert _references(sample) == ["gagnier2013", "riley2017", "stiell1992", "bachmann2003",
                                   "laugehansen1950", "willett2016", "michelson1995"]


def test_a_legend_citation_is_numbered_at_the_mention_not_after_the_paragraph(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["introduction"] = "The mortise view (@fig-ct) is classified [@stiell1992]. See also [@gagnier2013]."
    resolved = _case(tmp_path, change)
    # fig-ct's legend cites laugehansen1950: numbered at the mention, before stiell1992 in the same sentence.
    assert _references(resolved)[:3] == ["laugehansen1950", "stiell1992", "gagnier2013"]
    assert _numbers(resolved)["fig-ct"] == 1


def test_citation_clusters_are_data(sample: ResolvedCase) -> None:
    cluster = sample.groups[GroupId(("introduction",), 0)].citation
    assert cluster is not None
    assert [r.key for r in cluster.refs] == ["gagnier2013", "riley2017"]
    assert inline_html(cluster.text) == ('(<a class="citation" href="#ref-gagnier2013">1</a>,'
                                         '<a class="citation" href="#ref-riley2017">2</a>)')
    located = sample.groups[GroupId(("introduction",), 1)].citation
    assert located is not None and located.refs[0].prefix == "see" and located.refs[0].locator == "p. 386"


def test_two_paragraphs_with_groups_at_the_same_offset_keep_their_own_citations(tmp_path: Path) -> None:
    """Groups are told apart by their order in the field, not their offset in a paragraph: on
    main before the resolve stage, the second paragraph printed the first one's citation."""
    def change(data: dict[str, Any]) -> None:
        data["introduction"] = "[@gagnier2013] First paragraph.\n\n[@riley2017] Second paragraph."
    resolved = _case(tmp_path, change)
    first, second = (resolved.groups[GroupId(("introduction",), i)].citation for i in (0, 1))
    assert first is not None and second is not None
    assert [r.key for r in first.refs] == ["gagnier2013"] and [r.key for r in second.refs] == ["riley2017"]
    out = tmp_path / "out"
    assert main(["build", str(tmp_path / "cases" / "sample"), "--output", str(out), "--no-pdf", "--force"]) == 0
    html = (out / "sample" / "index.html").read_text(encoding="utf-8")
    assert '(<a class="citation" href="#ref-riley2017">2</a>) Second paragraph.' in html


# --------------------------------------------------------------------------- cross-references


def test_panel_and_multi_float_labels(sample: ResolvedCase) -> None:
    assert _label(sample, ("patient_information", "concerns")) == ["Figure 1A"]
    assert _label(sample, ("clinical_findings",), 1) == ["Figures 1A, B"]
    assert _label(sample, ("diagnostic_assessment", "imaging")) == ["Figures 1B, 2"]
    assert _label(sample, ("therapeutic_intervention", "types")) == ["Table 3"]
    panels = {f.id: [p.letters for p in f.panels] for f in sample.figures}
    assert panels["fig-xray"] == ["A", "B"] and panels["fig-ct"] == ["A, B"]


def test_panel_runs_and_consecutive_figures_collapse(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["figures"][1]["panels"] = [{"label": "A-C", "caption": "Three slices."}]
        data["clinical_findings"] = "See @fig-ct[A-C] and [@fig-xray; @fig-ct; @fig-followup]."
    resolved = _case(tmp_path, change)
    assert _label(resolved, ("clinical_findings",)) == ["Figures 2A–C"]
    assert _label(resolved, ("clinical_findings",), 1) == ["Figures 1–3"]
    assert [p.letters for p in resolved.figures[1].panels] == ["A–C"]


# --------------------------------------------------------------------------- placement


def test_floats_follow_the_block_of_their_first_mention(sample: ResolvedCase) -> None:
    placements = sample.placements
    assert dict(placements.after_block) == {
        BlockSite(("patient_information", "concerns"), 0): ("fig-xray",),
        BlockSite(("diagnostic_assessment", "methods"), 0): ("tbl-labs",),
        BlockSite(("diagnostic_assessment", "imaging"), 0): ("fig-ct",),
        # fig-followup is first mentioned in tbl-plan's notes: it follows tbl-plan.
        BlockSite(("therapeutic_intervention", "types"), 0): ("tbl-plan", "fig-followup"),
    }
    assert placements.in_sections == {"tbl-timeline"}
    assert placements.at_end == ("fig-classification", "fig-course")


def test_a_float_mentioned_in_a_later_paragraph_waits_for_that_paragraph(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["patient_information"]["concerns"] = "She fell.\n\nShe could not bear weight (@fig-xray[A])."
    resolved = _case(tmp_path, change)
    assert resolved.placements.after_block[BlockSite(("patient_information", "concerns"), 1)] == ("fig-xray",)


def test_floats_at_the_end_when_the_journal_says_so(tmp_path: Path) -> None:
    resolved = _case(tmp_path, journal_yaml="name: End\nextends: generic\nfloats: end\n")
    assert dict(resolved.placements.after_block) == {}
    # The timeline table is still set by the Timeline section; after the body, the floats the text
    # mentions (figures, then tables, in number order), then the others in the case's order
    # (fig-followup is mentioned only in the notes of tbl-plan: numbered when tbl-plan is set).
    assert resolved.placements.at_end == ("fig-xray", "fig-ct", "tbl-labs", "tbl-plan", "fig-classification",
                                          "fig-followup", "fig-course")
    assert _numbers(resolved)["fig-followup"] == 3


# --------------------------------------------------------------------------- sections from journal.yaml


def test_sections_follow_journal_yaml_and_decide_the_numbering(tmp_path: Path) -> None:
    journal = "name: Reordered\nsections: [discussion, introduction, clinical-findings, diagnostic-assessment]\n"
    resolved = _case(tmp_path, journal_yaml=journal)
    assert [s.id for s in resolved.sections] == ["discussion", "introduction", "clinical-findings",
                                                 "diagnostic-assessment"]
    assert _references(resolved)[:3] == ["willett2016", "gagnier2013", "riley2017"]
    # fig-xray is mentioned first in clinical findings now (patient information is not printed).
    assert _numbers(resolved)["fig-xray"] == 1
    assert resolved.placements.after_block[BlockSite(("clinical_findings",), 1)] == ("fig-xray",)


def test_renamed_headings_anchors_and_numbers(tmp_path: Path) -> None:
    journal = ("name: Renamed\nnumber_sections: true\nsections:\n"
               "  - {id: introduction, heading: Background, anchor: background}\n"
               "  - discussion\n  - conclusion\n")
    resolved = _case(tmp_path, journal_yaml=journal)
    intro, discussion, conclusion = resolved.sections
    assert (intro.heading, intro.anchor, intro.number, intro.label) == ("Background", "background", 1, "1 Background")
    # Listed as a section of its own, the conclusion leaves the discussion's subsections.
    assert discussion.children == () and (conclusion.level, conclusion.label) == (2, "3 Conclusion")
    landmarks = {m.anchor: m.label for m in resolved.landmarks}
    assert landmarks["f-introduction"] == "1 Background" and landmarks["f-discussion-conclusion"] == "3 Conclusion"


def test_generic_sections_have_their_subsections(sample: ResolvedCase) -> None:
    pi = sample.sections[1]
    assert (pi.id, [c.heading for c in pi.children]) == ("patient-information", ["Presenting concerns", "History"])
    assert pi.items[0].kind == "demographics"  # no opening narrative: the demographics line
    discussion = next(s for s in sample.sections if s.id == "discussion")
    assert [c.id for c in discussion.children] == ["conclusion"] and discussion.children[0].level == 3
    reasoning = next(s for s in sample.sections if s.id == "diagnostic-assessment").children[0]
    assert [i.kind for i in reasoning.items] == ["prose", "differential"]


def test_bmj_and_frontiers_declare_their_order(tmp_path: Path) -> None:
    bmj = _case(tmp_path / "bmj", journal="bmj-case-reports")
    assert [s.label for s in bmj.sections] == [
        "Background", "Case presentation", "Investigations", "Differential diagnosis", "Treatment",
        "Outcome and follow-up", "Discussion", "Learning points", "Patient’s perspective"]
    assert bmj.sections[-2].boxed and [s.heading for s in bmj.statements][:3] == ["Contributors", "Funding",
                                                                                  "Competing interests"]
    frontiers = _case(tmp_path / "frontiers", journal="frontiers")
    assert [s.label for s in frontiers.sections] == [
        "1 Introduction", "2 Case description", "3 Discussion", "4 Conclusion", "5 Patient perspective"]
    narrative = frontiers.sections[1].items
    kinds = [(i.prose.path[-1] if isinstance(i, SectionProse) else i.kind) for i in narrative]
    assert kinds.index("differential") == kinds.index("reasoning") + 1


@pytest.mark.parametrize("journal_yaml, message", [
    ("name: X\nsections: [introduction, introductoin]\n", "sections: no section 'introductoin'; known: "),
    ("name: X\nsections: [patient-information, case-presentation]\n",
     "'patient-information' and 'case-presentation' both print patient_information.presentation"),
    ("name: X\nstatements: [consent]\n",
     "'informed-consent' and 'consent' both print informed_consent.statement"),
])
def test_a_layout_that_prints_a_field_twice_or_names_no_block_is_refused(
        tmp_path: Path, journal_yaml: str, message: str) -> None:
    (tmp_path / "templates" / "journals" / "x").mkdir(parents=True)
    (tmp_path / "templates" / "journals" / "x" / "journal.yaml").write_text(journal_yaml, encoding="utf-8")
    diagnostics = Diagnostics()
    assert load_journal(Project(tmp_path), "x", diagnostics) is None
    (problem,) = list(diagnostics)
    assert problem.code == "journal-config" and problem.message.startswith(message), problem.message


# --------------------------------------------------------------------------- data, not HTML


def test_generated_tables_are_cells_with_flags(sample: ResolvedCase) -> None:
    labs = next(t for t in sample.tables if t.id == "tbl-labs")
    values = {row[0].parts[0].text: row[2] for row in labs.rows}  # type: ignore[union-attr]
    assert values["HbA1c"].flag == "high" and values["HbA1c"].parts == (CellText("6.9\u00a0%\u00a0↑", strong=True),)
    assert values["25-hydroxyvitamin D"].flag == "low"
    assert values["Hemoglobin"].flag is None and values["Hemoglobin"].kind == "value"
    assert labs.footnotes[0] == "↑ above, ↓ below the reference range."
    timeline = next(t for t in sample.tables if t.id == "tbl-timeline")
    assert [c.parts[0].text for c in timeline.columns] == ["Date", "Event", "Type"]  # type: ignore[union-attr]
    assert timeline.rows[2][0].parts == (CellText("15 March 2025 (1 day after)"),) and timeline.rows[2][0].header


def test_the_timeline_is_resolved(sample: ResolvedCase) -> None:
    last = sample.timeline[-1]
    assert last.relation == "12 weeks after “Open reduction and internal fixation of the lateral malleolus”"
    assert last.approximate and last.date_text == "June 2025 (about 12 weeks after)"
    assert (last.earliest.isoformat(), last.latest.isoformat()) == ("2025-05-19T00:00:00", "2025-06-30T23:59:59.999999")


def test_landmarks_locate_fields_and_floats_in_reading_order(sample: ResolvedCase) -> None:
    marks = [(m.anchor, m.label) for m in sample.landmarks]
    assert marks[:3] == [("f-title", "Title"), ("f-abstract-introduction", "Abstract"),
                         ("f-abstract-case-presentation", "Abstract")]
    assert marks.index(("fig-xray", "Figure 1")) == marks.index(("f-patient-information-concerns",
                                                                  "Presenting concerns")) + 1
    assert ("f-declarations-funding", "Funding") in marks


@pytest.mark.parametrize("fragment", [
    '<i>Nature</i>. <b>12</b>(<sup>3</sup>); 10<sub>2</sub> <span style="font-variant:small-caps">Smith</span>',
    '<i>a <span style="font-style:normal">b</span> c</i> <span style="text-decoration:underline">u</span>',
    '<a href="https://doi.org/10.1000/a&amp;b&quot;c">doi: 10.1000/a&amp;b"c</a> &lt;x&gt; \u2019',
    '(<a class="citation" href="#ref-k&amp;y">1</a>–<a class="citation" href="#ref-z">3</a>)',
])
def test_the_citation_adapter_gives_back_the_same_markup(fragment: str) -> None:
    assert inline_html(from_html(fragment)) == fragment


def test_reference_entries_are_data_that_print_as_before(sample: ResolvedCase) -> None:
    entry = sample.references[0]
    assert entry.label is not None and inline_html(entry.label) == "1."
    assert "https://doi.org/10.1136/bcr-2013-201554" in inline_html(entry.text)
