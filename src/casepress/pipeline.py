"""The pipeline, in the one place its order is written.

    load -> validate -> cite -> number -> render HTML -> PDF -> write

``check_case`` runs the checking stages only (nothing heavy is imported, nothing
is written); ``build_case`` gathers and checks everything before a byte is
written, then writes the case's output folder atomically. Each stage is a
function from one typed value to the next; a stage whose input failed does
not run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .diagnostics import Diagnostics
from .model import Case
from .project import Project
from .source import SourceDocument, load_yaml
from .validate import validate

if TYPE_CHECKING:
    from .cite import Library


@dataclass(frozen=True)
class CheckedCase:
    """A case that passed every check: its source, its model and its resolved references."""

    doc: SourceDocument
    """The loaded YAML with positions."""
    case: Case
    """The validated model."""
    library: Library
    """The bibliography, resolved against the case's citations."""

    @property
    def slug(self) -> str:
        """The case folder's name."""
        return self.doc.path.parent.name

    @property
    def case_dir(self) -> Path:
        """The case folder."""
        return self.doc.path.parent


def check_case(case_file: Path, project: Project, diagnostics: Diagnostics) -> CheckedCase | None:
    """Load, validate and resolve citations; None when any error was found."""
    from . import cite

    doc = load_yaml(case_file, diagnostics)
    if doc is None:
        return None
    case = validate(doc, project, diagnostics)
    if case is None:
        return None
    library = cite.resolve(case, doc, diagnostics)
    if library is None or diagnostics.has_errors:
        return None
    return CheckedCase(doc, case, library)


@dataclass(frozen=True)
class BuildOptions:
    """How to build."""

    output_root: Path
    """Where case folders go (``output/`` by default)."""
    pdf: bool = True
    """Also write ``<slug>.pdf`` (WeasyPrint)."""
    pdf_variant: str | None = "pdf/a-3b"
    """WeasyPrint PDF variant; None for a plain PDF."""
    page_size: str | None = None
    """CSS page size (``A4``, ``letter``); None for the journal's default."""
    journal: str | None = None
    """Journal template to use instead of the one the case names."""


def build_case(case_file: Path, project: Project, options: BuildOptions, diagnostics: Diagnostics) -> Path | None:
    """Check, number, render and write one case; returns its output folder, or None on errors.

    Nothing is written unless every stage succeeded; the previous output stays
    untouched otherwise.
    """
    from .journal import load_journal
    from .output import write_folder
    from .render_html import render_html

    checked = check_case(case_file, project, diagnostics)
    if checked is None:
        return None
    journal = load_journal(project, options.journal or checked.case.journal, diagnostics)
    if journal is None:
        return None
    rendered = render_html(checked, journal, diagnostics, options.page_size)
    if rendered is None:
        return None
    blobs: dict[str, bytes] = {}
    if options.pdf:
        from .render_pdf import render_pdf

        pdf = render_pdf(checked, rendered, options.pdf_variant, diagnostics)
        if pdf is None:
            return None
        blobs[f"{checked.slug}.pdf"] = pdf
    target = options.output_root / checked.slug
    try:
        write_folder(target, {"index.html": rendered.html}, blobs, rendered.files)
    except OSError as exc:
        diagnostics.error("write-failed", f"could not write {target}: {exc}")
        return None
    return target
