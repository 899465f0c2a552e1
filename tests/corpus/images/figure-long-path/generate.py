"""A figure path 5,000 characters long."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    name = "figures/" + "x" * 4988 + ".png"
    assert len(name) == 5000
    text = base.replace("Fixture.}]", "See @fig-x.}]") + f"""figures:
  - id: fig-x
    file: {name}
    caption: A figure.
    alt: A figure.
"""
    (folder / "case.yaml").write_text(text, encoding="utf-8")
