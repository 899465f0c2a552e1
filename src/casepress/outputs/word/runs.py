"""Inline text as Word runs: neutral inline nodes (citations, reference entries) and Markdown prose.

Faces map to run properties (italic, bold, superscript, subscript, small caps, underline);
links out become real Word hyperlinks; a citation links to its reference list entry and a
:class:`InternalLink` (a figure or table reference) to its caption, as internal hyperlinks
(``w:hyperlink w:anchor``) to the bookmarks :func:`bookmark` names, which the manuscript sets
on those paragraphs. Markdown is parsed once by the shared :func:`casepress.text.prose.parsed`
parser; each citation or cross-reference group is handed to a callback that returns what to
print there (as the style prints it), as neutral inline nodes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import count
from dataclasses import dataclass, replace
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from markdown_it.token import Token

from casepress.text import markup
from casepress.outputs.jats.inline import CitationNode, LinkNode, StyledNode, TextNode
from casepress.text.prose import parsed
from casepress.stages.resolved import Text


@dataclass(frozen=True)
class Face:
    """The run properties in force."""

    italic: bool = False
    bold: bool = False
    superscript: bool = False
    subscript: bool = False
    small_caps: bool = False
    underline: bool = False
    monospace: bool = False


_STYLE_FACES = {
    "italic": {"italic": True}, "bold": {"bold": True}, "superscript": {"superscript": True},
    "subscript": {"subscript": True}, "small-caps": {"small_caps": True}, "underline": {"underline": True},
    "upright": {"italic": False}, "normal-weight": {"bold": False}, "light": {},
}
"""Neutral styles -> changes of face."""

TextRenderer = Callable[[markup.Group, int], Sequence[Any]]
"""A reference group (with its ordinal in the field) -> what is printed there, as neutral inline
nodes (a citation links to its entry) and :class:`InternalLink` (a figure or table reference)."""


@dataclass(frozen=True, slots=True)
class InternalLink:
    """A link to a bookmark of the manuscript (a figure's or a table's caption)."""

    bookmark: str
    """The bookmark's name (:func:`bookmark`)."""
    children: tuple[Any, ...]
    """The linked text, as neutral inline nodes."""


BOOKMARK_LENGTH = 40
"""The longest bookmark name Word keeps."""
_PLAIN_ID = re.compile(r"[A-Za-z][A-Za-z0-9-]*")


def bookmark(anchor: str) -> str:
    """The Word bookmark of an element id of the article (``fig-xray``, ``ref-<key>``), starting
    with a letter: Word takes names of letters, digits and ``_`` only, at most 40. ``-`` becomes
    ``_`` (``fig_xray``); an id with other characters (a BibTeX key with ``:``) or a longer one
    is cut, with a hash of the whole id after it, so two ids never share a name."""
    name = anchor.replace("-", "_")
    if _PLAIN_ID.fullmatch(anchor) and len(name) <= BOOKMARK_LENGTH:
        return name
    digest = hashlib.sha256(anchor.encode("utf-8")).hexdigest()[:12]
    return re.sub(r"[^A-Za-z0-9]", "_", name)[:BOOKMARK_LENGTH - len(digest) - 1] + "_" + digest


def entry_bookmark(key: str) -> str:
    """The bookmark of the reference list entry of ``key`` (the HTML's anchor, ``ref-<key>``)."""
    return bookmark(f"ref-{key}")


class RunWriter:
    """Appends runs to a paragraph (or to a hyperlink inside it)."""

    def __init__(self, paragraph: Paragraph) -> None:
        self.paragraph = paragraph
        self.target: Any = paragraph._p

    def text(self, text: str, face: Face) -> None:
        """One run of text in ``face``."""
        if not text:
            return
        run = OxmlElement("w:r")
        props = _run_properties(face)
        if props is not None:
            run.append(props)
        node = OxmlElement("w:t")
        node.text = text
        if text != text.strip():
            node.set(qn("xml:space"), "preserve")
        run.append(node)
        self.target.append(run)

    def open_link(self, href: str) -> Any:
        """Start a hyperlink to ``href``; later runs go inside it until :meth:`close_link`."""
        rid = self.paragraph.part.relate_to(href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        return self._open({"r:id": rid})

    def open_bookmark_link(self, name: str) -> Any:
        """Start a hyperlink to the bookmark ``name`` (``w:anchor``; Word's history is kept, so
        Back returns to the citation); closed by :meth:`close_link`."""
        return self._open({"w:anchor": name, "w:history": "1"})

    def _open(self, attributes: dict[str, str]) -> Any:
        link = OxmlElement("w:hyperlink")
        for name, value in attributes.items():
            link.set(qn(name), value)
        self.paragraph._p.append(link)
        previous, self.target = self.target, link
        return previous

    def close_link(self, previous: Any) -> None:
        """End the hyperlink."""
        self.target = previous


def _run_properties(face: Face) -> Any:
    if face == Face():
        return None
    props = OxmlElement("w:rPr")
    if face.monospace:
        fonts = OxmlElement("w:rFonts")
        for attr in ("w:ascii", "w:hAnsi", "w:cs"):
            fonts.set(qn(attr), "Courier New")
        props.append(fonts)
    for flag, tag in ((face.bold, "w:b"), (face.italic, "w:i"), (face.small_caps, "w:smallCaps")):
        if flag:
            props.append(OxmlElement(tag))
    if face.underline:
        underline = OxmlElement("w:u")
        underline.set(qn("w:val"), "single")
        props.append(underline)
    if face.superscript or face.subscript:
        align = OxmlElement("w:vertAlign")
        align.set(qn("w:val"), "superscript" if face.superscript else "subscript")
        props.append(align)
    return props


def add_inlines(writer: RunWriter, nodes: Iterable[Any], face: Face = Face()) -> None:
    """Neutral inline nodes as runs."""
    for node in nodes:
        if isinstance(node, (CitationNode, InternalLink)):
            name = node.bookmark if isinstance(node, InternalLink) else entry_bookmark(node.key)
            previous = writer.open_bookmark_link(name)
            add_inlines(writer, node.children, face)
            writer.close_link(previous)
        elif isinstance(node, LinkNode):
            previous = writer.open_link(node.href)
            add_inlines(writer, node.children, face)
            writer.close_link(previous)
        elif isinstance(node, StyledNode):
            add_inlines(writer, node.children, replace(face, **_STYLE_FACES.get(node.style, {})))
        elif isinstance(node, TextNode):
            writer.text(node.text, face)
        else:
            raise TypeError(f"not an inline node: {node!r}")


_FACE_TOKENS = {"em": {"italic": True}, "strong": {"bold": True}, "sup": {"superscript": True},
                "sub": {"subscript": True}}


def _add_tokens(writer: RunWriter, tokens: Sequence[Token], groups: TextRenderer, counter: Iterator[int],
                face: Face) -> None:
    faces = [face]
    links: list[Any] = []
    for token in tokens:
        kind = token.type
        if kind == "text":
            writer.text(token.content, faces[-1])
        elif kind in ("softbreak", "hardbreak"):
            writer.text(" ", faces[-1])
        elif kind == "code_inline":
            writer.text(token.content, replace(faces[-1], monospace=True))
        elif kind == "casepress_ref":
            add_inlines(writer, groups(token.meta["group"], next(counter)), faces[-1])
        elif kind == "link_open":
            links.append(writer.open_link(str(token.attrGet("href") or "")))
        elif kind == "link_close" and links:
            writer.close_link(links.pop())
        elif kind.endswith("_open") and kind[:-5] in _FACE_TOKENS:
            faces.append(replace(faces[-1], **_FACE_TOKENS[kind[:-5]]))
        elif kind.endswith("_close") and kind[:-6] in _FACE_TOKENS and len(faces) > 1:
            faces.pop()
        elif kind == "image":
            writer.text(token.content, faces[-1])


def add_inline_markdown(paragraph: Paragraph, text: str, groups: TextRenderer, face: Face = Face(),
                        counter: Iterator[int] | None = None) -> Paragraph:
    """Inline Markdown (a title, a caption, a cell) appended to ``paragraph`` as runs."""
    tokens = parsed(text, False)
    _add_tokens(RunWriter(paragraph), (tokens[0].children or []) if tokens else [], groups,
                counter or count(), face)
    return paragraph


BlockSink = Callable[[str | None], Paragraph]
"""Makes a new paragraph; the argument is a list style (``List Bullet``, ``List Number``) or None."""


def add_markdown_blocks(text: str, new_paragraph: BlockSink, groups: TextRenderer,
                        after_block: Callable[[int], None] | None = None) -> None:
    """Block Markdown as paragraphs: paragraphs in the sink's style, list items as ``List Bullet``
    or ``List Number`` paragraphs; ``after_block(i)`` runs after each top-level block (figures and
    tables placed after the paragraph of their first mention)."""
    counter = count()
    lists: list[str] = []
    block = 0
    for token in parsed(text, True):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append("List Bullet" if token.type == "bullet_list_open" else "List Number")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "inline":
            paragraph = new_paragraph(lists[-1] if lists else None)
            _add_tokens(RunWriter(paragraph), token.children or [], groups, counter, Face())
        elif token.type in ("fence", "code_block"):
            RunWriter(new_paragraph(None)).text(token.content.rstrip("\n"), Face(monospace=True))
        if token.level == 0 and token.nesting <= 0 and token.type != "inline":
            if after_block is not None:
                after_block(block)
            block += 1


def as_written(group: markup.Group, ordinal: int) -> Sequence[Any]:
    """A :data:`TextRenderer` for prose without resolved groups: the keys as written."""
    return (Text("; ".join("@" + (item.key if isinstance(item, markup.Citation) else item.id) for item in group.items)),)
