"""Figures that are symlinks in a loop (a.png -> b.png -> a.png), and a folder symlinked into itself."""

from __future__ import annotations

import os
from pathlib import Path


def generate(folder: Path, base: str) -> None:
    os.symlink("b.png", folder / "a.png")
    os.symlink("a.png", folder / "b.png")
    (folder / "figures").mkdir()
    os.symlink(".", folder / "figures" / "again")
    text = base.replace("Fixture.}]", "See @fig-x and @fig-y.}]") + """figures:
  - id: fig-x
    file: a.png
    caption: A figure.
    alt: A figure.
  - id: fig-y
    file: figures/again/again/again/self.png
    caption: A figure.
    alt: A figure.
"""
    (folder / "case.yaml").write_text(text, encoding="utf-8")
