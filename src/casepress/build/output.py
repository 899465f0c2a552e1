"""Stage 7, write: a case's output folder, replaced atomically.

Everything is written into a temporary sibling folder first; only when every
file is in place is the old folder swapped out (:func:`casepress.build.publish.swap_in`,
under the output folder's lock and journal), so a failed, interrupted or killed
build leaves the previous ``output/<slug>/`` untouched and never half-written.
Temporary names carry the writer's pid, so the next build can tell its own
leftovers from a concurrent build's.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from casepress.build.publish import replace_file, swap_in, temp_prefix  # replace_file: also imported from here


def write_folder(target: Path, texts: Mapping[str, str], blobs: Mapping[str, bytes], copies: Mapping[str, Path],
                 entry: dict[str, Any] | None = None) -> None:
    """Replace ``target`` with a folder holding ``texts`` (UTF-8), ``blobs`` and copies of files.

    Keys are output-relative POSIX paths; ``entry`` is the folder's manifest
    entry, recorded in the same step as the swap. Raises OSError on failure,
    after removing the temporary folder; ``target`` is then as it was.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=temp_prefix(target.name), suffix=".tmp", dir=target.parent))
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
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_in(target, staging, entry)  # from here on the journal owns the staging folder


def _inside(root: Path, name: str) -> Path:
    dest = (root / name).resolve()
    if not dest.is_relative_to(root.resolve()):
        raise OSError(f"refusing to write outside the output folder: {name}")
    return dest


def write_files(folder: Path, texts: Mapping[str, str], blobs: Mapping[str, bytes]) -> None:
    """Write a few files into ``folder``, each atomically (a temporary file renamed into place)."""
    folder.mkdir(parents=True, exist_ok=True)
    items: list[tuple[str, bytes]] = [(n, t.encode("utf-8")) for n, t in texts.items()] + list(blobs.items())
    for name, data in items:
        replace_file(_inside(folder, name), data)
