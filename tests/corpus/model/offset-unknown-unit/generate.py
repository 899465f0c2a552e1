"""An offset in a unit casepress does not know (3 fortnights): an error naming the units it does."""

from __future__ import annotations

from pathlib import Path

TIMELINE = """timeline:
  events:
    - id: arrival
      date: 2025-03-14T06:40
      kind: presentation
      text: Arrival in the emergency department.
    - date: {after: arrival, offset: 3 fortnights}
      kind: follow-up
      text: Seen in clinic.
"""


def generate(folder: Path, base: str) -> None:
    (folder / "case.yaml").write_text(base.replace("timeline: {not_reported: fixture}", TIMELINE), encoding="utf-8")
