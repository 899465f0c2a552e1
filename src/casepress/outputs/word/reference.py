"""casepress's reference document: the Word styles a manuscript uses, and the journal options.

A reference document is a ``.docx`` whose styles, page set-up and section settings the
manuscript inherits: the writer opens it, empties its body and writes the article into it.
``scripts/make-reference-docx`` writes ``templates/base/reference.docx`` from
:func:`make_reference`; a journal template ships its own ``reference.docx`` (made with the
same script and its options, or edited in Word) to change fonts, margins, spacing or line
numbering without Python.

Styles used by the writer (all real Word styles, so an editor's own styles apply to them):
``Title``, ``Heading 1``-``3``, ``Normal``, ``Caption``, ``Reference`` (the reference list:
a hanging indent for the printed number), ``Table Note`` (footnotes under a table) and the
table style ``Case Table``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from casepress.core.reproducible import normalize_zip

STYLES = ("Title", "Heading 1", "Heading 2", "Heading 3", "Normal", "Caption", "Reference", "Table Note")
"""Paragraph styles the manuscript writer uses; a reference document must define them."""
TABLE_STYLE = "Case Table"
"""The table style of the manuscript's tables."""


@dataclass(frozen=True)
class ReferenceOptions:
    """What a journal may set in its reference document."""

    font: str = "Times New Roman"
    """The body font."""
    size: float = 12
    """The body font size, in points."""
    double_spacing: bool = False
    """Double line spacing for the body text (many journals ask for it in review)."""
    line_numbers: bool = False
    """Line numbers in the margin, restarting on each page (for reviewers' comments)."""
    page: Literal["A4", "letter"] = "A4"
    """Paper size."""
    margin_cm: float = 2.5
    """Page margins."""


def make_reference(options: ReferenceOptions = ReferenceOptions()) -> bytes:
    """A reference document with casepress's styles, as reproducible bytes."""
    document = docx.Document()
    _page(document, options)
    _styles(document, options)
    props = document.core_properties
    fixed = datetime(2000, 1, 1, tzinfo=UTC)
    props.title, props.author, props.last_modified_by, props.comments = "casepress reference document", "", "", ""
    props.created = props.modified = props.last_printed = fixed.replace(tzinfo=None)
    props.revision = 1
    out = io.BytesIO()
    document.save(out)
    return normalize_zip(out.getvalue(), fixed)


def _page(document: docx.document.Document, options: ReferenceOptions) -> None:
    section = document.sections[0]
    width, height = (Cm(21.0), Cm(29.7)) if options.page == "A4" else (Cm(21.59), Cm(27.94))
    section.page_width, section.page_height = width, height
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(options.margin_cm))
    if options.line_numbers:
        numbering = OxmlElement("w:lnNumType")
        numbering.set(qn("w:countBy"), "1")
        numbering.set(qn("w:restart"), "newPage")
        numbering.set(qn("w:distance"), str(int(Cm(0.5).twips)))
        section._sectPr.append(numbering)  # schema order: lnNumType comes after pgMar
        _order_sect_pr(section._sectPr)


_SECT_ORDER = ("footnotePr", "endnotePr", "type", "pgSz", "pgMar", "paperSrc", "pgBorders", "lnNumType",
               "pgNumType", "cols", "formProt", "vAlign", "noEndnote", "titlePg", "textDirection", "bidi",
               "rtlGutter", "docGrid", "printerSettings", "sectPrChange")


def _order_sect_pr(sect_pr: object) -> None:
    """Put the children of ``w:sectPr`` in the order the schema requires (Word rejects others)."""
    children = list(sect_pr)  # type: ignore[call-overload]
    rank = {qn(f"w:{name}"): i for i, name in enumerate(_SECT_ORDER)}
    for child in sorted(children, key=lambda c: rank.get(c.tag, len(rank))):
        sect_pr.append(child)  # type: ignore[attr-defined]


def _styles(document: docx.document.Document, options: ReferenceOptions) -> None:
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name, normal.font.size = options.font, Pt(options.size)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), options.font)
    normal.paragraph_format.space_after = Pt(0 if options.double_spacing else 6)
    normal.paragraph_format.line_spacing = 2.0 if options.double_spacing else 1.15
    for name, size in (("Title", 16), ("Heading 1", 14), ("Heading 2", 12), ("Heading 3", 12)):
        style = styles[name]
        style.font.name, style.font.size, style.font.bold = options.font, Pt(size), True
        style.font.italic = name == "Heading 3"
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(12)
        style.paragraph_format.space_after = Pt(6)
    title = styles["Title"]
    title.element.get_or_add_pPr().remove_all("w:pBdr")
    caption = styles["Caption"]
    caption.font.size, caption.font.bold, caption.font.italic = Pt(options.size - 1), False, False
    caption.font.color.rgb = RGBColor(0, 0, 0)
    reference = styles.add_style("Reference", WD_STYLE_TYPE.PARAGRAPH)
    reference.base_style = normal
    reference.paragraph_format.left_indent = Cm(1)
    reference.paragraph_format.first_line_indent = Cm(-1)
    note = styles.add_style("Table Note", WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    note.font.size = Pt(options.size - 2)
    note.paragraph_format.line_spacing = 1.0
    table = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
    table.base_style = styles["Table Grid"]
    table.paragraph_format.line_spacing = 1.0
    table.paragraph_format.space_after = Pt(0)
    table.font.size = Pt(options.size - 2)
