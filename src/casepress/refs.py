"""``casepress refs``: a BibTeX library formatted in a citation style.

INTERFACE STUB, to be implemented.
"""

from __future__ import annotations

from pathlib import Path

from .diagnostics import Diagnostics


def format_libraries(files: list[Path], style: str, fmt: str, diagnostics: Diagnostics) -> str | None:
    """Every entry of ``files`` formatted in ``style`` as text, HTML or CSL-JSON; None on errors."""
    raise NotImplementedError
