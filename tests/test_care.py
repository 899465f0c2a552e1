"""`casepress care` on the reference case: 30 items, statuses, and page numbers that match the PDF."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from casepress.model.care import care_status, checklist
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


# --------------------------------------------------------------------------- item 3: the abstract's parts


def _abstract_items(abstract: dict | str) -> dict[str, tuple[str, tuple, tuple, str | None]]:
    """CARE 3a-3d of the four-part sample with ``abstract`` in place of its own: status, home,
    reporting fields and reason of each."""
    from casepress.model import Case

    text = (REPO / "tests/samples/four-part-abstract/case.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["abstract"] = abstract
    statuses = care_status(Case.model_validate(data))
    return {s.item_id: (s.state, s.home, s.paths, s.reason) for s in statuses if s.item_id.startswith("3")}


def test_the_four_part_abstract_reports_each_item_in_its_own_part() -> None:
    text = (REPO / "tests/samples/four-part-abstract/case.yaml").read_text(encoding="utf-8")
    items = _abstract_items(yaml.safe_load(text)["abstract"])
    assert items == {item: ("reported", ("abstract", part), (("abstract", part),), None) for item, part in
                     [("3a", "introduction"), ("3b", "findings"), ("3c", "management"), ("3d", "conclusion")]}


def test_the_three_part_case_presentation_reports_3b_and_3c() -> None:
    items = _abstract_items({"introduction": "A.", "case_presentation": "B and C.", "conclusion": "D."})
    presentation = ("abstract", "case_presentation")
    assert items["3b"] == items["3c"] == ("reported", presentation, (presentation,), None)
    assert items["3a"] == ("reported", ("abstract", "introduction"), (("abstract", "introduction"),), None)
    assert items["3d"] == ("reported", ("abstract", "conclusion"), (("abstract", "conclusion"),), None)


def test_a_missing_part_is_missing_at_its_home_in_the_abstracts_form() -> None:
    four = _abstract_items({"introduction": "A.", "findings": "B.", "conclusion": "D."})
    assert four["3c"] == ("missing", ("abstract", "management"), (), None)
    three = _abstract_items({"introduction": "A.", "case_presentation": {"not_reported": "word limit"}})
    assert three["3b"] == three["3c"] == ("not_reported", ("abstract", "case_presentation"), (), "word limit")
    assert three["3d"] == ("missing", ("abstract", "conclusion"), (), None)
    neither = _abstract_items({"introduction": "A."})  # CARE's own form is where to add the rest
    assert [neither[i][1] for i in ("3b", "3c")] == [("abstract", "findings"), ("abstract", "management")]


def test_a_free_text_abstract_reports_every_part_of_item_3() -> None:
    items = _abstract_items("One paragraph.")
    assert items == {i: ("reported", ("abstract",), (("abstract",),), None) for i in ("3a", "3b", "3c", "3d")}
