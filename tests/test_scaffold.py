"""`casepress new` scaffolds a case that checks clean but for placeholder warnings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casepress.cli import main


def test_new_then_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["new", "first-case"]) == 0
    case = tmp_path / "cases" / "first-case"
    assert (case / "case.yaml").is_file()
    assert (case / "references.bib").is_file()
    assert (case / "figures").is_dir()
    text = (case / "case.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../schema/case.schema.json\n")
    assert (tmp_path / "schema" / "case.schema.json").is_file()
    # Comments come from the model's docstrings and the CARE checklist.
    assert "# CARE 7. Historical and current information" in text
    capsys.readouterr()

    code = main(["check", "--format", "json"])
    records = json.loads(capsys.readouterr().out)
    assert code == 0
    assert records, "the scaffold is meant to be filled in: its TODOs must be reported"
    assert {r["code"] for r in records} == {"placeholder"}
    assert all(r["severity"] == "warning" for r in records)

    assert main(["check", "--strict"]) == 1


def test_new_refuses_to_overwrite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["new", "x"]) == 0
    (tmp_path / "cases" / "x" / "case.yaml").write_text("edited", encoding="utf-8")
    capsys.readouterr()
    assert main(["new", "x"]) == 1
    assert "error[case-exists]" in capsys.readouterr().err
    assert (tmp_path / "cases" / "x" / "case.yaml").read_text(encoding="utf-8") == "edited"
    assert sorted(p.name for p in (tmp_path / "cases").iterdir()) == ["x"]


def test_new_rejects_bad_slug(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["new", "My Case"]) == 1
    assert "error[invalid-slug]" in capsys.readouterr().err
    assert not (tmp_path / "cases").exists() or not any((tmp_path / "cases").iterdir())


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "yaml"]) == 2
    assert main(["no-such-command"]) == 2


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("casepress, version ")
