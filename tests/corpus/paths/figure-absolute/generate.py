"""A figure named by an absolute path outside the case."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    text = base + """figures:
  - id: fig-x
    file: /etc/hostname
    caption: A figure.
    alt: A figure.
"""
    (folder / "case.yaml").write_text(text, encoding="utf-8")
