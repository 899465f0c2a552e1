"""Stage 7, write: a case's output folder, replaced atomically.

Everything is written into a temporary sibling folder first; only when every
file is in place is the old folder swapped out, so a failed or interrupted
build leaves the previous ``output/<slug>/`` untouched and never half-written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path


def write_folder(target: Path, texts: Mapping[str, str], blobs: Mapping[str, bytes], copies: Mapping[str, Path]) -> None:
    """Replace ``target`` with a folder holding ``texts`` (UTF-8), ``blobs`` and copies of files.

    Keys are output-relative POSIX paths. Raises OSError on failure, after
    removing the temporary folder; ``target`` is then as it was.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        for name, source in copies.items():
            dest = _inside(staging, name)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
        for name, text in texts.items():
            dest = _inside(staging, name)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(text, encoding="utf-8", newline="\n")
        for name, data in blobs.items():
            dest = _inside(staging, name)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        os.chmod(staging, 0o755)
        _swap(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _inside(root: Path, name: str) -> Path:
    dest = (root / name).resolve()
    if not dest.is_relative_to(root.resolve()):
        raise OSError(f"refusing to write outside the output folder: {name}")
    return dest


def _swap(staging: Path, target: Path) -> None:
    """Move ``staging`` to ``target``; the old folder is renamed away first and removed last."""
    if not target.exists():
        os.replace(staging, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    os.rmdir(old)
    os.replace(target, old)
    try:
        os.replace(staging, target)
    except OSError:
        os.replace(old, target)  # put the previous output back
        raise
    shutil.rmtree(old, ignore_errors=True)


def replace_file(dest: Path, data: bytes) -> None:
    """Write ``dest`` through a temporary file in its folder, then rename it into place."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, dest)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_files(folder: Path, texts: Mapping[str, str], blobs: Mapping[str, bytes]) -> None:
    """Write a few files into ``folder``, each atomically (a temporary file renamed into place)."""
    folder.mkdir(parents=True, exist_ok=True)
    items: list[tuple[str, bytes]] = [(n, t.encode("utf-8")) for n, t in texts.items()] + list(blobs.items())
    for name, data in items:
        replace_file(_inside(folder, name), data)
