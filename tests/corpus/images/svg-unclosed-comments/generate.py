"""A 1 MB SVG of 250,000 unclosed '<!--' (the regular-expression stripper was quadratic on it)."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="40">\n' + "<!--" * 250_000
    (folder / "drawing.svg").write_text(svg, encoding="utf-8")
    text = base.replace("Fixture.}]", "See @fig-x.}]") + """figures:
  - id: fig-x
    file: drawing.svg
    caption: A figure.
    alt: A figure.
"""
    (folder / "case.yaml").write_text(text, encoding="utf-8")
