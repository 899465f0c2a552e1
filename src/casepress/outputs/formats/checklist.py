"""``checklist``: the filled CARE checklist, ``care-checklist.html`` (its locations link into the
article) and, when the article has a PDF, ``care-checklist.pdf`` (with its page numbers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casepress.outputs.spec import Output

if TYPE_CHECKING:
    from collections.abc import Mapping

    from casepress.core.diagnostics import Diagnostics
    from casepress.stages.work import CaseWork

HTML, PDF = "care-checklist.html", "care-checklist.pdf"


def files(slug: str, selected: frozenset[str]) -> Mapping[str, str]:
    """The HTML checklist, and its PDF when the article's PDF is made."""
    return {"checklist": HTML, **({"checklist_pdf": PDF} if "pdf" in selected else {})}


def write(work: CaseWork, diagnostics: Diagnostics) -> bool:
    """Locate each item from the resolved case, what the article printed and the PDF's pages;
    the checklist's PDF is laid out from the folder's files as published."""
    from casepress.core.diagnostics import Location, display_path
    from casepress.outputs import checklist as care_report
    from casepress.outputs.html import environment_for, template_context
    from casepress.stages.checklist import CareChecklist

    assert work.html is not None, "checklist runs after html"
    resolved, checked, pdf = work.resolved, work.checked, work.pdf
    reports = care_report.locate(resolved, work.html.anchors, pdf.anchor_pages if pdf else None)
    environment = environment_for(resolved.journal, checked.case_dir)
    context = template_context(resolved, work.options.page_size)
    html = care_report.render_checklist_html(environment, checked.case, reports, context, diagnostics)
    if html is None:
        return False
    checklist_pdf = None
    if pdf is not None:
        from casepress.outputs.pdf import html_to_pdf

        origin = Location(display_path(checked.doc.path))
        printable = care_report.render_checklist_html(environment, checked.case, reports, context, diagnostics,
                                                      article=None)
        if printable is None:
            return False
        laid_out = html_to_pdf(printable, work.published, work.options.pdf_variant, origin, diagnostics,
                               layout=work.layout)
        if laid_out is None:
            return False
        checklist_pdf = laid_out.data
        work.blobs[PDF] = checklist_pdf
    work.checklist = CareChecklist(tuple(reports), html, checklist_pdf)
    work.texts[HTML] = html
    return True


OUTPUT = Output(
    name="checklist",
    summary="the filled CARE checklist (care-checklist.html, and .pdf with the article's pages)",
    files=files,
    requires=("html",),
    uses=("pdf",),
    write=write,
)
