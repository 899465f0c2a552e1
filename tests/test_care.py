"""`casepress care` on the reference case: 30 items, statuses, and page numbers that match the PDF."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from casepress.model.care import checklist
from casepress.cli import main

from .conftest import REPO


@pytest.fixture(scope="module")
def care(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, dict], Path]:
    out = tmp_path_factory.mktemp("care")
    monkey = pytest.MonkeyPatch()
    monkey.chdir(REPO)
    try:
        # The article PDF (build) and the checklist (care) are laid out from the same sources.
        assert main(["build", "cases/dcis-bone-marrow", "--output", str(out), "--force"]) == 0
        capture = subprocess.run(
            [str(Path(__import__("sys").executable).parent / "casepress"), "care", "cases/dcis-bone-marrow",
             "--format", "json", "--output", str(out)],
            cwd=REPO, capture_output=True, text=True, check=False,
        )
    finally:
        monkey.undo()
    assert capture.returncode == 0, capture.stderr
    payload = json.loads(capture.stdout)
    items = {item["id"]: item for item in payload["cases"][0]["items"]}
    return items, out / "dcis-bone-marrow"


def _page_text(pdf: Path, page: int) -> str:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    text = " ".join(text.replace("\u00ad", "").split())
    return re.sub(r"(\w)[\u2010-] (\w)", r"\1\2", text)  # undo hyphenation at line ends


def test_thirty_items_in_checklist_order(care: tuple[dict[str, dict], Path]) -> None:
    items, _ = care
    assert list(items) == [i.id for i in checklist()]
    assert len(items) == 30


def test_patient_perspective_is_not_reported_with_its_reason(care: tuple[dict[str, dict], Path]) -> None:
    item = care[0]["12"]
    assert item["status"] == "not reported"
    assert item["reason"].startswith("The article carries no patient perspective")
    assert item["pages"] == []


def test_timeline_is_reported_by_the_generated_table(care: tuple[dict[str, dict], Path]) -> None:
    items, _ = care
    item = items["7"]
    assert item["status"] == "reported"
    assert [p["anchor"] for p in item["places"]] == ["tbl-timeline"]
    assert item["places"][0]["section"] == "TABLE 1"


@pytest.mark.parametrize("item_id, text", [
    ("1", "Bone marrow metastasis and bone marrow necrosis occurring 11 years"),
    ("4", "Breast ductal carcinoma in situ (DCIS) is characterized by abnormal epithelial cells"),
    ("7", "TABLE 1"),
    ("11d", "We describe a rare case of a female patient who developed symptomatic bone marrow"),
    ("13", "Written informed consent was obtained from the individual(s)"),
])
def test_page_numbers_match_the_pdf(care: tuple[dict[str, dict], Path], item_id: str, text: str) -> None:
    items, folder = care
    pages = items[item_id]["pages"]
    assert pages, f"item {item_id} has no page"
    pdf = folder / "dcis-bone-marrow.pdf"
    found = [p for p in range(1, 30) if p <= _count(pdf) and text in _page_text(pdf, p)]
    assert found and found[0] == pages[0], f"item {item_id}: checklist says p. {pages}, text is on p. {found}"


def _count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]


def test_checklist_files_are_written(care: tuple[dict[str, dict], Path]) -> None:
    _, folder = care
    html = (folder / "care-checklist.html").read_text(encoding="utf-8")
    assert html.count('<tr>') == 31  # header + 30 items
    assert 'href="index.html#tbl-timeline"' in html
    assert (folder / "care-checklist.pdf").read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(folder / "care-checklist.pdf"), "-"], capture_output=True, text=True, check=False).stdout
    text = " ".join(text.split())
    assert "Patient perspective" in text and "Not reported" in text
