"""An offset within its own limit that lands after limits.MAX_YEAR; the event after it is not reported again."""

from __future__ import annotations

from pathlib import Path

TIMELINE = """timeline:
  events:
    - {id: start, date: 2200-12-31, kind: history, text: Seen first.}
    - {id: next, date: {after: start, offset: 1 day}, kind: history, text: Seen again.}
    - {date: {after: next, offset: 300 years}, kind: history, text: Seen once more.}
"""

def generate(folder: Path, base: str) -> None:
    (folder / "case.yaml").write_text(base.replace("timeline: {not_reported: fixture}", TIMELINE), encoding="utf-8")
