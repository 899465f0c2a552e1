"""``pdf``: ``<slug>.pdf``, the article's HTML laid out by WeasyPrint (:mod:`casepress.outputs.pdf`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casepress.outputs.spec import Output, one_file

if TYPE_CHECKING:
    from casepress.core.diagnostics import Diagnostics
    from casepress.stages.work import CaseWork


def pdf_name(slug: str) -> str:
    """``<slug>.pdf``."""
    return f"{slug}.pdf"


def write(work: CaseWork, diagnostics: Diagnostics) -> bool:
    """Lay out the article from the folder's files as published (figures stripped)."""
    from casepress.outputs.pdf import render_pdf

    assert work.html is not None, "pdf runs after html"
    pdf = render_pdf(work.checked, work.html, work.options.pdf_variant, diagnostics, work.published, work.layout)
    if pdf is None:
        return False
    work.pdf = pdf
    work.blobs[pdf_name(work.checked.slug)] = pdf.data
    return True


OUTPUT = Output(
    name="pdf",
    summary="<slug>.pdf, the article laid out (PDF/A-3b by default)",
    files=one_file("pdf", pdf_name),
    requires=("html",),
    write=write,
)
