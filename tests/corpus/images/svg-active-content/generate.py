"""An SVG figure with scripts, event handlers, javascript: and external links, a foreignObject
iframe, external stylesheets: it builds, and the published SVG holds none of them."""

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
