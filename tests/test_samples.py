"""The sample cases as a reader and a journal see them (issue 14's done-when): both cases under
``cases/`` check clean under ``--strict``, their HTML passes the Nu checker, an event known to the
minute prints its time and its elapsed hours (never a month range), and CARE's four-part abstract
fills items 3a-3d of the checklist."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from casepress.cli import main

from .conftest import REPO, SAMPLE_CASES

VNU = REPO / ".cache" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SECOND = "meningococcal-purpura-fulminans"
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


def _rows(page: str, table_id: str) -> list[list[str]]:
    """The body rows of one table of an HTML page, as the text of their cells."""
    start = page.find(f'id="{table_id}"')
    assert start >= 0, f"no table {table_id}"
    body = re.search(r"<tbody>(.*?)</tbody>", page[start:], re.S)
    assert body
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)]


def test_every_case_under_cases_is_a_sample() -> None:
    """A case added under cases/ is judged by these tests too (the list is not kept by hand alone)."""
    under_cases = {f"cases/{p.parent.name}" for p in (REPO / "cases").glob("*/case.yaml")}
    assert under_cases == {c for c in SAMPLE_CASES if c.startswith("cases/")}


def test_the_sample_cases_check_clean_under_strict(in_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--strict", *SAMPLE_CASES]) == 0
    assert capsys.readouterr().err.strip().splitlines()[-1] == "0 errors, 0 warnings"


@pytest.mark.skipif(not VNU.is_file() or shutil.which("java") is None, reason="make test installs the Nu checker")
def test_the_nu_checker_passes_every_sample(built_samples: dict[str, Path]) -> None:
    pages = [str(folder / page) for folder in built_samples.values() for page in ("index.html", "care-checklist.html")]
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", *pages], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_events_known_to_the_minute_print_their_time_and_elapsed_hours(built_samples: dict[str, Path]) -> None:
    page = (built_samples[SECOND] / "index.html").read_text(encoding="utf-8")
    rows = _rows(page, "tbl-timeline")
    assert rows[0][:2] == ["≈ Hour −8", "about 2 November 2025, 22:40"]  # 8 hours before the arrival
    assert rows[2][:2] == ["Hour 0", "06:40"]  # the arrival: the same day as the row above
    assert rows[3][:2] == ["+8 min", "06:48"]
    assert ["Hour 1.5", "08:10"] in [r[:2] for r in rows]
    assert rows[-1][:2] == ["Month 6", "May 2026"]
    assert not [r for r in rows if re.search(rf"({MONTHS})\s*(\d{{4}}\s*)?–\s*({MONTHS})", r[1])], "a month range"
    assert "Time is counted from arrival in the emergency department (Hour 0)." in page


def test_the_four_part_abstract_fills_3a_to_3d(built_samples: dict[str, Path]) -> None:
    checklist = (built_samples[SECOND] / "care-checklist.html").read_text(encoding="utf-8")
    found = {}
    for item, part in re.findall(r'<td class="id">(3[a-d])</td>.*?href="index.html#f-abstract-([a-z-]+)"', checklist, re.S):
        found[item] = part
    assert found == {"3a": "introduction", "3b": "findings", "3c": "management", "3d": "conclusion"}
    page = (built_samples[SECOND] / "index.html").read_text(encoding="utf-8")
    for part in found.values():
        assert f'id="f-abstract-{part}"' in page
