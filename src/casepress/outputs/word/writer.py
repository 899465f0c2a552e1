"""A resolved case as the Word manuscript: the adapter from the resolve stage's ``ResolvedCase``
to :class:`casepress.outputs.word.document.Manuscript`.

Written against the shape of ``casepress.stages.resolved.ResolvedCase``; nothing is imported from the
resolve stage. Citations and cross-references print as the style and the journal print them
(``(2–4)``, ``Figures 1A–C``), each cited number a link to its reference list entry and each
figure or table number a link to the caption (internal hyperlinks to bookmarks, as Word's own
cross-references are); figures and tables stand after the paragraph of their first mention, or
where the resolve stage put them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from casepress.model import NotReported, StructuredAbstract
from casepress.outputs.submission.figures import FigureFile
from casepress.outputs.word.document import FigureBlock, Manuscript, Picture, TableBlock, count_words
from casepress.outputs.word.runs import InternalLink, TextRenderer, as_written, bookmark
from casepress.stages.resolved import Text


def text_of(nodes: Iterable[Any]) -> str:
    """Neutral inline nodes as plain text."""
    out: list[str] = []
    for node in nodes:
        if hasattr(node, "children"):
            out.append(text_of(node.children))
        else:
            out.append(str(node.text))
    return "".join(out)


def group_inlines(group: Any) -> list[Any]:
    """A resolved group as printed, as inline nodes: the cluster (its citations link to their
    entries), then ``Figures 1A–C`` with each part a link to its float's caption; joined by ``; ``."""
    pieces: list[list[Any]] = [list(group.citation.text)] if group.citation is not None else []
    for ref in group.crossrefs:
        out: list[Any] = [Text(f"{ref.word}\u00a0")]
        for i, part in enumerate(ref.parts):
            out += [Text(", ")] if i else []
            out.append(InternalLink(bookmark(part.target), (Text(part.text),)))
        pieces.append(out)
    joined: list[Any] = []
    for i, piece in enumerate(pieces):
        joined += [Text("; "), *piece] if i else piece
    return joined


def pictures_for(files: Sequence[FigureFile]) -> dict[str, Picture]:
    """Case-relative image -> what Word embeds: the file itself, or an SVG's PNG rendering."""
    out: dict[str, Picture] = {}
    for f in files:
        suffix = f.name[f.name.rfind("."):].lower()
        if f.role == "figure-png" or (f.role == "figure" and suffix in WORD_IMAGES):
            out[f.source] = Picture(f.data, "", f.name)
        elif f.role == "figure" and suffix != ".svg":  # e.g. WebP, which Word does not embed: as PNG
            out[f.source] = Picture(_as_png(f.data), "", f.name[:-len(suffix)] + ".png")
    return out


WORD_IMAGES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff"})
"""Image formats python-docx embeds as they are."""


def _as_png(data: bytes) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    with Image.open(io.BytesIO(data)) as image:
        image.save(out, "PNG")
    return out.getvalue()


class _Writer:
    def __init__(self, resolved: Any, manuscript: Manuscript, pictures: Mapping[str, Picture]) -> None:
        self.resolved = resolved
        self.out = manuscript
        self.pictures = pictures
        self.groups = {(tuple(g.field), g.ordinal): group for g, group in resolved.groups.items()}
        self.after = {(tuple(s.field), s.block): ids for s, ids in resolved.placements.after_block.items()}
        self.floats = {f.id: f for f in (*resolved.figures, *resolved.tables)}

    def groups_for(self, path: Sequence[str | int]) -> TextRenderer:
        key = tuple(path)

        def render(group: Any, ordinal: int) -> Sequence[Any]:
            found = self.groups.get((key, ordinal))
            return group_inlines(found) if found is not None else as_written(group, ordinal)

        return render

    def after_block(self, path: Sequence[str | int]) -> Callable[[int], None]:
        key = tuple(path)

        def place(block: int) -> None:
            for float_id in self.after.get((key, block), ()):
                self.float(float_id)

        return place

    def float(self, float_id: str) -> None:
        item = self.floats[float_id]
        if hasattr(item, "figure"):
            self.figure(item)
        else:
            self.table(item)

    def figure(self, fig: Any) -> None:
        images = [(fig.figure.file, fig.figure.alt)] if fig.figure.file else []
        images += [(p.file, p.alt) for p in fig.panels if p.file]
        if getattr(fig, "image", None) is not None:  # drawn by casepress: its PNG, by its name
            images.append((fig.image.name, fig.image.alt))
        pictures = tuple(Picture(self.pictures[name].data, alt or "", self.pictures[name].name)
                         for name, alt in images if name in self.pictures)
        caption = fig.caption
        self.out.figure(FigureBlock(
            fig.label, caption.text if caption else None, tuple(caption.path) if caption else (),
            tuple((p.letters, p.caption.text, tuple(p.caption.path)) for p in fig.panels if p.caption is not None),
            pictures, fig.id), self.groups_for)

    def table(self, table: Any) -> None:
        notes = (table.notes.text, tuple(table.notes.path)) if table.notes is not None else None
        rows = tuple(tuple(c.parts for c in row) for row in table.rows)
        self.out.table(TableBlock(
            table.label, table.caption.text, tuple(table.caption.path), tuple(c.parts for c in table.columns), rows,
            row_headers=bool(table.rows) and table.rows[0][0].header, notes=tuple(table.footnotes),
            case_notes=notes, anchor=table.id),
            self.groups_for)

    def item(self, item: Any) -> None:
        kind = item.kind
        if kind == "prose":
            path = tuple(item.prose.path)
            self.out.prose(item.prose.text, self.groups_for(path), self.after_block(path))
        elif kind == "demographics":
            d = item.demographics
            facts = [f"{d.age} {d.age_unit}" if d.age is not None else None, d.sex, d.gender, d.ethnicity, d.occupation]
            self.out.paragraph().add_run("; ".join(f for f in facts if f))
        elif kind == "differential":
            self.out.paragraph().add_run(item.lead)
            for text in item.items:
                self.out.paragraph("List Bullet").add_run(text)
        elif kind == "floats":
            for float_id in item.ids:
                self.float(float_id)
        elif kind == "interventions":
            self.out.table(TableBlock(
                "", item.caption, (), tuple(c.parts for c in item.columns),
                tuple(tuple(c.parts for c in row) for row in item.rows), row_headers=True, notes=item.notes))
        else:
            if item.caption is not None:
                self.out.prose(item.caption.text)
            for event in item.events:
                self.out.prose(f"{event.date_text}: {event.event.text}")

    def section(self, section: Any) -> None:
        self.out.heading(section.label, max(section.level - 1, 1))
        for item in section.items:
            self.item(item)
        for child in section.children:
            self.section(child)


def body_words(sections: Iterable[Any]) -> int:
    """Words of the body's prose (headings, captions, tables and references left out)."""
    total = 0
    for section in sections:
        total += sum(count_words(i.prose.text) for i in section.items if i.kind == "prose")
        total += body_words(section.children)
    return total


def abstract_words(case: Any) -> int:
    """Words of the abstract."""
    value = case.abstract
    if value is None or isinstance(value, NotReported):
        return 0
    if isinstance(value, StructuredAbstract):
        return sum(count_words(text) for _, text in value.written())
    return count_words(value)


def _abstract(writer: _Writer) -> None:
    value = writer.resolved.case.abstract
    if value is None or isinstance(value, NotReported):
        return
    labels = writer.resolved.journal.config.labels
    writer.out.heading(labels.abstract, 1)  # the journal's name for it (BMJ Case Reports: Summary)
    if not isinstance(value, StructuredAbstract):
        writer.out.prose(value, writer.groups_for(("abstract",)))
        return
    headings = labels.abstract_parts
    for part, text in value.written():
        writer.out.heading(getattr(headings, part.name), 2)
        writer.out.prose(text, writer.groups_for(("abstract", part.name)))


def _contributions(case: Any) -> str:
    parts = [f"{a.display_initials}: {', '.join(a.contributions)}" for a in case.authors if a.contributions]
    return ". ".join(parts) + "." if parts else ""


def write_docx(resolved: Any, reference: Path | bytes, when: datetime,
               pictures: Mapping[str, Picture] | None = None) -> bytes:
    """The case as a ``.docx`` manuscript in the journal's order, from ``reference``'s styles.

    ``pictures`` maps each case-relative image to what is embedded (see :func:`pictures_for`);
    an image without an entry is left out."""
    case = resolved.case
    writer = _Writer(resolved, Manuscript(reference, when), pictures or {})
    counts = [("abstract", abstract_words(case)), ("main text", body_words(resolved.sections)),
              ("figures", len(resolved.figures)), ("tables", len(resolved.tables)),
              ("references", len(resolved.references))]
    writer.out.title_page(case, [(what, n) for what, n in counts if n or what in ("abstract", "main text")])
    _abstract(writer)
    for section in resolved.sections:
        writer.section(section)
    for float_id in resolved.placements.at_end:
        writer.float(float_id)
    for statement in resolved.statements:
        writer.out.heading(statement.heading, 1)
        if statement.contributions:
            writer.out.paragraph().add_run(_contributions(case))
        for prose in statement.fields:
            writer.out.prose(prose.text, writer.groups_for(prose.path))
    if resolved.references:
        writer.out.references("References", [(text_of(e.label) if e.label else None, e.text)
                                             for e in resolved.references], [e.key for e in resolved.references])
    writer.out.properties(case)
    return writer.out.to_bytes()
