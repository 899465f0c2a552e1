"""A FIFO, a symlink to /etc/passwd and a symlink to the parent folder, unreferenced, in the case folder:
the rebuild digest opens none of them (the FIFO would block, the links lead outside)."""

from __future__ import annotations

import os
from pathlib import Path


def generate(folder: Path, base: str) -> None:
    (folder / "case.yaml").write_text(base, encoding="utf-8")
    os.mkfifo(folder / "pipe")
    (folder / "passwd").symlink_to("/etc/passwd")
    (folder / "up").symlink_to("..", target_is_directory=True)
