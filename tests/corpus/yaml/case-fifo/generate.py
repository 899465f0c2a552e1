"""case.yaml is a FIFO: reading it would block for ever."""

from __future__ import annotations

import os
from pathlib import Path


def generate(folder: Path, base: str) -> None:
    os.mkfifo(folder / "case.yaml")
