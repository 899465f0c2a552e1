"""A timeline figure in a case whose timeline is not reported: a located error at 'generate'."""

from __future__ import annotations

from pathlib import Path

FIGURES = """figures:
  - id: fig-course
    generate: timeline
    caption: The course of the illness (@fig-course).
"""


def generate(folder: Path, base: str) -> None:
    (folder / "case.yaml").write_text(base + FIGURES, encoding="utf-8")
