"""An abstract in both forms at once (CARE's findings beside the three-part case_presentation):
a located error at 'case_presentation' that names the two forms to choose from."""

from __future__ import annotations

from pathlib import Path

ABSTRACT = """abstract:
  introduction: Knee pain after a fall.
  findings: A swollen knee.
  case_presentation: A swollen knee, rest, recovery.
  conclusion: Rest sufficed.
"""


def generate(folder: Path, base: str) -> None:
    text = base.replace("abstract: {not_reported: fixture}\n", ABSTRACT)
    assert text != base, "the base case's abstract line moved"
    (folder / "case.yaml").write_text(text, encoding="utf-8")
