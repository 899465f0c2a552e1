"""Stage 5, HTML: the resolved case through the journal's Jinja templates, in one pass.

Everything the article prints that is not the case's own text (numbers, citations,
cross-reference labels, where each float goes, the cells of generated tables) is decided
by the resolve stage (:mod:`casepress.resolve`); the templates print it. Templates get the
case model (``case``), the resolved ``sections`` and ``statements``, and a few helpers: the
filters ``md`` (block Markdown), ``md_inline``, ``plain`` and ``long_date``, and the
functions ``place(id)`` (put a float here) and ``floats_remaining()`` (every float not yet
placed); the per-render state behind them is :class:`casepress.outputs.html_writer.HtmlWriter`.
Templates render in the sandbox of :mod:`casepress.journals.templating`, with autoescape and
StrictUndefined: a template that uses a missing variable (or any other template error)
fails the build at the template's file, line and column.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from casepress import __version__
from casepress.text import prose
from casepress.core.diagnostics import Diagnostics, Location, display_path
from casepress.outputs.html_writer import HtmlWriter, inline_html
from casepress.journals.journal import Journal
from casepress.stages.checked import CheckedCase
from casepress.stages.resolved import ResolvedCase
from casepress.stages.work import RenderedHtml
from casepress.journals.template_errors import is_template_error, report_template_error
from casepress.journals.template_files import ARTICLE_TEMPLATE, article_chain, asset_files
from casepress.journals.templating import PASS_KEY, article_environment, forget_environments

__all__ = ["PASS_KEY", "RenderedHtml", "environment_for", "forget_environments", "render_html", "template_context"]

ENTRY_TEMPLATE = ARTICLE_TEMPLATE
UNRESOLVED = re.compile(r"\?\?|\ufffd|\[@|\ue000")


def environment_for(journal: Journal, case_dir: Path) -> jinja2.Environment:
    """The Jinja environment of a journal's lookup chain (shared by every case that uses it)."""
    return article_environment(journal, case_dir)


def _render_document(state: HtmlWriter, context: dict[str, Any]) -> str:
    return state.env.get_template(ENTRY_TEMPLATE).render({**context, PASS_KEY: state})


def template_context(resolved: ResolvedCase, page_size: str | None) -> dict[str, Any]:
    """What every page of the case (the article, the CARE checklist) is rendered with."""
    case, journal = resolved.case, resolved.journal
    numbers = dict(resolved.affiliation_numbers)
    return {
        "case": case,
        "slug": resolved.checked.slug,
        "journal_name": journal.name,
        "page_size": page_size or journal.config.page_size,
        "journal": journal.config,
        "labels": journal.config.labels,
        "affiliation_numbers": numbers,
        "affiliations": sorted(case.affiliations, key=lambda a: numbers[a.id]),
        "generator": f"casepress {__version__}",
        "sections": resolved.sections,
        "statements": resolved.statements,
        "references": [
            {"key": e.key, "label": Markup(inline_html(e.label)) if e.label is not None else None,
             "html": Markup(inline_html(e.text))}
            for e in resolved.references
        ],
        "numeric_citations": resolved.numeric_citations,
    }


def render_html(resolved: ResolvedCase, diagnostics: Diagnostics, page_size: str | None = None) -> RenderedHtml | None:
    """Print the article; None (with diagnostics) when a template fails."""
    checked, journal = resolved.checked, resolved.journal
    writer = HtmlWriter(resolved, environment_for(journal, checked.case_dir), PASS_KEY)
    try:
        html = _render_document(writer, template_context(resolved, page_size))
    except Exception as exc:
        # Anything a template can get wrong (a missing variable, calling a string, a bad filter
        # argument, the sandbox refusing, 1 // 0) is reported at its file, line and column.
        if not is_template_error(exc):
            raise
        report_template_error(exc, diagnostics)
        return None
    for float_id in (f.id for f in (*resolved.figures, *resolved.tables) if f.id not in writer.emitted):
        diagnostics.error("unplaced-float", f"the journal template never placed '{float_id}' (call floats_remaining())",
                          Location(display_path(journal.dirs[0] / ENTRY_TEMPLATE)))
    match = UNRESOLVED.search(_visible_text(html))
    if match:
        start = max(0, match.start() - 40)
        diagnostics.error("unresolved", f"unresolved marker {match.group()!r} in the output near "
                          f"{_visible_text(html)[start:match.end() + 40]!r}")
    if diagnostics.has_errors:
        return None
    return RenderedHtml(html, _files(checked, journal), prose.plain_text(resolved.case.title), writer.printed())


def _visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def _files(checked: CheckedCase, journal: Journal) -> dict[str, Path]:
    """Figures (keeping their case-relative paths) and the templates' assets/ folders (confined:
    ``casepress check`` reports a refused asset; here it is simply never published)."""
    files = asset_files(article_chain(journal, checked.case_dir))
    for fig in checked.case.figures:
        for name in [fig.file, *(p.file for p in fig.panels)]:
            if name:
                files[Path(name).as_posix()] = checked.case_dir / name
    return dict(sorted(files.items()))
