"""How to build: the options a build runs with, importable without the case model.

The no-op rebuild of a large collection only hashes inputs and compares them with the
manifest; it needs these options (their :meth:`BuildOptions.key` is part of every digest)
but none of the stages, so they live here rather than beside the stages' values
(:mod:`casepress.stages` re-exports them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BuildOptions:
    """How to build."""

    output_root: Path
    """Where case folders go (``output/`` by default)."""
    pdf: bool = True
    """Lay out PDFs (``--no-pdf``: False). Without ``outputs``, False means the HTML and the
    checklist only; with ``outputs``, an output that needs the PDF is refused."""
    pdf_variant: str | None = "pdf/a-3b"
    """WeasyPrint PDF variant; None for a plain PDF."""
    page_size: str | None = None
    """CSS page size (``A4``, ``letter``); None for the journal's default."""
    journal: str | None = None
    """Journal template to use instead of the one the case names."""
    strict: bool = False
    """A warning fails the case before anything is written (``--strict``); not part of :meth:`key`."""
    outputs: tuple[str, ...] | None = None
    """The outputs to write, by their registry names (``--outputs``; their dependencies are
    added by :func:`casepress.outputs.registry.select`); None for every output. Not part of
    :meth:`key`: the manifest records which outputs a folder holds, so a rebuild with other
    outputs writes only what is missing."""

    def key(self) -> str:
        """What of the options changes the output (part of each case's input digest)."""
        return f"variant={self.pdf_variant};page={self.page_size};journal={self.journal}"
