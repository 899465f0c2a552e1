"""Golden files: what each output format holds for two cases, so that a refactor shows its diff.

For each golden build, ``tests/golden/<name>/`` keeps the article's HTML (``index.html``), the
CARE checklist's HTML (``care-checklist.html``) and, when the build lays out the PDF, the PDF's
text as ``pdftotext`` reads it (``<slug>.pdf.txt``). The builds: the reference case
(``cases/dcis-bone-marrow``) with its own journal (frontiers, with the PDF) and with the other
two shipped journals (HTML only), and a small synthetic case on the generic journal
(``tests/samples/ankle-fracture``, with the PDF).

Regenerate with ``CASEPRESS_REGEN=1 .venv/bin/python -m pytest tests/test_golden.py`` and review
the diff (``git diff tests/golden``): every change must be one you meant.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from casepress import __version__
from casepress.cli import main

from .conftest import REGENERATE, REPO

GOLDEN = REPO / "tests" / "golden"
EPOCH = "1734912000"


@dataclass(frozen=True)
class Golden:
    """One golden build."""

    name: str
    """Folder under tests/golden/."""
    case: Path
    """The case folder, relative to the repository."""
    journal: str | None = None
    """--journal, or None for the case's own."""
    pdf: bool = True
    """Lay out the PDF (and keep its text)."""


BUILDS = (
    Golden("dcis-bone-marrow", Path("cases/dcis-bone-marrow")),
    Golden("dcis-bone-marrow--generic", Path("cases/dcis-bone-marrow"), "generic", pdf=False),
    Golden("dcis-bone-marrow--bmj-case-reports", Path("cases/dcis-bone-marrow"), "bmj-case-reports", pdf=False),
    Golden("ankle-fracture", Path("tests/samples/ankle-fracture")),
)


def _normalise(text: str) -> str:
    """The version stamp is not part of the golden output (a release must not rewrite them)."""
    return text.replace(f"casepress {__version__}", "casepress VERSION")


def _outputs(golden: Golden, out: Path) -> dict[str, str]:
    folder = out / golden.case.name
    files = {name: (folder / name).read_text(encoding="utf-8") for name in ("index.html", "care-checklist.html")}
    if golden.pdf:
        pdf = folder / f"{golden.case.name}.pdf"
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        files[f"{pdf.name}.txt"] = text
    return {name: _normalise(text) for name, text in files.items()}


@pytest.mark.parametrize("golden", BUILDS, ids=[g.name for g in BUILDS])
def test_output_matches_golden_files(golden: Golden, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    args = ["build", golden.case.as_posix(), "--output", str(tmp_path), "--force"]
    args += ["--journal", golden.journal] if golden.journal else []
    args += [] if golden.pdf else ["--no-pdf"]
    assert main(args) == 0
    folder = GOLDEN / golden.name
    outputs = _outputs(golden, tmp_path)
    if REGENERATE:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in outputs.items():
            (folder / name).write_text(text, encoding="utf-8")
    expected = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    assert expected == sorted(outputs), f"{folder} is incomplete (regenerate with CASEPRESS_REGEN=1)"
    for name, text in outputs.items():
        # One file at a time, so that pytest shows the first that differs.
        assert text == (folder / name).read_text(encoding="utf-8"), f"{golden.name}/{name} differs from its golden file"
