"""``html``: the article as ``index.html``, with its stylesheets, fonts and figures (stripped)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casepress.outputs.spec import Output, one_file

if TYPE_CHECKING:
    from casepress.core.diagnostics import Diagnostics
    from casepress.stages import CaseWork

INDEX = "index.html"


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
    work.texts[INDEX] = rendered.html
    return True


OUTPUT = Output(
    name="html",
    summary="the article as index.html, with its assets and figures",
    files=one_file("html", lambda slug: INDEX),
    write=write,
)
