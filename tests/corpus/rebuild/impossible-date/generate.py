"""An impossible date: check reports it; the rebuild digest (which reads the raw YAML) must not crash on it."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    text = base.replace("abstract:", "dates: {received: 2024-02-30}\nabstract:", 1)
    (folder / "case.yaml").write_text(text, encoding="utf-8")
