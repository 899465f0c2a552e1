"""A JPEG cut off half way through its image data: check must refuse it, not only build."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image


def generate(folder: Path, base: str) -> None:
    image = Image.new("RGB", (64, 48))
    image.putdata([(x * 4, y * 5, 90) for y in range(48) for x in range(64)])
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    data = out.getvalue()
    (folder / "photo.jpg").write_bytes(data[: len(data) // 2])
    text = base.replace("Fixture.}]", "See @fig-x.}]") + """figures:
  - id: fig-x
    file: photo.jpg
    caption: A figure.
    alt: A figure.
"""
    (folder / "case.yaml").write_text(text, encoding="utf-8")
