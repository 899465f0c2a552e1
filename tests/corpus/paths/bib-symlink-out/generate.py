"""A bibliography that is a symlink to a file outside the project."""

from __future__ import annotations

import os
from pathlib import Path


def generate(folder: Path, base: str) -> None:
    text = base.replace("bibliography: []", "bibliography: [refs.bib]")
    (folder / "case.yaml").write_text(text, encoding="utf-8")
    os.symlink("/etc/passwd", folder / "refs.bib")
