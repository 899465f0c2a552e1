"""A bibliography named by an absolute path outside the case."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    text = base.replace("bibliography: []", "bibliography: [/etc/passwd]")
    (folder / "case.yaml").write_text(text, encoding="utf-8")

