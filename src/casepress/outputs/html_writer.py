"""The HTML writer's state for one render: it prints a ResolvedCase, in one pass.

The Jinja templates walk the case; the filters and functions they call (``md``,
``md_inline``, ``place``, ``floats_remaining``) end here. Every number, citation,
cross-reference label and float placement comes from the :class:`ResolvedCase`;
nothing is decided while printing. Each prose field is parsed with the same Markdown
parser as the resolve stage, so the n-th group of a field here is the n-th group there.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import jinja2
from markupsafe import Markup, escape

from casepress.text import markup, prose
from casepress.model import Markdown, iter_prose
from casepress.resolve.layout import field_anchor
from casepress.stages.resolved import (
    BlockSite,
    Cell,
    CellText,
    CitationLink,
    FieldPath,
    GroupId,
    Inline,
    LineBreak,
    Link,
    Prose,
    ResolvedCase,
    ResolvedFigure,
    ResolvedGroup,
    ResolvedTable,
    Style,
    Styled,
    Text,
)
from casepress.journals.template_files import FIGURE_TEMPLATE, TABLE_TEMPLATE

STYLE_TAGS: dict[Style, tuple[str, str]] = {
    "italic": ("<i>", "</i>"),
    "bold": ("<b>", "</b>"),
    "superscript": ("<sup>", "</sup>"),
    "subscript": ("<sub>", "</sub>"),
    "small-caps": ('<span style="font-variant:small-caps">', "</span>"),
    "underline": ('<span style="text-decoration:underline">', "</span>"),
    "light": ('<span style="font-weight:lighter">', "</span>"),
    "upright": ('<span style="font-style:normal">', "</span>"),
    "normal-weight": ('<span style="font-weight:normal">', "</span>"),
}
"""Markup for each style (as csl.py writes it)."""


def inline_html(nodes: tuple[Inline, ...]) -> str:
    """Neutral inline text as HTML."""
    out: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(html.escape(node.text, quote=False))
        elif isinstance(node, Styled):
            opening, closing = STYLE_TAGS[node.style]
            out.append(f"{opening}{inline_html(node.children)}{closing}")
        elif isinstance(node, CitationLink):
            href = html.escape(f"#ref-{node.key}", quote=True)
            out.append(f'<a class="citation" href="{href}">{inline_html(node.children)}</a>')
        elif isinstance(node, Link):
            out.append(f'<a href="{html.escape(node.href, quote=True)}">{inline_html(node.children)}</a>')
    return "".join(out)


@dataclass(frozen=True, slots=True)
class HtmlCell:
    """A table cell as partials/table.html.j2 prints it."""

    html: Markup
    """Its content."""
    header: bool
    """A row header (<th scope="row">)."""
    classes: str
    """CSS classes (``date``, ``value abnormal``)."""


@dataclass(frozen=True, slots=True)
class HtmlTable:
    """A table's cells as partials/table.html.j2 prints them."""

    columns: list[Markup]
    """Column headings."""
    rows: list[list[HtmlCell]]
    """Rows of cells."""
    notes: list[Markup]
    """Notes the generator adds (what the marks mean)."""


@dataclass
class HtmlWriter:
    """What one render of the article has printed so far."""

    resolved: ResolvedCase
    """What to print."""
    env: jinja2.Environment
    """The journal's environment (for the figure and table partials)."""
    context_key: str
    """The context variable that holds this writer (the partials get it too)."""
    prose_paths: dict[int, FieldPath] = field(default_factory=dict)
    """id() of each prose value of the case -> its field path."""
    emitted: list[str] = field(default_factory=list)
    """Floats printed, in order."""
    anchors: dict[FieldPath, str] = field(default_factory=dict)
    """Field path -> the element id its prose was printed with."""

    def __post_init__(self) -> None:
        self.prose_paths = {id(text): path for path, text in iter_prose(self.resolved.case)}

    # -- prose ---------------------------------------------------------------------------

    def _path(self, text: str) -> FieldPath | None:
        return self.prose_paths.get(id(text))

    def _context(self, path: FieldPath | None, text: str, block: bool) -> prose.ProseContext:
        key: FieldPath = path if path is not None else ("literal", text)
        ctx = prose.ProseContext(key, self.render_ref)
        if block:
            blocks = iter(range(10**9))
            ctx.after_block = lambda: self.after_block(key, next(blocks))
        return ctx

    def _anchor(self, path: FieldPath | None) -> str | None:
        """A new element id for a field (None for text that is no field of the case, or a repeat)."""
        if path is None or path in self.anchors:
            return None
        self.anchors[path] = field_anchor(path)
        return self.anchors[path]

    def md(self, text: Markdown | str | None) -> Markup:
        """Block Markdown, floats after the blocks the resolve stage set them after."""
        if text is None:
            return Markup("")
        path = self._path(text)
        # The id on the field's first block and the end marker in its last line let the CARE
        # checklist give the pages a field spans; no wrapper, so floats stay children of the
        # template's container (see prose.render_block).
        ctx = self._context(path, str(text), True)
        return Markup(prose.render_block(str(text), ctx, self._anchor(path)))

    def md_inline(self, text: Markdown | str | None) -> Markup:
        """Inline Markdown (titles, keywords)."""
        if text is None:
            return Markup("")
        path = self._path(text)
        rendered = prose.render_inline(str(text), self._context(path, str(text), False))
        ident = self._anchor(path)
        return Markup(f'<span class="field" id="{ident}">{rendered}</span>' if ident else rendered)

    def inline(self, item: Prose | None) -> Markup:
        """Inline prose of a float (a legend, a cell), without an anchor."""
        if item is None:
            return Markup("")
        return Markup(prose.render_inline(str(item.text), self._context(item.path, str(item.text), False)))

    def render_ref(self, group: markup.Group, ctx: prose.ProseContext) -> str:
        """A citation or cross-reference group, as the resolve stage resolved it."""
        ordinal = ctx.extra.setdefault("groups", 0)
        ctx.extra["groups"] = ordinal + 1
        resolved = self.resolved.groups.get(GroupId(ctx.key, ordinal))
        if resolved is None or not _same(resolved, group):
            where = "text that is not a field of the case" if ctx.key[:1] == ("literal",) else ".".join(map(str, ctx.key))
            raise jinja2.TemplateRuntimeError(
                f"a citation or cross-reference in {where} was not resolved: print case fields with md or md_inline")
        out = [inline_html(resolved.citation.text)] if resolved.citation else []
        for label in resolved.crossrefs:
            links = ", ".join(f'<a class="xref" href="#{escape(p.target)}">{escape(p.text)}</a>' for p in label.parts)
            out.append(f"{escape(label.word)}\u00a0{links}")
        return "; ".join(out)

    # -- floats --------------------------------------------------------------------------

    def after_block(self, path: FieldPath, block: int) -> str:
        """The floats set after this block."""
        return "".join(self.emit(i) for i in self.resolved.placements.after_block.get(BlockSite(path, block), ()))

    def template_place(self, float_id: str) -> Markup:
        """place(id): the float here, unless it is printed already."""
        return self.emit(float_id)

    def floats_remaining(self) -> Markup:
        """The floats set after the body, then any the templates did not print."""
        order = [*self.resolved.placements.at_end, *(f.id for f in (*self.resolved.figures, *self.resolved.tables))]
        return Markup("".join(self.emit(i) for i in order))

    def emit(self, float_id: str) -> Markup:
        """A float, the first time it is asked for."""
        if float_id in self.emitted:
            return Markup("")
        item = self.resolved.float_by_id(float_id)
        if item is None:
            raise jinja2.TemplateRuntimeError(f"place(): no figure or table with id '{float_id}'")
        self.emitted.append(float_id)
        if isinstance(item, ResolvedFigure):
            return self._figure(item)
        return self._table(item)

    def _figure(self, fig: ResolvedFigure) -> Markup:
        panels = [
            {"letters": p.letters, "ids": list(p.ids), "caption": self.inline(p.caption), "file": p.file, "alt": p.alt}
            for p in fig.panels
        ]
        template = self.env.get_template(FIGURE_TEMPLATE)
        image = fig.image
        return Markup(template.render(
            **{self.context_key: self}, fig=fig.figure, number=fig.number, label=fig.label,
            caption=self.inline(fig.caption), panels=panels,
            image=Markup(image.svg) if image else None, image_alt=image.alt if image else None,
            columns=panel_columns(fig.figure.columns, sum(1 for p in fig.panels if p.file)),
        ))

    def _cell(self, cell: Cell) -> Markup:
        out: list[str] = []
        for part in cell.parts:
            if isinstance(part, LineBreak):
                out.append("<br>")
            elif isinstance(part, CellText):
                text = escape(part.text)
                if part.strong:
                    text = Markup(f"<strong>{text}</strong>")
                out.append(f'<span class="{part.role}">{text}</span>' if part.role else text)
            else:
                out.append(self.inline(part))
        return Markup("".join(out))

    def _table(self, table: ResolvedTable) -> Markup:
        rows = [
            [HtmlCell(self._cell(c), c.header, f"{c.kind}{' abnormal' if c.flag else ''}".strip()) for c in row]
            for row in table.rows
        ]
        data = HtmlTable([self._cell(c) for c in table.columns], rows, [Markup(escape(n)) for n in table.footnotes])
        template = self.env.get_template(TABLE_TEMPLATE)
        return Markup(template.render(
            **{self.context_key: self}, table=table.table, number=table.number, label=table.label,
            caption=self.inline(table.caption), data=data, notes=self.inline(table.notes),
        ))

    # -- what was printed ------------------------------------------------------------------

    def printed(self) -> frozenset[str]:
        """Element ids of the fields and floats printed."""
        return frozenset([*self.anchors.values(), *self.emitted])


def panel_columns(columns: int | None, images: int) -> int:
    """How many panel images a row holds: the figure's ``columns``, else 2 for two or four, 3 otherwise."""
    if columns is not None:
        return columns
    return 1 if images < 2 else 2 if images in (2, 4) else 3


def _same(resolved: ResolvedGroup, group: markup.Group) -> bool:
    """The resolved group is the one the writer meets (same keys, same floats)."""
    keys = [r.key for r in resolved.citation.refs] if resolved.citation else []
    targets = {p.target for label in resolved.crossrefs for p in label.parts}
    return keys == [c.key for c in group.citations] and targets <= {r.id for r in group.crossrefs}
