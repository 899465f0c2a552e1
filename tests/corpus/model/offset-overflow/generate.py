"""An offset of 99999999 years (OverflowError in the date arithmetic before)."""

from __future__ import annotations

from pathlib import Path

TIMELINE = """timeline:
  events:
    - {id: start, date: 2020-01-01, kind: history, text: Seen first.}
    - {date: {after: start, offset: 99999999 years}, kind: history, text: Seen again.}
"""

def generate(folder: Path, base: str) -> None:
    (folder / "case.yaml").write_text(base.replace("timeline: {not_reported: fixture}", TIMELINE), encoding="utf-8")
