"""A bibliography read from the project's output folder (inside the project, but never an input)."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    text = base.replace("bibliography: []", "bibliography: [../../output/refs.bib]")
    (folder / "case.yaml").write_text(text, encoding="utf-8")
    (folder.parent.parent / "output").mkdir()
    (folder.parent.parent / "output" / "refs.bib").write_text("@article{a, title={A}, year={2020}}\\n", encoding="utf-8")
