"""The last day of the calendar plus a day: 9999-12-31 is refused before any arithmetic."""

from __future__ import annotations

from pathlib import Path

TIMELINE = """timeline:
  events:
    - {id: start, date: 9999-12-31, kind: history, text: Seen first.}
    - {date: {after: start, offset: 1 day}, kind: history, text: Seen again.}
"""

def generate(folder: Path, base: str) -> None:
    (folder / "case.yaml").write_text(base.replace("timeline: {not_reported: fixture}", TIMELINE), encoding="utf-8")
