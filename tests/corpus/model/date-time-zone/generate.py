"""A date-time with a time zone (2025-03-14T06:40Z): a case report keeps local clinical time."""

from __future__ import annotations

from pathlib import Path

TIMELINE = """timeline:
  events:
    - id: arrival
      date: 2025-03-14T06:40Z
      kind: presentation
      text: Arrival in the emergency department.
    - date: {after: arrival, offset: 30 minutes}
      kind: intervention
      text: Ceftriaxone.
"""


def generate(folder: Path, base: str) -> None:
    (folder / "case.yaml").write_text(base.replace("timeline: {not_reported: fixture}", TIMELINE), encoding="utf-8")
