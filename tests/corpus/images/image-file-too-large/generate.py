"""A 65 MiB figure file (sparse: it takes no disk space), over the image size limit."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    path = folder / "big.png"
    with path.open("wb") as handle:
        handle.write(b"\x89PNG\r\n\x1a\n")
        handle.truncate(65 * 1024 * 1024)
    text = base.replace("Fixture.}]", "See @fig-x.}]") + """figures:
  - id: fig-x
    file: big.png
    caption: A figure.
    alt: A figure.
"""
    (folder / "case.yaml").write_text(text, encoding="utf-8")
