"""A case template that is a FIFO: opening it would block for ever."""

from __future__ import annotations

import os
from pathlib import Path


def generate(folder: Path, base: str) -> None:
    (folder / "case.yaml").write_text(base, encoding="utf-8")
    (folder / "templates").mkdir()
    os.mkfifo(folder / "templates" / "body.html.j2")
