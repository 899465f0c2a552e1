"""LaTeX in BibTeX values to CSL rich text, with pylatexenc's parser (see
:mod:`casepress.cite.bibtex`, step 3): formatting commands to ``<i>``, ``<b>``, ``<sup>``,
``<sub>``, small caps; case-protecting brace groups to nocase spans; math to text;
commands casepress does not know kept as their text, and reported."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any



class Mode(Enum):
    """How LaTeX is decoded for a CSL variable."""

    TITLE = "title"
    """Rich text; brace groups protect case (``<span class="nocase">``)."""
    TEXT = "text"
    """Rich text; braces only group."""
    PLAIN = "plain"
    """No markup at all, ``~`` is a plain space (names, identifiers)."""



# ---------------------------------------------------------------------------
# LaTeX -> CSL rich text
# ---------------------------------------------------------------------------

#: Anything that needs the LaTeX reader; other values only get ligatures replaced.
_NEEDS_LATEX = re.compile(r"[\\{}$]")
_LIGATURES = (("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d"))
_SPECIALS = {"--": "\u2013", "---": "\u2014", "``": "\u201c", "''": "\u201d", "&": "&"}

_TAGS = {
    "i": ("<i>", "</i>"),
    "b": ("<b>", "</b>"),
    "sup": ("<sup>", "</sup>"),
    "sub": ("<sub>", "</sub>"),
    "sc": ('<span style="font-variant:small-caps;">', "</span>"),
    "nocase": ('<span class="nocase">', "</span>"),
}
_TAG_PATTERN = re.compile(r"<[^>]*>")

#: Commands with an argument that format it.
_FORMATTING = {
    "textit": "i", "emph": "i", "textsl": "i", "mathit": "i",
    "textbf": "b", "mathbf": "b", "boldsymbol": "b",
    "textsuperscript": "sup", "textsubscript": "sub",
    "textsc": "sc", "NoCaseChange": "nocase",
}
#: Commands whose argument is plain content.
_TRANSPARENT = frozenset({
    "textrm", "textnormal", "textup", "textmd", "textsf", "texttt", "text", "mbox", "hbox",
    "mathrm", "mathsf", "mathtt", "mathnormal", "ensuremath", "textlatin",
})
#: Declarations that format the rest of their group (``{\\em ...}``).
_DECLARATIONS = {
    "em": "i", "it": "i", "itshape": "i", "sl": "i", "slshape": "i",
    "bf": "b", "bfseries": "b", "sc": "sc", "scshape": "sc",
    "rm": "", "normalfont": "", "upshape": "", "mdseries": "", "sf": "", "sffamily": "",
    "tt": "", "ttfamily": "",
}
_WORDS = {"TeX": "TeX", "LaTeX": "LaTeX", "BibTeX": "BibTeX", "hyphen": "-", "slash": "/",
          "textendash": "\u2013", "textemdash": "\u2014", "dots": "\u2026", "ldots": "\u2026"}
"""Commands that stand for a word or a sign (biblatex's \\hyphen joins words)."""
_STRUCTURAL = frozenset(_FORMATTING) | _TRANSPARENT | frozenset(_DECLARATIONS) | {"url", "href"}


_VERBATIM_ESCAPES = re.compile(r"\\([_%#&$~{}])")


def verbatim(raw: str) -> str:
    """A field taken literally (URL, DOI, identifiers): ``\\url{}`` and escapes removed."""
    text = raw.strip()
    match = re.fullmatch(r"\\url\s*\{(.*)\}", text, re.DOTALL)
    if match:
        text = match.group(1)
    text = _VERBATIM_ESCAPES.sub(r"\1", text)
    text = text.replace("{", "").replace("}", "")
    return " ".join(text.split())


@dataclass(frozen=True)
class _LatexTools:
    """pylatexenc objects, built once (about 25 ms)."""

    walker_context: Any
    to_text: Any


@functools.cache
def _latex_tools() -> _LatexTools:
    """The LaTeX parser context (knowing our extra commands) and pylatexenc's text converter."""
    from pylatexenc import latex2text, latexwalker, macrospec  # type: ignore[import-untyped]

    context = latexwalker.get_default_latex_context_db()
    context.add_context_category(
        "casepress",
        prepend=True,
        macros=[
            macrospec.MacroSpec("textsuperscript", "{"),
            macrospec.MacroSpec("textsubscript", "{"),
            macrospec.MacroSpec("NoCaseChange", "{"),
            macrospec.MacroSpec("textnormal", "{"),
            macrospec.MacroSpec("boldsymbol", "{"),
            macrospec.MacroSpec("href", "{{"),
            macrospec.MacroSpec("mkbibquote", "{"),
        ],
    )
    return _LatexTools(context, latex2text.LatexNodes2Text(math_mode="text"))


@functools.lru_cache(maxsize=8192)
def decode_latex(latex: str, mode: Mode) -> tuple[str, tuple[str, ...]]:
    """``latex`` as CSL text in ``mode``, and the unknown commands left out.

    Cached: journals, publishers and people recur across a library, and the LaTeX
    parser is the expensive step of a conversion.
    """
    if not _NEEDS_LATEX.search(latex):
        return _normalize_space(_ligatures(latex, mode)), ()
    words = _independent_words(latex)
    if words is not None:
        decoded = [decode_latex(word, mode) for word in words]
        unknown = sorted({name for _, names in decoded for name in names})
        return _normalize_space(" ".join(text for text, _ in decoded)), tuple(unknown)
    from pylatexenc.latexwalker import LatexWalker  # type: ignore[import-untyped]

    tools = _latex_tools()
    # A bare % is a literal per cent sign in BibTeX, not a LaTeX comment.
    escaped = re.sub(r"(?<!\\)%", r"\\%", latex)
    walker = LatexWalker(escaped, latex_context=tools.walker_context, tolerant_parsing=True)
    nodes = walker.get_latex_nodes()[0]
    renderer = _RichTextRenderer(tools.to_text, mode)
    text = renderer.nodes(nodes, protect=mode is Mode.TITLE)
    return _normalize_space(text), tuple(sorted(renderer.unknown))


def _independent_words(latex: str) -> list[str] | None:
    """``latex`` cut at its white space where no word can change how another decodes
    (outside braces and math), or None when that cannot be known or gains nothing.

    Decoding word by word gives what decoding the whole gives (white space is one space
    either way) as long as no command stands outside braces and math: a declaration
    (``\\em``) formats the rest of its group, and a command takes the next word as its
    argument. Then only the words with LaTeX in them go to the parser, each once per
    library (they recur: ``{DNA}``, ``$\\alpha$``), instead of every title in full.
    The ligatures for ¡ and ¿ are the only LaTeX that a plain word would miss."""
    if "!`" in latex or "?`" in latex or "$$" in latex:
        return None
    words: list[str] = []
    start, depth, math, escaped = 0, 0, False, False
    for index, char in enumerate(latex):
        if escaped:  # \{ \} \$: the sign, no grouping nor math
            escaped = False
        elif char == "\\":
            if depth == 0 and not math:
                return None
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return None
        elif depth == 0 and char == "$":
            math = not math
        elif depth == 0 and not math and char in " \t\r\n\f":
            if index > start:
                words.append(latex[start:index])
            start = index + 1
    if depth or math:
        return None
    if start < len(latex):
        words.append(latex[start:])
    return words if len(words) > 1 else None


def _ligatures(text: str, mode: Mode) -> str:
    """TeX's dashes and quotes, and ``~`` (a no-break space except in plain mode)."""
    for ascii_form, char in _LIGATURES:
        text = text.replace(ascii_form, char)
    return text.replace("~", " " if mode is Mode.PLAIN else "\u00a0")


def _normalize_space(text: str) -> str:
    """Runs of ASCII white space (line breaks in .bib values) as one space; no-break spaces kept."""
    return re.sub(r"[ \t\r\n\f]+", " ", text).strip(" ")


class _RichTextRenderer:
    """Walks pylatexenc nodes and writes CSL rich text."""

    def __init__(self, to_text: Any, mode: Mode) -> None:
        self.to_text = to_text
        self.mode = mode
        self.unknown: set[str] = set()

    def tag(self, name: str, inner: str) -> str:
        """``inner`` wrapped in a rich-text tag (plain mode: unwrapped)."""
        if not name or not inner or self.mode is Mode.PLAIN:
            return inner
        start, end = _TAGS[name]
        return f"{start}{inner}{end}"

    def nodes(self, nodes: list[Any], protect: bool) -> str:
        """A node list; ``protect``: brace groups here protect case."""
        out: list[str] = []
        for index, node in enumerate(nodes):
            if node is None:
                continue
            if _unknown_with_argument(node, nodes[index + 1:], self.to_text):
                self.unknown.add(str(node.macroname))  # \foo{text}: the text stays, the name goes
                continue
            if type(node).__name__ == "LatexMacroNode" and node.macroname in _DECLARATIONS:
                # {\em text}: the declaration formats the rest of the group.
                rest = self.nodes(nodes[index + 1 :], protect)
                out.append(self.tag(_DECLARATIONS[node.macroname], rest))
                break
            out.append(self.node(node, protect))
        return "".join(out)

    def node(self, node: Any, protect: bool) -> str:
        """One node outside math."""
        kind = type(node).__name__
        if kind == "LatexCharsNode":
            return str(node.chars)
        if kind == "LatexGroupNode":
            return self.group(node, protect)
        if kind == "LatexMacroNode":
            return self.macro(node, protect, math=False)
        if kind == "LatexMathNode":
            return self.math(node.nodelist)
        if kind == "LatexSpecialsNode":
            return self.specials(node)
        if kind == "LatexCommentNode":
            return "%" + str(node.comment)
        return str(self.to_text.node_to_text(node))

    def group(self, node: Any, protect: bool) -> str:
        """``{...}``: protects case in titles, unless it is a special character ``{\\"u}``."""
        children = [n for n in node.nodelist if n is not None]
        if not protect or _is_special_character(children):
            return self.nodes(children, protect)
        inner = self.nodes(children, protect=False)
        has_letters = any(c.isalpha() for c in _TAG_PATTERN.sub("", inner))
        return self.tag("nocase", inner) if has_letters else inner

    def argument(self, node: Any, protect: bool, math: bool) -> str:
        """A command's argument: its braces group, they do not protect."""
        if type(node).__name__ == "LatexGroupNode":
            children = [n for n in node.nodelist if n is not None]
            return self.math(children) if math else self.nodes(children, protect)
        return self.math([node]) if math else self.node(node, protect)

    def macro(self, node: Any, protect: bool, math: bool) -> str:
        """A command: formatting, content, link, or a symbol/accent (pylatexenc's table)."""
        name = str(node.macroname)
        args = [a for a in (node.nodeargd.argnlist if node.nodeargd else []) if a is not None]
        if name in _FORMATTING:
            inner = "".join(self.argument(a, protect, math) for a in args)
            return self.tag(_FORMATTING[name], inner)
        if name in _TRANSPARENT:
            return "".join(self.argument(a, protect, math) for a in args)
        if name == "url":
            return verbatim(args[0].latex_verbatim()[1:-1]) if args else ""
        if name == "href":
            return self.argument(args[-1], protect, math) if args else ""
        if name == "mkbibquote":
            return "\u201c" + "".join(self.argument(a, protect, math) for a in args) + "\u201d"
        if name in _WORDS:
            return _WORDS[name]  # TeX eats the space after a command word: {\TeX book} is TeXbook
        if self.to_text.latex_context.get_macro_spec(name) is None and name not in _STRUCTURAL:
            # kept as its text (\TeX is "TeX"), never dropped with what follows it
            self.unknown.add(name)
            return name + (" " if node.macro_post_space else "")
        return str(self.to_text.node_to_text(node))

    def specials(self, node: Any) -> str:
        """``~``, ``--``, quotes and other active characters."""
        chars = str(node.specials_chars)
        if chars == "~":
            return " " if self.mode is Mode.PLAIN else "\u00a0"
        return _SPECIALS.get(chars) or str(self.to_text.node_to_text(node))

    def math(self, nodes: list[Any]) -> str:
        """Math as text: symbols via pylatexenc, ``^``/``_`` as superscript/subscript."""
        out: list[str] = []
        script = ""
        for node in nodes:
            if node is None:
                continue
            if type(node).__name__ == "LatexCharsNode":
                for char in str(node.chars):
                    if char in "^_":
                        script = "sup" if char == "^" else "sub"
                    elif script and not char.isspace():
                        out.append(self.tag(script, char))
                        script = ""
                    elif not script:
                        out.append(char)
                continue
            text = self.math_node(node)
            if script == "sup" and text in ("\u2218", "\u00b0"):
                out.append("\u00b0")  # ^\circ is how LaTeX writes a degree sign
            else:
                out.append(self.tag(script, text) if script else text)
            if not script and _takes_no_arguments(node):
                # Keep the author's spacing: "2 \times 2" is "2 × 2", not "2 ×2".
                out.append(str(node.macro_post_space))
            script = ""
        return "".join(out).strip()

    def math_node(self, node: Any) -> str:
        """One node inside math."""
        kind = type(node).__name__
        if kind == "LatexGroupNode":
            return self.math([n for n in node.nodelist if n is not None])
        if kind == "LatexMacroNode":
            return self.macro(node, protect=False, math=True)
        if kind == "LatexSpecialsNode":
            return self.specials(node)
        return str(self.to_text.node_to_text(node))


def _unknown_with_argument(node: Any, rest: list[Any], to_text: Any) -> bool:
    """True for an unknown command glued to a brace group (``\\foo{text}``)."""
    if type(node).__name__ != "LatexMacroNode" or node.macroname in _STRUCTURAL or node.macroname in _WORDS:
        return False
    if to_text.latex_context.get_macro_spec(str(node.macroname)) is not None or node.macro_post_space:
        return False
    following = next((n for n in rest if n is not None), None)
    return type(following).__name__ == "LatexGroupNode"


def _takes_no_arguments(node: Any) -> bool:
    """True for a command node without arguments (``\\times``, ``\\alpha``)."""
    if type(node).__name__ != "LatexMacroNode":
        return False
    return not any(a is not None for a in (node.nodeargd.argnlist if node.nodeargd else []))


def _is_special_character(children: list[Any]) -> bool:
    """BibTeX's rule: a group starting with a command (an accent, ``\\ss``) protects nothing.

    Formatting commands are the exception: ``{\\em in vivo}`` is meant to be kept as is.
    """
    if not children or type(children[0]).__name__ != "LatexMacroNode":
        return False
    return str(children[0].macroname) not in _STRUCTURAL
