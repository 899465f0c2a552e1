"""A PNG saved under an .svg name: the PDF would lose it silently (laid out as SVG)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image


def generate(folder: Path, base: str) -> None:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(out, "PNG")
    (folder / "drawing.svg").write_bytes(out.getvalue())
    text = base.replace("Fixture.}]", "See @fig-x.}]") + """figures:
  - id: fig-x
    file: drawing.svg
    caption: A figure.
    alt: A figure.
"""
    (folder / "case.yaml").write_text(text, encoding="utf-8")
