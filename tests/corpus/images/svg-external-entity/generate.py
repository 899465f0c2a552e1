"""An SVG declaring an external entity (file:///etc/hostname) and using it in its text."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    text = base.replace("Fixture.}]", "See @fig-x.}]") + """figures:
  - id: fig-x
    file: drawing.svg
    caption: A figure.
    alt: A figure.
"""
    (folder / "case.yaml").write_text(text, encoding="utf-8")
