"""``zip``: ``<slug>-submission.zip``, the package a submission system takes: the manuscript
(DOCX and PDF), the JATS XML, every figure as a file of its own, the filled CARE checklist
(PDF) and ``manifest.json`` (:mod:`casepress.outputs.submission`).

Made from the bytes the other outputs made in this build (nothing is rendered again); the
JATS file's graphics are re-linked to the package's figure names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casepress.outputs.spec import Output, one_file

if TYPE_CHECKING:
    from casepress.core.diagnostics import Diagnostics
    from casepress.stages.work import CaseWork


def zip_name(slug: str) -> str:
    """``<slug>-submission.zip``."""
    from casepress.outputs.submission.package import submission_name

    return submission_name(slug)


def write(work: CaseWork, diagnostics: Diagnostics) -> bool:
    """Pack the manuscript, the XML, the figures and the checklist."""
    from casepress.core.diagnostics import Location, display_path
    from casepress.outputs.jats.writer import relink
    from casepress.outputs.submission.figures import package_figures
    from casepress.outputs.submission.package import package_files, submission_zip

    assert work.docx and work.pdf and work.checklist and work.jats, "zip runs after them"
    figures = package_figures(work, diagnostics)
    if figures is None:
        return False
    hrefs: dict[str, list[str]] = {}
    for f in figures:
        hrefs.setdefault(f.source, []).append(f.name)
    slug = work.checked.slug
    files = package_files(slug, docx=work.docx, pdf=work.pdf.data,
                          jats=relink(work.jats, hrefs),
                          figures=[(f.name, f.role, f.data) for f in figures], checklist_pdf=work.checklist.pdf)
    try:
        work.blobs[zip_name(slug)] = submission_zip(files, work.when)
    except ValueError as exc:  # two figures with one name: the check refuses duplicate ids first
        diagnostics.error("package-failed", f"cannot make the submission package: {exc}",
                          Location(display_path(work.checked.doc.path)))
        return False
    return True


OUTPUT = Output(
    name="zip",
    summary="<slug>-submission.zip: DOCX, PDF, JATS, figures (Figure-1A.png), CARE checklist, manifest.json",
    files=one_file("zip", zip_name),
    requires=("docx", "pdf", "jats", "checklist"),
    write=write,
)
