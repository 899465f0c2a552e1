"""A 3 GB sparse file nobody names, in the case folder: the rebuild digest must not read it whole."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    (folder / "case.yaml").write_text(base, encoding="utf-8")
    with open(folder / "scan.raw", "wb") as stream:
        stream.truncate(3 * 1024**3)
