"""A publication year of 10^20."""

from __future__ import annotations

from pathlib import Path

TIMELINE = "timeline: {not_reported: fixture}"

def generate(folder: Path, base: str) -> None:
    (folder / "case.yaml").write_text(base.replace("timeline: {not_reported: fixture}", TIMELINE).replace("journal: generic", "journal: generic\npublication: {journal: Fixture Journal, year: 100000000000000000000}"), encoding="utf-8")
