"""CARE item 3's structured abstract in its two forms: CARE's four parts (introduction,
findings, management, conclusion) and the three-part form (introduction, case_presentation,
conclusion); the mixed form is a located error; the four-part sample prints each part under its
heading in the HTML, and a journal renames the headings through its labels."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from casepress.check.validate import validate
from casepress.cli import main
from casepress.core.diagnostics import Diagnostics
from casepress.core.project import Project
from casepress.journals.journal import AbstractHeadings, Labels
from casepress.load.source import parse_yaml
from casepress.model import StructuredAbstract

from .conftest import REPO

FOUR_PART = REPO / "tests/samples/four-part-abstract"
MIXED = "the abstract mixes its two forms: 'case_presentation' (the three-part form, 3b and 3c together) " \
    "cannot go with {parts} (CARE's four-part form); use CARE's four parts (introduction, findings, " \
    "management, conclusion) or the three parts (introduction, case_presentation, conclusion)"


def _names(abstract: StructuredAbstract) -> list[str]:
    return [part.name for part, _ in abstract.written()]


def test_the_four_part_form_validates_in_reading_order() -> None:
    abstract = StructuredAbstract.model_validate(
        {"conclusion": "D.", "management": "C.", "findings": "B.", "introduction": "A."})
    assert _names(abstract) == ["introduction", "findings", "management", "conclusion"]
    assert [text for _, text in abstract.written()] == ["A.", "B.", "C.", "D."]
    assert abstract.three_part is False


def test_the_three_part_form_validates() -> None:
    abstract = StructuredAbstract.model_validate({"introduction": "A.", "case_presentation": "B and C.",
                                                  "conclusion": "D."})
    assert _names(abstract) == ["introduction", "case_presentation", "conclusion"]
    assert abstract.three_part is True
    assert [(p.name, p.care) for p in abstract.parts()] == [
        ("introduction", ("3a",)), ("case_presentation", ("3b", "3c")), ("conclusion", ("3d",))]


def test_parts_not_reported_or_absent_are_not_written() -> None:
    abstract = StructuredAbstract.model_validate({"introduction": "A.", "findings": {"not_reported": "none"}})
    assert _names(abstract) == ["introduction"]
    assert [p.name for p in abstract.parts()] == ["introduction", "findings", "management", "conclusion"]


def _diagnostics(abstract_yaml: str) -> list[tuple[str, str, str | None, int | None, int | None]]:
    text = (FOUR_PART / "case.yaml").read_text(encoding="utf-8")
    start, end = text.index("abstract:\n"), text.index("introduction: {not_reported")
    path = FOUR_PART / "case.yaml"
    diagnostics = Diagnostics()
    doc = parse_yaml(text[:start] + abstract_yaml + text[end:], path, diagnostics)
    assert doc is not None
    assert validate(doc, Project(REPO), diagnostics) is None
    line = text[:start].count("\n") + 1  # the line of 'abstract:'
    return [(d.code, d.message, d.path, d.location.line - line if d.location and d.location.line else None,
             d.location.column if d.location else None) for d in diagnostics]


@pytest.mark.parametrize("keys, parts", [
    (("findings", "management"), "'findings' and 'management'"),
    (("management",), "'management'"),
])
def test_the_mixed_form_is_a_located_error_at_case_presentation(keys: tuple[str, ...], parts: str) -> None:
    lines = ["abstract:", "  introduction: A."] + [f"  {k}: Text." for k in keys] + \
        ["  case_presentation: B and C.", "  conclusion: D.", ""]
    found = _diagnostics("\n".join(lines))
    assert found == [("abstract-form", MIXED.format(parts=parts), "abstract.case_presentation",
                      2 + len(keys), len("  case_presentation: ") + 1)]


def test_the_mixed_form_is_refused_whatever_the_key_order() -> None:
    found = _diagnostics("abstract:\n  case_presentation: B and C.\n  findings: B.\n")
    assert found == [("abstract-form", MIXED.format(parts="'findings'"), "abstract.case_presentation", 1, 22)]


def test_the_schema_refuses_the_mixed_form_and_accepts_both_forms() -> None:
    schema = json.loads((REPO / "schema/case.schema.json").read_text(encoding="utf-8"))
    abstract = {"$ref": "#/$defs/StructuredAbstract", "$defs": schema["$defs"]}
    validator = jsonschema.Draft202012Validator(abstract)
    assert validator.is_valid({"introduction": "A", "findings": "B", "management": "C", "conclusion": "D"})
    assert validator.is_valid({"introduction": "A", "case_presentation": "B", "conclusion": "D"})
    assert not validator.is_valid({"findings": "B", "case_presentation": "B"})
    assert not validator.is_valid({"management": "C", "case_presentation": "B"})


def test_a_journal_renames_some_headings_and_keeps_the_others() -> None:
    labels = Labels.model_validate({"abstract_parts": {"findings": "Case presentation"}})
    assert labels.abstract_parts == AbstractHeadings(findings="Case presentation")
    assert labels.abstract_parts.management == "Diagnosis, interventions and outcomes"


def test_the_four_part_sample_prints_each_part_under_its_heading(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    assert main(["build", "tests/samples/four-part-abstract", "--output", str(tmp_path), "--force", "--no-pdf"]) == 0
    html = (tmp_path / "four-part-abstract" / "index.html").read_text(encoding="utf-8")
    section = html[html.index('<section class="abstract"'):html.index("</section>", html.index('class="abstract"'))]
    runs = re.findall(r'<strong class="run-in">([^<]*)</strong> <span class="field" id="([^"]*)">', section)
    assert runs == [("Introduction:", "f-abstract-introduction"),
                    ("Patient concerns and clinical findings:", "f-abstract-findings"),
                    ("Diagnosis, interventions and outcomes:", "f-abstract-management"),
                    ("Conclusion:", "f-abstract-conclusion")]
    assert "it was <em>swollen</em> and" in section
    checklist = (tmp_path / "four-part-abstract" / "care-checklist.html").read_text(encoding="utf-8")
    links = re.findall(r'<td class="id">(3[a-d])</td>.*?<a href="index.html#([^"]*)">', checklist, re.S)
    assert links == [("3a", "f-abstract-introduction"), ("3b", "f-abstract-findings"),
                     ("3c", "f-abstract-management"), ("3d", "f-abstract-conclusion")]
