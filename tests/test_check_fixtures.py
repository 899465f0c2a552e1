"""Every folder under tests/cases/ is a case with the exact diagnostics `casepress check` must print.

Each scenario folder holds a ``case.yaml`` (and whatever files it needs) and an
``expected.txt`` with the complete stderr of ``casepress check <folder>``. The
exit code follows from it: 1 when an error is expected, 0 otherwise.
Regenerate with ``CASEPRESS_REGEN=1 pytest tests/test_check_fixtures.py`` and
review the diff.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from casepress.cli import main

from .conftest import REGENERATE, REPO

SCENARIOS = sorted(p for p in (REPO / "tests" / "cases").iterdir() if (p / "case.yaml").is_file())


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_check_prints_expected_diagnostics(
    scenario: Path, in_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = scenario.relative_to(REPO).as_posix()
    code = main(["check", folder])
    captured = capsys.readouterr()
    expected_file = scenario / "expected.txt"
    if REGENERATE:
        expected_file.write_text(captured.err, encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8")
    assert captured.err == expected
    assert "Traceback" not in captured.err
    assert code == (1 if "error[" in expected else 0)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_json_format_matches_text(scenario: Path, in_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = scenario.relative_to(REPO).as_posix()
    main(["check", folder, "--format", "json"])
    records = json.loads(capsys.readouterr().out)
    main(["check", folder, "--verbose"])  # the text report with every warning on its own line
    expected = capsys.readouterr().err
    # Every record of the JSON report is one line of the text report.
    for record in records:
        assert set(record) == {"file", "line", "column", "severity", "code", "path", "message", "hint"}
        head = f"{record['file']}:{record['line']}:{record['column']}: {record['severity']}[{record['code']}]"
        assert head in expected
        assert record["message"] in expected
    located = [line for line in expected.splitlines() if re.match(r"^\S+:\d+:\d+: (error|warning)\[", line)]
    assert len(records) == len(located)


def test_every_scenario_has_expectations() -> None:
    missing = [p.name for p in SCENARIOS if not (p / "expected.txt").is_file()]
    assert not missing, f"scenarios without expected.txt: {missing}"
