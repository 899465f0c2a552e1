"""The Word manuscript: title page, sections, figures, tables, the reference list, properties.

:class:`Manuscript` opens a reference document (its styles, page set-up, line numbering and
spacing are kept), empties its body and writes the article into it, piece by piece, in the
order the caller gives (the journal's section order, decided by the resolve stage).
:meth:`Manuscript.to_bytes` returns reproducible bytes: every zip entry and the core
properties' dates carry the build time (``SOURCE_DATE_EPOCH``).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import count
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK
from docx.image.image import Image
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu
from docx.text.paragraph import Paragraph

from casepress.model import Case
from casepress.text.prose import parsed, plain_text
from casepress.core.reproducible import normalize_zip
from casepress.outputs.word.reference import TABLE_STYLE
from casepress.outputs.word.runs import (
    Face,
    RunWriter,
    TextRenderer,
    add_inline_markdown,
    add_inlines,
    add_markdown_blocks,
    as_written,
    bookmark,
    entry_bookmark,
)

FieldPath = tuple[str | int, ...]
GroupsFor = Callable[[FieldPath], TextRenderer]
"""The text renderer of a prose field's reference groups, by the field's path."""


def _no_groups(path: FieldPath) -> TextRenderer:
    return as_written


@dataclass(frozen=True)
class Picture:
    """One image to embed: PNG or JPEG bytes (an SVG is rasterised first)."""

    data: bytes
    """The image file's bytes."""
    alt: str
    """Its alternative text (Word's "description")."""
    name: str
    """The file name shown as the picture's name, e.g. ``Figure-1.png``."""


@dataclass(frozen=True)
class FigureBlock:
    """A figure as the manuscript prints it."""

    label: str
    """``Figure 1``."""
    caption: str | None
    """The legend's lead, Markdown."""
    caption_path: FieldPath
    """Its field."""
    panels: tuple[tuple[str, str, FieldPath], ...]
    """Panel legends: (letters as printed, Markdown, field)."""
    pictures: tuple[Picture, ...]
    """The images, in order."""
    anchor: str | None = None
    """The figure's id: its caption is bookmarked (:func:`~casepress.outputs.word.runs.bookmark`)
    for the figure references to link to; None for no bookmark."""


@dataclass(frozen=True)
class TableBlock:
    """A table as the manuscript prints it; cells are sequences of parts shaped like the resolve
    stage's: text (``.text``, optional ``.strong``), inline prose (``.text`` and ``.path``), or a
    line break (anything else)."""

    label: str
    """``Table 1``; empty for a table of a section's own (the interventions), not numbered."""
    title: str
    """The caption, Markdown."""
    title_path: FieldPath
    """Its field."""
    columns: tuple[Sequence[Any], ...]
    """The column headings."""
    rows: tuple[tuple[Sequence[Any], ...], ...]
    """The body rows."""
    row_headers: bool = False
    """The first cell of each body row heads it (bold)."""
    notes: tuple[str, ...] = ()
    """Notes under the table, plain text (what a generated table's marks mean)."""
    case_notes: tuple[str, FieldPath] | None = None
    """The case's notes under the table, after those: inline Markdown and its field (its
    citations and cross-references resolved as the prose's)."""
    anchor: str | None = None
    """The table's id: its caption is bookmarked for the table references; None for no bookmark."""


def count_words(text: str) -> int:
    """Words of Markdown prose as a journal counts them: citations and cross-references left out."""
    total = 0
    for token in parsed(text, True):
        pieces = [c.content if c.type in ("text", "code_inline") else "" if c.type.endswith(("_open", "_close"))
                  else " " for c in token.children or []]
        total += len(re.findall(r"[^\W_](?:\S*[^\W_])?", "".join(pieces)))
    return total


class Manuscript:
    """A manuscript being written into a reference document."""

    def __init__(self, reference: Path | bytes, when: datetime) -> None:
        source = io.BytesIO(reference) if isinstance(reference, bytes) else str(reference)
        self.document = docx.Document(source)
        self.when = when
        self._style_ids: dict[str, str] | None = None
        self._bookmark_ids = count()
        body = self.document.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)

    # -- paragraphs -------------------------------------------------------------------

    def style_id(self, name: str) -> str:
        """The id of the paragraph style named ``name`` (python-docx looks a name up by walking
        every style, about 3 ms a paragraph; the map is made once). Raises KeyError for a
        style the reference document lacks, as python-docx does."""
        if self._style_ids is None:
            self._style_ids = {s.name: s.style_id for s in self.document.styles if s.name is not None}
        return self._style_ids[name]

    def paragraph(self, style: str | None = None, text: str = "") -> Paragraph:
        """A new paragraph at the end, in ``style`` (the document's default when None)."""
        paragraph = self.document.add_paragraph(text)
        if style is not None:
            paragraph._p.style = self.style_id(style)
        return paragraph

    def heading(self, text: str, level: int = 1) -> Paragraph:
        """A heading (``Heading 1``-``3``)."""
        return self.paragraph(f"Heading {min(max(level, 1), 3)}", text)

    def prose(self, text: str, groups: TextRenderer = as_written,
              after_block: Callable[[int], None] | None = None) -> None:
        """Block Markdown as ``Normal`` paragraphs and list paragraphs."""
        add_markdown_blocks(text, lambda style: self.paragraph(style), groups, after_block)

    def inlines(self, nodes: Sequence[Any], style: str | None = None) -> Paragraph:
        """A paragraph of neutral inline nodes."""
        paragraph = self.paragraph(style)
        add_inlines(RunWriter(paragraph), nodes)
        return paragraph

    def bookmark(self, paragraph: Paragraph, name: str) -> None:
        """Bookmark the whole of ``paragraph`` (written already) as ``name``, the target of the
        internal hyperlinks to it; each bookmark has an id of its own, as Word requires."""
        ident = str(next(self._bookmark_ids))
        start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
        start.set(qn("w:id"), ident)
        start.set(qn("w:name"), name)
        end.set(qn("w:id"), ident)
        p = paragraph._p
        if p.pPr is not None:
            p.pPr.addnext(start)
        else:
            p.insert(0, start)
        p.append(end)

    def page_break(self) -> None:
        """Start a new page."""
        self.paragraph().add_run().add_break(WD_BREAK.PAGE)

    # -- title page ---------------------------------------------------------------------

    def title_page(self, case: Case, counts: Sequence[tuple[str, int]], groups_for: GroupsFor = _no_groups) -> None:
        """Title, authors with affiliation superscripts, affiliations, correspondence, keywords
        and the counts journals ask for (e.g. words of the abstract and of the main text)."""
        add_inline_markdown(self.paragraph("Title"), case.title, groups_for(("title",)))
        numbers: dict[str, int] = {}
        for author in case.authors:
            for aff in author.affiliations:
                numbers.setdefault(aff, len(numbers) + 1)
        byline = RunWriter(self.paragraph())
        for i, author in enumerate(case.authors):
            byline.text((", " if i else "") + author.full_name, Face())
            marks = ",".join(str(numbers[a]) for a in author.affiliations) + ("*" if author.corresponding else "")
            byline.text(marks, Face(superscript=True))
        names = {a.id: a.name for a in case.affiliations}
        for aff, n in numbers.items():
            line = RunWriter(self.paragraph())
            line.text(str(n), Face(superscript=True))
            line.text(names.get(aff, aff), Face())
        for author in (a for a in case.authors if a.corresponding and a.email):
            line = RunWriter(self.paragraph())
            line.text("*Correspondence: ", Face(bold=True))
            line.text(f"{author.full_name}, {author.email}", Face())
        if isinstance(case.keywords, list) and case.keywords:
            paragraph = self.paragraph()
            RunWriter(paragraph).text("Keywords: ", Face(bold=True))
            for i, keyword in enumerate(case.keywords):
                if i:
                    RunWriter(paragraph).text(", ", Face())
                add_inline_markdown(paragraph, keyword, groups_for(("keywords", i)))
        if counts:
            line = RunWriter(self.paragraph())
            line.text("Word count: ", Face(bold=True))
            line.text("; ".join(f"{what} {n}" for what, n in counts), Face())
        self.page_break()

    # -- floats -----------------------------------------------------------------------------

    def _text_width(self) -> int:
        section = self.document.sections[-1]
        return int(section.page_width - section.left_margin - section.right_margin)

    def picture(self, picture: Picture) -> Paragraph:
        """An image in a paragraph of its own, at its size (no wider than the text), with its
        alt text as Word's description."""
        image = Image.from_blob(picture.data)
        native = int(image.px_width / (image.horz_dpi or 72) * 914400)
        paragraph = self.paragraph()
        paragraph.paragraph_format.keep_with_next = True
        run = paragraph.add_run()
        run.add_picture(io.BytesIO(picture.data), width=Emu(min(native, self._text_width())))
        for doc_pr in run._r.xpath(".//wp:docPr"):
            doc_pr.set("descr", picture.alt)
            doc_pr.set("name", picture.name)
        return paragraph

    def figure(self, block: FigureBlock, groups_for: GroupsFor = _no_groups) -> None:
        """The images, then the caption: label, lead, and each panel's letters and legend."""
        for picture in block.pictures:
            self.picture(picture)
        caption = self.paragraph("Caption")
        RunWriter(caption).text(f"{block.label}. ", Face(bold=True))
        if block.caption:
            add_inline_markdown(caption, block.caption, groups_for(block.caption_path))
        for letters, legend, path in block.panels:
            RunWriter(caption).text(f" ({letters}) ", Face(bold=True))
            add_inline_markdown(caption, legend, groups_for(path))
        if block.anchor:
            self.bookmark(caption, bookmark(block.anchor))

    def table(self, block: TableBlock, groups_for: GroupsFor = _no_groups) -> None:
        """The caption above, a Word table whose header row repeats on every page, notes below."""
        caption = self.paragraph("Caption")
        caption.paragraph_format.keep_with_next = True
        if block.label:
            RunWriter(caption).text(f"{block.label}. ", Face(bold=True))
        add_inline_markdown(caption, block.title, groups_for(block.title_path))
        if block.anchor:
            self.bookmark(caption, bookmark(block.anchor))
        table = self.document.add_table(rows=1 + len(block.rows), cols=len(block.columns))
        table.style = self.document.styles[TABLE_STYLE]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        table.rows[0]._tr.get_or_add_trPr().append(header)
        for cell, parts in zip(table.rows[0].cells, block.columns):
            _fill(cell.paragraphs[0], parts, groups_for, Face(bold=True))
        for row, cells in zip(table.rows[1:], block.rows):
            for i, (cell, parts) in enumerate(zip(row.cells, cells)):
                _fill(cell.paragraphs[0], parts, groups_for, Face(bold=block.row_headers and i == 0))
        for note in block.notes:
            self.paragraph("Table Note", note)
        if block.case_notes is not None:
            text, path = block.case_notes
            add_inline_markdown(self.paragraph("Table Note"), text, groups_for(path))

    # -- references and properties --------------------------------------------------------

    def references(self, heading: str, entries: Sequence[tuple[str | None, Sequence[Any]]],
                   keys: Sequence[str] = ()) -> None:
        """The reference list: each entry its printed number, a tab, and the entry as printed;
        with ``keys`` (each entry's BibTeX key, in order), each entry is bookmarked
        (:func:`~casepress.outputs.word.runs.entry_bookmark`) for its citations to link to."""
        self.heading(heading, 1)
        for i, (label, nodes) in enumerate(entries):
            paragraph = self.paragraph("Reference")
            writer = RunWriter(paragraph)
            if label:
                writer.text(f"{label}\t", Face())
            add_inlines(writer, nodes)
            if i < len(keys):
                self.bookmark(paragraph, entry_bookmark(keys[i]))

    def properties(self, case: Case) -> None:
        """Title, authors, keywords, language and subject; dates are the build time."""
        props = self.document.core_properties
        props.title = plain_text(case.title)
        props.author = "; ".join(a.full_name for a in case.authors)
        props.keywords = ", ".join(plain_text(k) for k in case.keywords) if isinstance(case.keywords, list) else ""
        props.language = case.language
        props.subject = case.article_type
        props.last_modified_by = ""
        props.comments = ""
        props.revision = 1
        naive = self.when.replace(tzinfo=None)
        props.created = props.modified = props.last_printed = naive

    def to_bytes(self) -> bytes:
        """The ``.docx`` as reproducible bytes."""
        out = io.BytesIO()
        self.document.save(out)
        return normalize_zip(out.getvalue(), self.when)


def _fill(paragraph: Paragraph, parts: Sequence[Any], groups_for: GroupsFor, face: Face) -> None:
    writer = RunWriter(paragraph)
    for part in parts:
        if isinstance(part, str):
            writer.text(part, face)
        elif hasattr(part, "path") and hasattr(part, "text"):
            add_inline_markdown(paragraph, str(part.text), groups_for(part.path), face)
        elif hasattr(part, "text"):
            writer.text(str(part.text), replace(face, bold=face.bold or bool(getattr(part, "strong", False))))
        else:
            paragraph.add_run().add_break()
