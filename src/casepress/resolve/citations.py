"""Citations and the reference list in neutral form: the CSL style's output as inline data.

:mod:`casepress.cite.csl` formats clusters and entries as a small, closed set of HTML (``<i>``,
``<b>``, ``<sup>``, ``<sub>``, a few styled spans, links out and links to the reference
list). A thin adapter reads that set back into :data:`~casepress.stages.resolved.Inline` nodes, so
that writers never receive HTML strings; the HTML writer prints the same markup again.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from casepress.cite.csl import Bibliography, CiteRef, FormattingError, known_locale
from casepress.core.diagnostics import Diagnostics, warning_code
from casepress.journals.journal import Journal
from casepress.stages.checked import CheckedCase
from casepress.stages.resolved import CitationLink, Inline, Link, ReferenceEntry, Style, Styled, Text

SPAN_STYLES: dict[str, Style] = {
    "font-variant:small-caps": "small-caps",
    "text-decoration:underline": "underline",
    "font-weight:lighter": "light",
    "font-style:normal": "upright",
    "font-weight:normal": "normal-weight",
}
"""The styled spans csl.py writes, by their ``style`` attribute."""

TAG_STYLES: dict[str, Style] = {"i": "italic", "b": "bold", "sup": "superscript", "sub": "subscript"}
"""The tags csl.py writes for styles."""

_REF = "#ref-"
_TAG = re.compile(r"<(/?)([a-z]+)((?:\s+[a-z-]+=\"[^\"]*\")*)\s*>")
_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')


def _node(tag: str, children: tuple[Inline, ...], attributes: dict[str, str]) -> Inline:
    if tag in TAG_STYLES:
        return Styled(TAG_STYLES[tag], children)
    if tag == "span" and attributes.get("style") in SPAN_STYLES:
        return Styled(SPAN_STYLES[attributes["style"]], children)
    href = attributes.get("href", "")
    if tag != "a" or not href:
        raise ValueError(f"unexpected markup from the citation style: <{tag}>")
    if "citation" in attributes.get("class", "").split() and href.startswith(_REF):
        return CitationLink(href[len(_REF):], children)
    return Link(href, children)


def from_html(fragment: str) -> tuple[Inline, ...]:
    """csl.py's HTML (its closed set of tags, escaped text) as inline nodes."""
    stack: list[tuple[str, list[Inline], dict[str, str]]] = [("", [], {})]
    position = 0
    for match in _TAG.finditer(fragment):
        if match.start() > position:
            stack[-1][1].append(Text(html.unescape(fragment[position:match.start()])))
        position = match.end()
        closing, tag, attributes = match.groups()
        if not closing:
            stack.append((tag, [], {k: html.unescape(v) for k, v in _ATTRIBUTE.findall(attributes)}))
            continue
        opened, children, values = stack.pop()
        if opened != tag or not stack:
            raise ValueError(f"unbalanced markup from the citation style: </{tag}>")
        stack[-1][1].append(_node(tag, tuple(children), values))
    if position < len(fragment):
        stack[-1][1].append(Text(html.unescape(fragment[position:])))
    if len(stack) != 1:
        raise ValueError("unclosed markup from the citation style")
    return tuple(stack[0][1])


warning_code("unknown-locale", "citeproc-py has no citation terms for the case's language (English terms are used)")


def bibliography(checked: CheckedCase, journal: Journal, diagnostics: Diagnostics) -> Bibliography | None:
    """The case's citation processor, in its style (the case's ``csl:`` or the journal's, found
    as ``casepress check`` finds it)."""
    from casepress.journals.template_check import resolve_style

    style = resolve_style(checked.doc, checked.case, journal, diagnostics)
    if style is None:
        return None
    items = [checked.library.entries[k].item for k in checked.library.cited_keys]
    locale = {"en": "en-US"}.get(checked.case.language, checked.case.language)
    if not locale.startswith("en") and not known_locale(locale):
        diagnostics.warning(
            "unknown-locale", f"citeproc-py has no citation terms for '{checked.case.language}'; "
            "references use English terms (et al., In:, ...)", checked.doc.location(("language",)), "language",
        )
    return Bibliography(items, style, locale=locale)


def format_citations(
    checked: CheckedCase, processor: Bibliography, clusters: Sequence[Sequence[CiteRef]], diagnostics: Diagnostics,
) -> tuple[list[tuple[Inline, ...]], tuple[ReferenceEntry, ...]] | None:
    """Each cluster (given in reading order) and the reference list, formatted; None when the
    style cannot format an entry."""
    try:
        formatted = processor.cite(clusters)
        entries = processor.entries()
    except FormattingError as exc:
        entry = checked.library.entries.get(exc.key)
        diagnostics.error("csl-format", f"the citation style cannot format '{exc.key}': {exc.message}",
                          entry.location if entry else None)
        return None
    references = tuple(
        ReferenceEntry(e.key, from_html(e.label) if e.label is not None else None, from_html(e.html)) for e in entries
    )
    return [from_html(html) for html in formatted], references
