"""A case.yaml over the size limit (limits.MAX_CASE_BYTES), padded with a comment."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    (folder / "case.yaml").write_text(base + "# " + "x" * (5 * 1024 * 1024) + "\n", encoding="utf-8")
