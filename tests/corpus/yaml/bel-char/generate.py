"""A BEL character in an author's name."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    (folder / "case.yaml").write_text(base.replace("family: Lovelace", "family: Love\x07lace"), encoding="utf-8")
