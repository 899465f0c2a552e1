"""A bibliography name holding a NUL byte."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    text = base.replace("bibliography: []", 'bibliography: ["refs\\0.bib"]')
    (folder / "case.yaml").write_text(text, encoding="utf-8")

