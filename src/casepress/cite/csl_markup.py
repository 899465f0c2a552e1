"""Placeholders: the markup of a formatting run out of band (see :mod:`casepress.cite.csl`).

CSL-JSON rich text becomes placeholders (private-use characters) before citeproc-py sees
it (``rich_text``, ``prepare_item``); citeproc-py writes its own markup as the same
placeholders (``Formatter``); ``to_html`` turns the rendered string into escaped, balanced
HTML. Also the flags casepress sets on citeproc-py's references and cites.
"""

from __future__ import annotations

import html
import re
from typing import Any, Self

CSL_NS = "http://purl.org/net/xbiblio/csl"

# ---------------------------------------------------------------------------------------
# Placeholders: markup out of band (see the module docstring)
# ---------------------------------------------------------------------------------------

PUA = re.compile("[\ue000-\ue0ff]")
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
LINKED_VARIABLES = {v: k for k, v in _LINKS.items()}
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
PAGE = re.compile(r"(\D*)(\d+)(.*)")
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
        out.append(PUA.sub("\ufffd", value[pos:match.start()]))
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
    out.append(PUA.sub("\ufffd", value[pos:]))
    for tag in reversed(stack):
        out.append({"sc": SC_END, "nocase": NOCASE_CLOSE, "nocase-inner": ""}.get(tag) or _RICH_CLOSE[tag])
    return "".join(out)


def prepare_item(item: dict[str, Any], internal_id: str) -> dict[str, Any]:
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
            out[name] = PUA.sub("\ufffd", text) if name in _PLAIN_VARIABLES else rich_text(text)
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
# Flags on citeproc-py's references and cites
# ---------------------------------------------------------------------------------------

ET_AL_FLAG = "casepress_et_al"
"""On a citeproc Reference: the name variables whose list ended in 'and others'."""
ET_AL_FIELDS = {"casepress-et-al": "author", "casepress-et-al-editor": "editor"}
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


class Formatter:
    """citeproc-py's formatter interface, writing markup as placeholders; text is left
    as is, because :func:`to_html` escapes everything at once."""

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


_MARKERS = re.compile("[" + re.escape("".join([*_OPEN_TAGS, *_CLOSE_TAGS, *_LINKS, LINK_END, CITE, CITE_END,
                                                  LABEL, LABEL_END])) + "]")
"""The placeholders :func:`to_html` acts on; every other character is text."""


def to_html(raw: str, keys: dict[str, str]) -> str:
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
        found = _MARKERS.search(raw, i)
        stop = found.start() if found else len(raw)
        if stop > i:  # a run of plain characters: taken whole (one character at a time was
            text.append(raw[i:stop])  # a tenth of formatting a 571-entry library)
            i = stop
            continue
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
            value = PUA.sub("", raw[i + 1:end if end >= 0 else len(raw)])
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
        i += 1  # LABEL and LABEL_END are dropped
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


def split_label(raw: str) -> tuple[str | None, str]:
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
