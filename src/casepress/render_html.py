"""Stage 5, render: the checked case to one HTML document through the journal's Jinja templates.

Rendering runs twice. The first pass follows the template in reading order and
records, in a :class:`~casepress.number.Numbering`, the first mention of every
figure and table and every citation cluster; citations are then formatted with
the CSL style in that order; the second pass renders the final document with
every number known. Figures and tables are placed after the paragraph that
first mentions them (or at the end, if the journal says so).

Templates get the case model (``case``) and a few helpers: the filters ``md``
(block Markdown), ``md_inline``, ``plain`` and ``long_date``, and the functions
``place(id)`` (put a float here) and ``floats_remaining()`` (every float not yet
placed). Templates render in the sandbox of :mod:`casepress.templating`, with
autoescape and StrictUndefined: a template that uses a missing variable (or any
other template error) fails the build at the template's file, line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from . import __version__, markup, prose
from .csl import Bibliography, Entry, FormattingError, known_locale
from .diagnostics import Diagnostics, Location, display_path
from .generated import TableData, build_table, long_date
from .journal import Journal
from .model import Case, Figure, Markdown, Table, is_reported, iter_prose
from .number import ClusterId, Numbering, crossref_label, letter_runs
from .pipeline import CheckedCase
from .template_check import resolve_style
from .template_errors import is_template_error, report_template_error
from .template_files import ARTICLE_TEMPLATE, FIGURE_TEMPLATE, TABLE_TEMPLATE, article_chain, asset_files
from .templating import PASS_KEY, article_environment, forget_environments

__all__ = ["PASS_KEY", "RenderedHtml", "environment_for", "forget_environments", "render_html"]

ENTRY_TEMPLATE = ARTICLE_TEMPLATE
UNRESOLVED = re.compile(r"\?\?|\ufffd|\[@|\ue000")


@dataclass(frozen=True)
class RenderedHtml:
    """The article as HTML, with the files it needs beside it."""

    html: str
    """The document."""
    files: dict[str, Path]
    """Output-relative path -> source file to copy (figures, stylesheets, fonts)."""
    title: str
    """The title as plain text."""
    journal: Journal
    """The journal template used."""
    numbering: Numbering
    """Float numbers and citation order."""
    anchors: dict[tuple[Any, ...], str]
    """Field path -> id of the element holding that field's prose."""
    environment: jinja2.Environment
    """The Jinja environment (the journal's lookup chain), for companion pages."""
    context: dict[str, Any]
    """The template context the article was rendered with."""


@dataclass
class _Pass:
    """The state of one rendering pass."""

    case: Case
    journal: Journal
    numbering: Numbering
    env: jinja2.Environment
    citations: dict[ClusterId, str] | None
    """Formatted citation clusters; None during the first (recording) pass."""
    prose_paths: dict[int, tuple[Any, ...]]
    held: set[str] = field(default_factory=set)
    """Floats the template places itself with place(id): automatic placement leaves them alone.
    Recorded in the first pass (shared with the second), so the second pass knows in advance."""
    placed: set[str] = field(default_factory=set)
    pending: list[str] = field(default_factory=list)
    anchors: dict[tuple[Any, ...], str] = field(default_factory=dict)
    """Field path -> id of the element that holds its rendered prose (for the CARE checklist)."""

    @property
    def recording(self) -> bool:
        return self.citations is None

    # -- prose -------------------------------------------------------------

    def key_for(self, text: str) -> tuple[Any, ...]:
        return self.prose_paths.get(id(text), ("literal", text))

    def context(self, text: str, block: bool) -> prose.ProseContext:
        return prose.ProseContext(
            self.key_for(text), self.render_ref, self.flush_pending if block else None
        )

    def anchor(self, text: str) -> str | None:
        """A new element id for the field that holds ``text`` (None for literals or repeats)."""
        path = self.key_for(text)
        if path[:1] == ("literal",) or path in self.anchors:
            return None
        self.anchors[path] = field_anchor(path)
        return self.anchors[path]

    def md(self, text: Markdown | str | None) -> Markup:
        if text is None:
            return Markup("")
        # The id on the field's first block and the end marker in its last line let the CARE
        # checklist give the pages a field spans; no wrapper, so floats stay children of the
        # template's container (see prose.render_block).
        ident = self.anchor(text)
        return Markup(prose.render_block(str(text), self.context(text, True), ident))

    def md_inline(self, text: Markdown | str | None) -> Markup:
        if text is None:
            return Markup("")
        html = prose.render_inline(str(text), self.context(text, False))
        ident = self.anchor(text)
        return Markup(f'<span class="field" id="{ident}">{html}</span>' if ident else html)

    def inline_at(self, text: str, path: tuple[str | int, ...]) -> Markup:
        ctx = prose.ProseContext(path, self.render_ref)
        return Markup(prose.render_inline(str(text), ctx))

    # -- references ----------------------------------------------------------

    def render_ref(self, group: markup.Group, ctx: prose.ProseContext) -> str:
        out: list[str] = []
        if group.citations:
            cluster_id = self.numbering.cite(ctx.key, group)
            if not self.recording and cluster_id is not None:
                out.append(self.citations[cluster_id])  # type: ignore[index]
        refs = group.crossrefs
        for kind in ("figure", "table"):
            of_kind = [r for r in refs if r.kind == kind]
            if not of_kind:
                continue
            for ref in of_kind:
                self.numbering.mention(ref.id)
                if ref.id not in self.placed and ref.id not in self.pending:
                    self.pending.append(ref.id)
            word, parts = crossref_label(of_kind, self.numbering.numbers, self.journal.config.labels)
            links = ", ".join(
                f'<a class="xref" href="#{escape(p.target)}">{escape(p.text)}</a>' for p in parts
            )
            out.append(f"{escape(word)}\u00a0{links}")
        return "; ".join(out)

    # -- floats --------------------------------------------------------------

    def flush_pending(self) -> str:
        if self.journal.config.floats == "end":
            return ""
        out: list[str] = []
        held: list[str] = []
        while self.pending:
            float_id = self.pending.pop(0)
            if float_id in self.held:
                held.append(float_id)  # the template places it itself, later
                continue
            out.append(self.place(float_id))
        self.pending.extend(held)
        return "".join(out)

    def template_place(self, float_id: str) -> Markup:
        """place(id) as templates call it: the float goes here, never after its first mention."""
        self.held.add(float_id)
        return self.place(float_id)

    def place(self, float_id: str) -> Markup:
        if float_id in self.placed:
            return Markup("")
        item = self.numbering.floats.get(float_id)
        if item is None:
            raise jinja2.TemplateRuntimeError(f"place(): no figure or table with id '{float_id}'")
        self.numbering.mention(float_id)
        self.placed.add(float_id)
        if float_id in self.pending:
            self.pending.remove(float_id)
        if isinstance(item.obj, Figure):
            return self.render_figure(item.obj, item.path)
        return self.render_table(item.obj, item.path)

    def floats_remaining(self) -> Markup:
        out = [self.flush_pending()] if self.journal.config.floats != "end" else []
        order = sorted(
            self.numbering.floats,
            key=lambda i: (self.numbering.floats[i].kind, self.numbering.numbers.get(i, 10**6)),
        )
        if self.journal.config.floats == "end":
            order = [i for i in order if i in self.numbering.numbers] + [i for i in order if i not in self.numbering.numbers]
        for float_id in order:
            out.append(self.place(float_id))
            out.append(self.flush_pending() if self.journal.config.floats != "end" else "")
        return Markup("".join(out))

    def render_figure(self, fig: Figure, path: tuple[Any, ...]) -> Markup:
        number = self.numbering.numbers[fig.id]
        labels = self.journal.config.labels
        panels = [
            {
                "letters": letter_runs(p.letters),
                "ids": p.letters,
                "caption": self.inline_at(p.caption, (*path, "panels", j, "caption")) if p.caption else Markup(""),
                "file": p.file,
                "alt": p.alt,
            }
            for j, p in enumerate(fig.panels)
        ]
        template = self.env.get_template(FIGURE_TEMPLATE)
        return Markup(template.render(
            **{PASS_KEY: self},
            fig=fig,
            number=number,
            label=labels.figure_caption.format(n=number),
            caption=self.inline_at(fig.caption, (*path, "caption")) if fig.caption else Markup(""),
            panels=panels,
        ))

    def render_table(self, table: Table, path: tuple[Any, ...]) -> Markup:
        number = self.numbering.numbers[table.id]
        labels = self.journal.config.labels
        if table.generate:
            data = build_table(table.generate, self.case, self.inline_at)
        else:
            from .generated import Cell

            assert table.columns is not None and table.rows is not None
            data = TableData(
                [Markup(escape(c)) for c in table.columns],
                [
                    [Cell(self.inline_at(cell, (*path, "rows", r, c)), header=(c == 0)) for c, cell in enumerate(row)]
                    for r, row in enumerate(table.rows)
                ],
            )
        template = self.env.get_template(TABLE_TEMPLATE)
        return Markup(template.render(
            **{PASS_KEY: self},
            table=table,
            number=number,
            label=labels.table_caption.format(n=number),
            caption=self.inline_at(table.caption, (*path, "caption")),
            data=data,
            notes=self.inline_at(table.notes, (*path, "notes")) if table.notes else Markup(""),
        ))


def field_anchor(path: tuple[Any, ...]) -> str:
    """The element id of a field's prose: ("discussion", "paragraphs", 0, "text") -> f-discussion-paragraphs-0-text."""
    return "f-" + "-".join(str(part).replace("_", "-") for part in path)


def environment_for(journal: Journal, case_dir: Path) -> jinja2.Environment:
    """The Jinja environment of a journal's lookup chain (shared by every case that uses it)."""
    return article_environment(journal, case_dir)


def _affiliation_numbers(case: Case) -> dict[str, int]:
    """Affiliations numbered in order of first appearance in the byline."""
    numbers: dict[str, int] = {}
    for author in case.authors:
        for ident in author.affiliations:
            numbers.setdefault(ident, len(numbers) + 1)
    for aff in case.affiliations:
        numbers.setdefault(aff.id, len(numbers) + 1)
    return numbers


def _render_document(state: _Pass, context: dict[str, Any]) -> str:
    return state.env.get_template(ENTRY_TEMPLATE).render({**context, PASS_KEY: state})


def _bibliography(checked: CheckedCase, journal: Journal, diagnostics: Diagnostics) -> Bibliography | None:
    style = resolve_style(checked.doc, checked.case, journal, diagnostics)
    if style is None:
        return None
    cited = checked.library.cited_keys
    items = [checked.library.entries[k].item for k in cited]
    locale = _locale(checked.case.language)
    if not locale.startswith("en") and not known_locale(locale):
        diagnostics.warning(
            "unknown-locale", f"citeproc-py has no citation terms for '{checked.case.language}'; "
            "references use English terms (et al., In:, ...)", checked.doc.location(("language",)), "language",
        )
    return Bibliography(items, style, locale=locale)


def _locale(language: str) -> str:
    return {"en": "en-US"}.get(language, language)


def render_html(
    checked: CheckedCase, journal: Journal, diagnostics: Diagnostics, page_size: str | None = None
) -> RenderedHtml | None:
    """Render the article; None (with diagnostics) when a template or the style fails."""
    case = checked.case
    env = environment_for(journal, checked.case_dir)
    prose_paths = {id(text): path for path, text in iter_prose(case)}
    bibliography = _bibliography(checked, journal, diagnostics)
    if bibliography is None:
        return None
    aff_numbers = _affiliation_numbers(case)
    context: dict[str, Any] = {
        "case": case,
        "slug": checked.slug,
        "journal_name": journal.name,
        "page_size": page_size or journal.config.page_size,
        "journal": journal.config,
        "labels": journal.config.labels,
        "affiliation_numbers": aff_numbers,
        "affiliations": sorted(case.affiliations, key=lambda a: aff_numbers[a.id]),
        "generator": f"casepress {__version__}",
        "references": [],
        "numeric_citations": bibliography.numeric,
    }
    numbering = Numbering.for_case(case)
    try:
        first = _Pass(case, journal, numbering, env, None, prose_paths)
        _render_document(first, context)
        numbering.finish()
        clusters = list(numbering.clusters)
        try:
            formatted = bibliography.cite([numbering.clusters[c] for c in clusters])
            entries: list[Entry] = bibliography.entries()
        except FormattingError as exc:
            entry = checked.library.entries.get(exc.key)
            diagnostics.error("csl-format", f"the citation style cannot format '{exc.key}': {exc.message}",
                              entry.location if entry else None)
            return None
        second = _Pass(case, journal, numbering, env, dict(zip(clusters, formatted, strict=True)), prose_paths,
                       held=first.held)
        context["references"] = [
            {"key": e.key, "label": e.label, "html": Markup(e.html)} for e in entries
        ]
        html = _render_document(second, context)
    except Exception as exc:
        # Anything a template can get wrong (a missing variable, calling a string, a bad filter
        # argument, the sandbox refusing, 1 // 0) is reported at its file, line and column.
        if not is_template_error(exc):
            raise
        report_template_error(exc, diagnostics)
        return None
    unplaced = [f for f in numbering.floats if f not in second.placed]
    for float_id in unplaced:
        diagnostics.error("unplaced-float", f"the journal template never placed '{float_id}' (call floats_remaining())",
                          Location(display_path(journal.dirs[0] / ENTRY_TEMPLATE)))
    match = UNRESOLVED.search(_visible_text(html))
    if match:
        start = max(0, match.start() - 40)
        diagnostics.error("unresolved", f"unresolved marker {match.group()!r} in the output near "
                          f"{_visible_text(html)[start:match.end() + 40]!r}")
    if diagnostics.has_errors:
        return None
    return RenderedHtml(
        html, _files(checked, journal), prose.plain_text(case.title), journal, numbering, second.anchors, env, context
    )


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
