"""Inline content as JATS mixed content: neutral inline nodes, CSL rich text, Markdown prose.

Three sources of text reach a JATS document:

* **neutral inline nodes** of the resolve stage (citation clusters and reference entries as
  the style prints them): anything shaped like :class:`TextNode`, :class:`StyledNode`,
  :class:`LinkNode` or :class:`CitationNode` (the protocols below; matched by shape, so the
  resolve stage's dataclasses need no import here);
* **CSL-JSON rich text** in titles of references (``<i>``, ``<b>``, ``<sup>``, ``<sub>``, small
  caps, nocase spans), read by :func:`casepress.cite.csl.rich_text`, the one parser of that markup;
* **Markdown prose** of the case, parsed once by the shared :func:`casepress.text.prose.parsed`
  parser, with each citation or cross-reference group handed to a callback (the caller looks
  up the resolved group by its field and ordinal and returns the ``xref`` elements).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import count
from typing import Any, Protocol, runtime_checkable

from lxml import etree
from markdown_it.token import Token

from casepress.cite import csl
from casepress.text import markup
from casepress.text.prose import parsed
from casepress.outputs.jats.xml import HREF, add_text, el

STYLE_TAGS: dict[str, str | None] = {
    "italic": "italic",
    "bold": "bold",
    "superscript": "sup",
    "subscript": "sub",
    "small-caps": "sc",
    "underline": "underline",
    "upright": "roman",
    "light": None,          # no JATS face: the text is kept, unstyled
    "normal-weight": None,  # bold inside bold: plain
}
"""Neutral styles -> JATS face elements (None: the children without a wrapper)."""


@runtime_checkable
class TextNode(Protocol):
    """Plain text."""

    text: str


@runtime_checkable
class StyledNode(Protocol):
    """Text set in a style (``italic``, ``bold``, ``superscript``, ...)."""

    style: str
    children: Sequence[Any]


@runtime_checkable
class LinkNode(Protocol):
    """A link out of the document."""

    href: str
    children: Sequence[Any]


@runtime_checkable
class CitationNode(Protocol):
    """A citation number or name linked to its reference list entry."""

    key: str
    children: Sequence[Any]


def append_inlines(parent: etree._Element, nodes: Iterable[Any], ref_ids: Mapping[str, str]) -> etree._Element:
    """Append neutral inline nodes to ``parent``; citation links become ``xref ref-type="bibr"``
    to ``ref_ids[key]`` (a key without an id keeps its text, unlinked)."""
    for node in nodes:
        if isinstance(node, CitationNode):
            rid = ref_ids.get(node.key)
            target = parent if rid is None else _sub(parent, "xref", {"ref-type": "bibr", "rid": rid})
            append_inlines(target, node.children, ref_ids)
        elif isinstance(node, LinkNode):
            append_inlines(_sub(parent, "ext-link", {"ext-link-type": "uri", HREF: node.href}), node.children, ref_ids)
        elif isinstance(node, StyledNode):
            tag = STYLE_TAGS.get(node.style)
            append_inlines(parent if tag is None else _sub(parent, tag), node.children, ref_ids)
        elif isinstance(node, TextNode):
            add_text(parent, node.text)
        else:
            raise TypeError(f"not an inline node: {node!r}")
    return parent


def _sub(parent: etree._Element, tag: str, attrs: dict[str, str] | None = None) -> etree._Element:
    return etree.SubElement(parent, tag, attrs or {})


# --------------------------------------------------------------------------- CSL rich text

_RICH_OPEN = {csl.I: "italic", csl.B: "bold", csl.SUP: "sup", csl.SUB: "sub", csl.SC: "sc"}
_RICH_CLOSE = {csl.I_END, csl.B_END, csl.SUP_END, csl.SUB_END, csl.SC_END}


def append_rich(parent: etree._Element, value: str) -> etree._Element:
    """Append a CSL-JSON rich-text value (a title, a journal name) to ``parent``."""
    marked = csl.rich_text(value, keep_nocase=False)
    stack = [parent]
    start = 0
    for i, char in enumerate(marked):
        if char in _RICH_OPEN or char in _RICH_CLOSE:
            add_text(stack[-1], marked[start:i])
            start = i + 1
            if char in _RICH_OPEN:
                stack.append(_sub(stack[-1], _RICH_OPEN[char]))
            elif len(stack) > 1:
                stack.pop()
    add_text(stack[-1], marked[start:])
    return parent


def rich(tag: str, value: str, attrs: dict[str, str | None] | None = None) -> etree._Element:
    """An element holding a CSL-JSON rich-text value."""
    return append_rich(el(tag, attrs), value)


# --------------------------------------------------------------------------- Markdown prose

GroupRenderer = Callable[[markup.Group, int], Sequence["str | etree._Element"]]
"""Called for each citation or cross-reference group with its ordinal in the field (0 for the
first, in the order the Markdown parser meets them): returns the content to put there."""

_INLINE_TAGS = {"em": "italic", "strong": "bold", "sup": "sup", "sub": "sub", "s": "strike"}
_BLOCK_TAGS = {
    "paragraph": ("p", {}),
    "bullet_list": ("list", {"list-type": "bullet"}),
    "ordered_list": ("list", {"list-type": "order"}),
    "list_item": ("list-item", {}),
    "blockquote": ("disp-quote", {}),
    "table": ("table", {}),
    "thead": ("thead", {}),
    "tbody": ("tbody", {}),
    "tr": ("tr", {}),
    "th": ("th", {}),
    "td": ("td", {}),
    "heading": ("p", {}),
}


def _append_inline_tokens(parent: etree._Element, tokens: Sequence[Token], groups: GroupRenderer,
                          counter: Iterator[int]) -> None:
    stack = [parent]
    for token in tokens:
        kind = token.type
        if kind in ("text", "html_inline"):
            add_text(stack[-1], token.content)
        elif kind in ("softbreak", "hardbreak"):
            add_text(stack[-1], " " if kind == "softbreak" else "\n")
        elif kind == "code_inline":
            _sub(stack[-1], "monospace").text = token.content
        elif kind == "casepress_ref":
            for piece in groups(token.meta["group"], next(counter)):
                if isinstance(piece, str):
                    add_text(stack[-1], piece)
                else:
                    stack[-1].append(piece)
        elif kind == "link_open":
            stack.append(_sub(stack[-1], "ext-link", {"ext-link-type": "uri", HREF: str(token.attrGet("href") or "")}))
        elif kind == "image":
            add_text(stack[-1], token.content)
        elif kind.endswith("_open") and kind[:-5] in _INLINE_TAGS:
            stack.append(_sub(stack[-1], _INLINE_TAGS[kind[:-5]]))
        elif kind.endswith("_close") and len(stack) > 1:
            stack.pop()


def append_inline_markdown(parent: etree._Element, text: str, groups: GroupRenderer,
                           counter: Iterator[int] | None = None) -> etree._Element:
    """Append inline Markdown (a title, a caption, a table cell) to ``parent``."""
    tokens = parsed(text, False)
    children = tokens[0].children if tokens else None
    _append_inline_tokens(parent, children or [], groups, counter or count())
    return parent


def markdown_blocks(text: str, groups: GroupRenderer,
                    after_block: Callable[[int], Iterable[etree._Element]] | None = None) -> list[etree._Element]:
    """Block Markdown as JATS block elements (``p``, ``list``, ``disp-quote``, ``table-wrap``).

    ``after_block(i)`` returns elements to set after the i-th top-level block (floats placed
    after the paragraph of their first mention)."""
    tokens = parsed(text, True)
    counter = count()
    out: list[etree._Element] = []
    stack: list[etree._Element] = []
    block = 0
    for token in tokens:
        name = token.type.removesuffix("_open").removesuffix("_close")
        if token.type == "inline":
            target = stack[-1] if stack else _sub_list(out, "p")
            _append_inline_tokens(target, token.children or [], groups, counter)
        elif token.type in ("fence", "code_block"):
            (stack[-1].append if stack else out.append)(el("preformat", {}, token.content))
        elif token.nesting == 1 and name in _BLOCK_TAGS:
            tag, attrs = _BLOCK_TAGS[name]
            element = el(tag, dict(attrs))
            if tag == "table":
                wrap = el("table-wrap", {}, element)
                (stack[-1].append if stack else out.append)(wrap)
            else:
                (stack[-1].append if stack else out.append)(element)
            stack.append(element)
        elif token.nesting == -1 and name in _BLOCK_TAGS and stack:
            stack.pop()
        if token.level == 0 and token.nesting <= 0 and token.type != "inline":
            if after_block is not None:
                out.extend(after_block(block))
            block += 1
    return out


def _sub_list(out: list[etree._Element], tag: str) -> etree._Element:
    element = el(tag)
    out.append(element)
    return element


def no_groups(group: markup.Group, ordinal: int) -> Sequence[str]:
    """A :data:`GroupRenderer` for prose that has no resolved groups: the source text as written."""
    return ["; ".join("@" + (i.key if isinstance(i, markup.Citation) else i.id) for i in group.items)]
