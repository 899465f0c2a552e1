"""The text report: many warnings of one code collapse into one line; errors never do.

``--verbose`` and ``--format json`` list every diagnostic.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casepress.core.diagnostics import (
    COLLAPSE_AT,
    Diagnostic,
    Diagnostics,
    Location,
    Severity,
    render_text,
)

from .conftest import REPO


def _unused(n: int) -> list[Diagnostic]:
    return [Diagnostic(Severity.WARNING, "unused-reference", f"bibliography entry 'key{i}' is never cited",
                       Location("refs.bib", 10 * i + 1, 1)) for i in range(n)]


def test_many_warnings_of_one_code_are_one_line() -> None:
    assert render_text(_unused(113), collapse=True) == (
        "warning[unused-reference]: 113 bibliography entries are never cited: refs.bib:1:1 (key0), "
        "refs.bib:11:1 (key1), refs.bib:21:1 (key2) and 110 more (--verbose lists all)"
    )


def test_a_few_warnings_keep_their_lines() -> None:
    few = _unused(COLLAPSE_AT - 1)
    assert render_text(few, collapse=True) == render_text(few)
    assert render_text(few).count("\n") == COLLAPSE_AT - 2


def test_without_collapse_every_warning_is_listed() -> None:
    assert render_text(_unused(113)).splitlines()[112] == (
        "refs.bib:1121:1: warning[unused-reference] bibliography entry 'key112' is never cited"
    )


def test_errors_are_never_collapsed() -> None:
    errors = [Diagnostic(Severity.ERROR, "unknown-citation", f"no bibliography entry 'k{i}'",
                         Location("case.yaml", i + 1, 3), "introduction") for i in range(COLLAPSE_AT + 2)]
    assert render_text(errors, collapse=True) == render_text(errors)


def test_the_line_stands_where_the_first_stood_and_others_keep_theirs() -> None:
    other = Diagnostic(Severity.WARNING, "placeholder", "still holds placeholder text (TODO)",
                       Location("case.yaml", 4, 2), "introduction")
    error = Diagnostic(Severity.ERROR, "missing-file", "no file 'a.png'", Location("case.yaml", 9, 9), "figures[0].file")
    lines = render_text([other, *_unused(5), error], collapse=True).splitlines()
    assert lines == [
        "case.yaml:4:2: warning[placeholder] introduction: still holds placeholder text (TODO)",
        "warning[unused-reference]: 5 bibliography entries are never cited: refs.bib:1:1 (key0), "
        "refs.bib:11:1 (key1), refs.bib:21:1 (key2) and 2 more (--verbose lists all)",
        "case.yaml:9:9: error[missing-file] figures[0].file: no file 'a.png'",
    ]


def test_a_shared_hint_is_kept_and_the_field_path_names_each_place() -> None:
    found = Diagnostics()
    for i in range(6):
        found.warning("deid-name", f"personal name 'Name{i}'", Location("case.yaml", i + 1, 5),
                      ("patient_information", "presentation"), "remove it, or acknowledge it")
    assert render_text(found.items, collapse=True) == (
        "warning[deid-name]: 6 possible identifiers: case.yaml:1:5 (patient_information.presentation), "
        "case.yaml:2:5 (patient_information.presentation), case.yaml:3:5 (patient_information.presentation) "
        "and 3 more (--verbose lists all)\n"
        "    hint: remove it, or acknowledge it"
    )


def test_an_undeclared_code_still_collapses() -> None:
    odd = [Diagnostic(Severity.WARNING, "no-such-code", "something", None) for _ in range(COLLAPSE_AT)]
    assert render_text(odd, collapse=True) == (
        "warning[no-such-code]: 5 warnings: something, something, something and 2 more (--verbose lists all)"
    )


# --------------------------------------------------------------------------- the command line


@pytest.fixture
def many_unused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A valid case citing one of 113 entries, as the angioedema case of issue 14 did."""
    case = tmp_path / "cases" / "many"
    case.mkdir(parents=True)
    base = (REPO / "tests" / "corpus" / "base.yaml").read_text(encoding="utf-8")
    base = base.replace("bibliography: []", "bibliography: [references.bib]")
    base = base.replace("paragraphs: [{text: Fixture.}]", "paragraphs: [{text: 'Fixture [@key0].'}]")
    (case / "case.yaml").write_text(base, encoding="utf-8")
    entries = "".join(f"@article{{key{i},\n  author = {{Doe, Jane}},\n  title = {{Entry {i}}},\n  year = {{2020}},\n}}\n"
                      for i in range(114))
    (case / "references.bib").write_text(entries, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def test_check_collapses_and_verbose_lists_all(many_unused: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from casepress.cli import main

    assert main(["check", "cases/many"]) == 0
    assert capsys.readouterr().err == (
        "warning[unused-reference]: 113 bibliography entries are never cited: "
        "cases/many/references.bib:6:1 (key1), cases/many/references.bib:11:1 (key2), "
        "cases/many/references.bib:16:1 (key3) and 110 more (--verbose lists all)\n"
        "0 errors, 113 warnings\n"
    )
    assert main(["check", "cases/many", "--verbose"]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 114 and lines[-2] == (
        "cases/many/references.bib:566:1: warning[unused-reference] bibliography entry 'key113' is never cited"
    )
    assert main(["check", "cases/many", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 113


def test_strict_counts_every_collapsed_warning(many_unused: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from casepress.cli import main

    assert main(["check", "cases/many", "--strict"]) == 1
    assert capsys.readouterr().err.splitlines()[-2:] == [
        "0 errors, 113 warnings", "Aborted with 113 warnings in strict mode."]
