"""A bibliography name of 5,000 characters."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    text = base.replace("bibliography: []", "bibliography: [" + "a" * 5000 + ".bib]")
    (folder / "case.yaml").write_text(text, encoding="utf-8")

