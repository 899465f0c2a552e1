"""``casepress watch``: rebuild on every save, serve on localhost with live reload.

INTERFACE STUB, to be implemented.
"""

from __future__ import annotations

from pathlib import Path

from .project import Project


def serve(case_file: Path, project: Project, host: str = "127.0.0.1", port: int = 8000, pdf: bool = True) -> int:
    """Serve the case until interrupted; returns the exit code."""
    raise NotImplementedError
