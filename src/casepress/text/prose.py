"""Markdown prose to HTML with markdown-it-py: citations, cross-references, typography.

Raw HTML in prose is disabled (a ``<script>`` typed into a field appears as text).
Citations and cross-references are parsed by :func:`casepress.text.markup.match_at`
from an inline rule, and rendered by a callback the caller supplies, so the same
parser serves checking, numbering (pass 1) and rendering (pass 2).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.subscript import sub_plugin
from mdit_py_plugins.superscript import superscript_plugin

from casepress.text import markup

RefRenderer = Callable[[markup.Group, "ProseContext"], str]
"""Turns a parsed reference group into HTML (a citation cluster, 'Figure 1A–C', ...)."""


@dataclass
class ProseContext:
    """What the renderer needs to know about the prose being rendered."""

    key: tuple[Any, ...]
    """Stable identity of the prose (its field path), used to identify citation clusters."""
    render_ref: RefRenderer
    """Callback for references."""
    after_block: Callable[[], str] | None = None
    """Called after each top-level block; returns HTML to insert there (figures placed near their first mention)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Free space for callbacks."""


def _ref_rule(state: StateInline, silent: bool) -> bool:
    char = state.src[state.pos]
    if char not in "[@-":
        return False
    group = markup.match_at(state.src, state.pos)
    if group is None:
        return False
    if not silent:
        token = state.push("casepress_ref", "", 0)
        token.meta = {"group": group}
    state.pos = group.end
    return True


def _render_ref(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    ctx: ProseContext = env["casepress"]
    return ctx.render_ref(tokens[idx].meta["group"], ctx)


# Units after which a number must not break from its unit (a no-break space joins them).
_UNITS = (
    r"(?:mg/L|g/L|U/L|mmol/L|µmol/L|μmol/L|ng/mL|pg/mL|IU/L|mL|ml|L|mg|g|kg|µg|μg|cm|mm|µm|μm|m|"
    r"cGy|Gy|Bq|MBq|mSv|h|min|s|days?|weeks?|months?|years?|°C|mmHg|bpm|%)"
)
_NUMBER_UNIT = re.compile(rf"(?<![\w.])(\d+(?:[.,]\d+)?) (?={_UNITS}(?![\w]))")
_TIMES = re.compile(r"(\d[\d⁰¹²³⁴⁵⁶⁷⁸⁹.,]*(?:\s?[a-zA-Zµμ/]+)?)\s*[x×]\s*(?=\d)")
_MINUS = re.compile(r"(?<![\w\-–−.,])-(?=\d)")


def typeset(text: str) -> str:
    """Journal typography for plain text: no-break spaces between numbers and units,
    a true multiplication sign with narrow no-break spaces (16 × 10⁹/L), a true minus."""
    text = _TIMES.sub(lambda m: f"{m.group(1)}\u202f×\u202f", text)
    text = _NUMBER_UNIT.sub("\\1\u00a0", text)
    text = _MINUS.sub("\u2212", text)
    return text


def _text_typeset(state: Any) -> None:
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        for child in token.children:
            if child.type == "text":
                child.content = typeset(child.content)


@cache
def markdown() -> MarkdownIt:
    """The shared parser: CommonMark, no raw HTML, tables, ^sup^ and ~sub~, references."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.use(superscript_plugin)
    md.use(sub_plugin)
    md.inline.ruler.before("link", "casepress_ref", _ref_rule)
    md.core.ruler.push("casepress_typeset", _text_typeset)
    md.add_render_rule("casepress_ref", _render_ref)
    return md


@lru_cache(maxsize=4096)
def parsed(text: str, block: bool) -> tuple[Token, ...]:
    """The tokens of ``text`` as block (paragraphs, lists) or inline Markdown, parsed once per
    process: the resolve stage, the HTML, JATS and Word writers and the word count all read the
    same prose. Shared: callers never change a token (``render_block`` copies the two it marks).
    Parsing needs no environment (citations are parsed by an inline rule into token metadata;
    link reference definitions resolve within the one parse)."""
    md = markdown()
    return tuple(md.parse(text, {}) if block else md.parseInline(text.strip(), {}))


def render_block(text: str, ctx: ProseContext, anchor: str | None = None) -> str:
    """Block Markdown (paragraphs, lists) to HTML, with floats inserted after top-level blocks.

    With ``anchor``, the first block gets ``id="<anchor>"`` and the last inline content ends
    with an empty ``<span class="field-end" id="<anchor>--end">``: the field's first and last
    page can be found in the PDF without a wrapper element, so the blocks and the floats placed
    between them stay children of the template's container (print columns balance them one
    by one, and only a direct child can span the columns).
    """
    md = markdown()
    env = {"casepress": ctx}
    tokens = list(parsed(text, True))
    if anchor is not None:
        first = next((i for i, t in enumerate(tokens) if t.level == 0 and t.nesting >= 0 and t.type != "inline"), None)
        if first is not None:
            tokens[first] = tokens[first].copy(attrs={**tokens[first].attrs, "id": anchor})
        last = next((i for i in reversed(range(len(tokens))) if tokens[i].type == "inline" and tokens[i].children is not None), None)
        if last is not None:
            marker = Token("html_inline", "", 0)
            marker.content = f'<span class="field-end" id="{html.escape(anchor)}--end"></span>'
            tokens[last] = tokens[last].copy(children=[*(tokens[last].children or []), marker])
    out: list[str] = []
    start = 0
    for i, token in enumerate(tokens):
        if token.level == 0 and token.nesting <= 0:
            out.append(md.renderer.render(tokens[start : i + 1], md.options, env))
            start = i + 1
            if ctx.after_block is not None:
                out.append(ctx.after_block())
    if start < len(tokens):
        out.append(md.renderer.render(tokens[start:], md.options, env))
    return "".join(out)


def render_inline(text: str, ctx: ProseContext) -> str:
    """Inline Markdown (titles, captions, table cells) to HTML, without a paragraph."""
    md = markdown()
    env = {"casepress": ctx}
    return md.renderer.render(list(parsed(text, False)), md.options, env)


def plain_text(text: str) -> str:
    """Markdown to plain text (for <title>, PDF metadata): markup dropped, references kept as written."""
    tokens = parsed(text, False)
    parts: list[str] = []
    for token in tokens[0].children or [] if tokens else []:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type == "softbreak":
            parts.append(" ")
    return html.unescape("".join(parts)).strip()
