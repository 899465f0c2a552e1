"""Diagnostics kept in a cache record and replayed on a hit, so a cached library or a
cached ``refs`` output reports the same warnings as a fresh run.

Files are recorded by their index among the files given, and located again through
today's :func:`display_path` (which depends on the working folder, not on the files).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from casepress.core.diagnostics import Diagnostic, Location, Severity, display_path


def diagnostics_record(found: Sequence[Diagnostic], files: Sequence[Path]) -> list[dict[str, Any]]:
    """``found`` as JSON-able data, each file named by its index in ``files``."""
    shown = {display_path(f): i for i, f in enumerate(files)}
    return [
        {**d.to_json(), "file": shown.get(d.location.file) if d.location else None,
         "raw_file": d.location.file if d.location else None}
        for d in found
    ]


def replay_diagnostics(records: Any, files: Sequence[Path]) -> list[Diagnostic]:
    """The diagnostics of :func:`diagnostics_record`, located in today's display paths.
    Raises KeyError, IndexError, TypeError or ValueError on a malformed record."""
    found = []
    for d in records:
        file = display_path(files[d["file"]]) if d["file"] is not None else d["raw_file"]
        location = Location(file, d["line"], d["column"]) if file is not None else None
        found.append(Diagnostic(Severity(d["severity"]), d["code"], d["message"], location, d["path"], d["hint"]))
    return found
