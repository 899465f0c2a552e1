"""A timeline figure that also names an image file: refused at the figure, never drawn over the file."""

from __future__ import annotations

from pathlib import Path

FIGURES = """figures:
  - id: fig-course
    generate: timeline
    file: figures/course.svg
    alt: The course.
    caption: The course of the illness.
"""


def generate(folder: Path, base: str) -> None:
    (folder / "case.yaml").write_text(base + FIGURES, encoding="utf-8")
