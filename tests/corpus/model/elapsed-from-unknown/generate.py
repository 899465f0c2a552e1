"""timeline.elapsed_from names no event (a typo of 'arrival'): located, with a did-you-mean hint."""

from __future__ import annotations

from pathlib import Path

TIMELINE = """timeline:
  elapsed_from: arival
  events:
    - id: arrival
      date: 2025-03-14T06:40
      kind: presentation
      text: Arrival in the emergency department.
    - date: {after: arrival, offset: 30 minutes}
      kind: intervention
      text: Ceftriaxone.
"""


def generate(folder: Path, base: str) -> None:
    (folder / "case.yaml").write_text(base.replace("timeline: {not_reported: fixture}", TIMELINE), encoding="utf-8")
