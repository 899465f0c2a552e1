"""A figure path with a NUL byte in it (written as a YAML escape)."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    text = base.replace("Fixture.}]", "See @fig-x.}]") + """figures:
  - id: fig-x
    file: "figure\\0.png"
    caption: A figure.
    alt: A figure.
"""
    (folder / "case.yaml").write_text(text, encoding="utf-8")
