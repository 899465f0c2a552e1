"""A received date in year 1 and an event in year 0001-01."""

from __future__ import annotations

from pathlib import Path

TIMELINE = """timeline:
  events:
    - {date: 0001-01, kind: history, text: Seen first.}
"""

def generate(folder: Path, base: str) -> None:
    (folder / "case.yaml").write_text(base.replace("timeline: {not_reported: fixture}", TIMELINE).replace("journal: generic", "journal: generic\ndates: {received: 0001-01-01}"), encoding="utf-8")
