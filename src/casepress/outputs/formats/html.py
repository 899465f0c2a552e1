"""``html``: the article as ``index.html``, with its stylesheets, fonts and figures (stripped).

A figure casepress draws (``generate: timeline``) is inlined in the article and also written
beside the case's own figures, as ``figures/<figure id>.svg`` (the name the resolve stage
gave it), so the JATS file's ``graphic`` points at a file of the folder; the manifest records
it as kind ``figure:<figure id>`` (:data:`GENERATED`), so a rebuild sees it missing and a
rebuild with other outputs keeps it with the article."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casepress.outputs.spec import Output, one_file

if TYPE_CHECKING:
    from casepress.core.diagnostics import Diagnostics
    from casepress.stages.work import CaseWork

INDEX = "index.html"
GENERATED = "figure:"
"""The manifest's kind prefix of a generated figure's file: ``figure:fig-course``."""


def write(work: CaseWork, diagnostics: Diagnostics) -> bool:
    """Print the resolved case through the journal's templates; the figures it shows are
    published as stripped bytes, every other file it needs is copied."""
    from casepress.outputs.html import render_html

    rendered = render_html(work.resolved, diagnostics, work.options.page_size)
    if rendered is None:
        return False
    work.html = rendered
    for name, source in rendered.files.items():
        if name in work.figures:
            work.blobs[name] = work.figures[name]
        else:
            work.copies[name] = source
    for fig in work.resolved.figures:
        if fig.image is not None:
            work.blobs[fig.image.name] = fig.image.data
            work.named[GENERATED + fig.id] = fig.image.name
    work.texts[INDEX] = rendered.html
    return True


OUTPUT = Output(
    name="html",
    summary="the article as index.html, with its assets and figures",
    files=one_file("html", lambda slug: INDEX),
    write=write,
    named=GENERATED,
)
