"""A resolved case as one JATS file: the adapter from the resolve stage's ``ResolvedCase`` to
the builders of this package.

Written against the shape of ``casepress.stages.resolved.ResolvedCase`` (sections, statements, figures,
tables, groups, references, placements, as the resolve stage commits them); nothing is
imported from the resolve stage, so this module reads any object of that shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from copy import deepcopy
from datetime import date
from typing import Any

from lxml import etree

from casepress.model.care import care_status
from casepress.model import Case
from casepress.outputs.jats import back as K
from casepress.outputs.jats import body as B
from casepress.outputs.jats import front as F
from casepress.outputs.jats import refs as R
from casepress.outputs.jats.article import article, to_bytes
from casepress.outputs.jats.inline import GroupRenderer, append_inlines, markdown_blocks, no_groups
from casepress.outputs.jats.xml import el

SEC_TYPES = {
    "introduction": "intro", "case-description": "cases", "case-presentation": "cases",
    "patient-information": "cases", "discussion": "discussion", "conclusion": "conclusions",
    "learning-points": "conclusions",
}
"""Section block ids -> the JATS tag library's recommended ``sec-type`` values."""


class _Context:
    """What every piece of the adapter looks up: groups, placements, floats, reference ids."""

    def __init__(self, resolved: Any, hrefs: Mapping[str, Sequence[str]]) -> None:
        self.resolved = resolved
        self.case: Case = resolved.case
        self.hrefs = hrefs
        self.ref_ids = R.ref_ids(e.key for e in resolved.references)
        self.groups = {(tuple(g.field), g.ordinal): group for g, group in resolved.groups.items()}
        self.after = {(tuple(s.field), s.block): ids for s, ids in resolved.placements.after_block.items()}
        self.floats = {f.id: f for f in (*resolved.figures, *resolved.tables)}
        self.care = care_status(self.case)

    def groups_for(self, path: Sequence[str | int]) -> GroupRenderer:
        key = tuple(path)

        def render(group: Any, ordinal: int) -> Sequence[str | etree._Element]:
            found = self.groups.get((key, ordinal))
            return B.group_content(found, self.ref_ids) if found is not None else no_groups(group, ordinal)

        return render

    def after_block(self, path: Sequence[str | int]) -> Callable[[int], Iterable[etree._Element]]:
        key = tuple(path)
        return lambda block: [self.float_element(i) for i in self.after.get((key, block), ())]

    def float_element(self, float_id: str) -> etree._Element:
        item = self.floats[float_id]
        return figure(item, self) if hasattr(item, "figure") else table(item, self)

    def care_items(self, paths: Iterable[Sequence[str | int]]) -> list[str]:
        fields = [tuple(p) for p in paths]
        items = []
        for status in self.care:
            for reported in status.paths:
                if any(tuple(reported[:len(f)]) == f or f[:len(reported)] == tuple(reported) for f in fields):
                    items.append(status.item_id)
                    break
        return items


def figure(resolved_figure: Any, ctx: _Context) -> etree._Element:
    """``fig`` for a resolved figure; images named as the package names them (``hrefs``)."""
    model = resolved_figure.figure
    graphics = []
    if model.file:
        graphics.append(B.Graphic(tuple(ctx.hrefs.get(model.file, (model.file,))), model.alt or ""))
    for panel in resolved_figure.panels:
        if panel.file:
            graphics.append(B.Graphic(tuple(ctx.hrefs.get(panel.file, (panel.file,))), panel.alt or "", panel.letters))
    image = getattr(resolved_figure, "image", None)
    if image is not None:  # drawn by casepress: the file the folder holds under its output-relative name
        graphics.append(B.Graphic(tuple(ctx.hrefs.get(image.name, (image.name,))), image.alt))
    caption = resolved_figure.caption
    spec = B.FigureSpec(
        resolved_figure.id, resolved_figure.label, caption.text if caption else None,
        tuple(caption.path) if caption else (),
        tuple(B.PanelCaption(p.letters, p.caption.text, tuple(p.caption.path)) for p in resolved_figure.panels
              if p.caption is not None),
        tuple(graphics), placeholder=model.placeholder)
    return B.fig(spec, ctx.groups_for)


def _cell(cell: Any, ctx: _Context) -> B.TableCell:
    content: list[Any] = []
    for part in cell.parts:
        if hasattr(part, "path"):
            content.extend(B.inline_markdown(part.text, ctx.groups_for(part.path)))
        elif hasattr(part, "text"):
            content.append(el("bold", {}, part.text) if getattr(part, "strong", False) else part.text)
        else:
            content.append(el("break"))
    attrs = {"content-type": cell.flag} if getattr(cell, "flag", None) else {}
    return B.TableCell(tuple(content), header=cell.header, attrs=attrs)


def table(resolved_table: Any, ctx: _Context) -> etree._Element:
    """``table-wrap`` for a resolved table."""
    caption = resolved_table.caption
    notes: list[tuple[Any, ...]] = [(n,) for n in resolved_table.footnotes]
    if resolved_table.notes is not None:
        notes.append(B.inline_markdown(resolved_table.notes.text, ctx.groups_for(resolved_table.notes.path)))
    return B.table_wrap(B.TableSpec(
        resolved_table.id, resolved_table.label, B.inline_markdown(caption.text, ctx.groups_for(caption.path)),
        tuple(_cell(c, ctx) for c in resolved_table.columns),
        tuple(tuple(_cell(c, ctx) for c in row) for row in resolved_table.rows), tuple(notes)))


def _item(item: Any, ctx: _Context) -> tuple[list[etree._Element], list[tuple[str | int, ...]]]:
    """A section item as blocks, and the prose fields it prints."""
    kind = item.kind
    if kind == "prose":
        path = tuple(item.prose.path)
        return markdown_blocks(item.prose.text, ctx.groups_for(path), ctx.after_block(path)), [path]
    if kind == "demographics":
        d = item.demographics
        facts = [f"{d.age} {d.age_unit}" if d.age is not None else None, d.sex, d.gender, d.ethnicity, d.occupation]
        return [el("p", {}, "; ".join(f for f in facts if f))], [("patient_information", "demographics")]
    if kind == "differential":
        entries = [el("list-item", {}, el("p", {}, text)) for text in item.items]
        return [el("p", {}, item.lead), el("list", {"list-type": "bullet"}, entries)], \
            [("diagnostic_assessment", "differential_diagnosis")]
    if kind == "floats":
        generated = [("timeline",) for i in item.ids if getattr(getattr(ctx.floats[i], "table", None), "generate", None)
                     == "timeline"]
        return [ctx.float_element(i) for i in item.ids], generated
    if kind == "interventions":
        return [B.table_wrap(B.TableSpec(
            item.anchor, None, (item.caption,), tuple(_cell(c, ctx) for c in item.columns),
            tuple(tuple(_cell(c, ctx) for c in row) for row in item.rows), tuple((n,) for n in item.notes)))], \
            [("therapeutic_intervention", "interventions")]
    events = [el("list-item", {}, el("p", {}, f"{e.date_text}: ", *B.inline_markdown(e.event.text)))
              for e in item.events]
    head = [el("p", {}, *B.inline_markdown(item.caption.text))] if item.caption is not None else []
    return [*head, el("list", {"list-type": "simple"}, events)], [("timeline",)]


def section(resolved_section: Any, ctx: _Context) -> etree._Element:
    """``sec`` with its number, heading, CARE items, content and subsections."""
    blocks: list[etree._Element] = []
    paths: list[tuple[str | int, ...]] = []
    for item in resolved_section.items:
        made, fields = _item(item, ctx)
        blocks.extend(made)
        paths.extend(fields)
    children = [section(child, ctx) for child in resolved_section.children]
    return B.sec(resolved_section.heading, [*blocks, *children], sec_id=resolved_section.anchor,
                 sec_type=SEC_TYPES.get(resolved_section.id), care=ctx.care_items(paths),
                 label=str(resolved_section.number) if resolved_section.number else None)


def contributions(case: Case) -> tuple[etree._Element, ...]:
    """The author contributions from the CRediT roles: one paragraph, ``SZ: Investigation, ...``."""
    parts = [f"{a.display_initials}: {', '.join(a.contributions)}" for a in case.authors if a.contributions]
    return (el("p", {}, ". ".join(parts) + "."),) if parts else ()


def statements(ctx: _Context) -> list[K.Statement]:
    """The statements after the body, as :mod:`casepress.outputs.jats.back` takes them."""
    return [K.Statement(s.id, s.heading, tuple((tuple(p.path), p.text) for p in s.fields),
                        contributions(ctx.case) if s.contributions else ())
            for s in ctx.resolved.statements]


def references(ctx: _Context) -> etree._Element | None:
    """``ref-list``: every entry structured from its CSL-JSON item and as the style prints it."""
    entries = ctx.resolved.references
    if not entries:
        return None
    library = ctx.resolved.checked.library.entries
    return R.ref_list([R.RefEntry(library[e.key].item, _label(e.label), e.text) for e in entries])


def _label(nodes: Sequence[Any] | None) -> str | None:
    if nodes is None:
        return None
    holder = append_inlines(el("x"), nodes, {})
    return "".join(holder.itertext()).strip() or None


def write_jats(resolved: Any, build_day: date, hrefs: Mapping[str, Sequence[str]] | None = None,
               issn: str | None = None, publisher: str | None = None) -> bytes:
    """The case as a JATS Journal Publishing 1.1 file.

    ``hrefs`` maps each case-relative image (a generated figure's: its output-relative name,
    ``figures/fig-timeline.svg``) to its names in the package (the original first, an SVG's PNG
    after it; see :func:`casepress.outputs.submission.figures.figure_files`);
    ``issn`` and ``publisher`` are the journal's (its journal.yaml), the case's publisher first."""
    ctx = _Context(resolved, hrefs or {})
    case = ctx.case
    parts = F.FrontParts(abstract=B.abstract(case, ctx.groups_for, resolved.journal.config.labels.abstract_parts),
                         build_day=build_day,
                         article_id=resolved.checked.slug)
    front = F.front(case, F.journal_meta_for(case, resolved.journal.name, issn, publisher), parts, ctx.groups_for(("title",)))
    body = [section(s, ctx) for s in resolved.sections]
    root = article(front, body, K.back(statements(ctx), references(ctx), ctx.groups_for), case.language)
    at_end = [ctx.float_element(i) for i in resolved.placements.at_end]
    if at_end:
        root.append(el("floats-group", {}, at_end))
    return to_bytes(root)



def relink(data: bytes, hrefs: Mapping[str, Sequence[str]]) -> bytes:
    """A JATS file written by :func:`write_jats` with its graphics pointing elsewhere: each
    ``graphic`` whose ``xlink:href`` is a key of ``hrefs`` points at the names given (several
    as ``alternatives``), as :func:`write_jats` with those ``hrefs`` writes it. Re-linking the
    file costs a parse and a serialisation, a tenth of writing it again."""
    from casepress.outputs.jats.body import MIME
    from casepress.outputs.jats.xml import HREF, serialize

    parser = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False, remove_blank_text=False)
    root = etree.fromstring(data, parser)
    for graphic in list(root.iter("graphic")):
        names = hrefs.get(graphic.get(HREF, ""))
        if not names:
            continue
        shapes = []
        for name in names:
            shape = deepcopy(graphic)
            shape.set(HREF, name)
            mimetype, subtype = MIME.get(name[name.rfind("."):].lower() if "." in name else "", (None, None))
            for attr, value in (("mimetype", mimetype), ("mime-subtype", subtype)):
                if value is None:
                    shape.attrib.pop(attr, None)
                else:
                    shape.set(attr, value)
            shapes.append(shape)
        replacement = shapes[0] if len(shapes) == 1 else el("alternatives", {}, shapes)
        replacement.tail = graphic.tail
        graphic.getparent().replace(graphic, replacement)
    return serialize(root)
