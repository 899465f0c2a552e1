"""A NUL byte in the middle of the title."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    (folder / "case.yaml").write_text(base.replace("knee pain", "knee\x00pain"), encoding="utf-8")
