"""``docx``: ``<slug>.docx``, the Word manuscript (:mod:`casepress.outputs.word`), from the first
``reference.docx`` on the journal's template chain."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casepress.outputs.spec import Output, one_file

if TYPE_CHECKING:
    from casepress.core.diagnostics import Diagnostics
    from casepress.stages.work import CaseWork


def docx_name(slug: str) -> str:
    """``<slug>.docx``."""
    return f"{slug}.docx"


def write(work: CaseWork, diagnostics: Diagnostics) -> bool:
    """Write the manuscript; its figures are the package's (an SVG embedded as its 300 dpi PNG)."""
    from casepress.core.confine import Refused
    from casepress.core.diagnostics import Location, display_path
    from casepress.outputs.submission.figures import package_figures
    from casepress.outputs.word.lookup import find_reference_docx
    from casepress.outputs.word.writer import pictures_for, write_docx

    checked = work.checked
    origin = Location(display_path(checked.doc.path))
    try:
        reference = find_reference_docx(work.resolved.journal, checked.case_dir)
    except Refused as exc:
        diagnostics.error("template-unreadable", f"cannot use the journal's reference.docx: {exc}", origin)
        return False
    if reference is None:
        diagnostics.error("template-missing", "no reference.docx on the journal's template chain "
                          "(templates/base/reference.docx ships with casepress)", origin)
        return False
    figures = package_figures(work, diagnostics)
    if figures is None:
        return False
    work.docx = write_docx(work.resolved, reference, work.when, pictures_for(figures))
    work.blobs[docx_name(checked.slug)] = work.docx
    return True


OUTPUT = Output(
    name="docx",
    summary="<slug>.docx, the Word manuscript in the journal's styles (its reference.docx)",
    files=one_file("docx", docx_name),
    write=write,
)
