"""Formatting citations and bibliographies in a CSL style, with citeproc-py.

One formatting run, in order:

1. ``csl_markup.prepare_item``: a CSL-JSON item becomes citeproc-py input. Rich text in field values
   (``<i>``, ``<b>``, ``<sup>``, ``<sub>``, small caps) becomes *placeholders*: private-use
   characters that survive citeproc-py's string handling (case changes, period stripping,
   punctuation at seams) untouched. ``<span class="nocase">`` stays, citeproc-py reads it.
2. citeproc-py renders, with some of its element classes replaced by subclasses (module
   ``csl_citeproc``, imported only when something must be formatted) and a formatter
   (``csl_markup.Formatter``) that writes its own markup as the same placeholders.
3. ``csl_markup.to_html``: the placeholder string becomes HTML. Every literal character is escaped
   here, once, because no real markup exists before this step; placeholders become tags,
   DOIs and URLs become links.

Why placeholders: citeproc-py pastes field values and style affixes into its HTML without
escaping, so ``<`` in a DOI breaks the page and ``<i>`` in a title is either escaped away
or passed through unchecked. With markup out of band, escaping is total and tags balance.

The citeproc-py gaps covered, each where its fix lives (classes in ``csl_citeproc``): no
escaping, rich text, links (``csl_markup.to_html``); no ``collapse`` (``_Layout``); no ``suppress-author``, substituted names
printed twice (``_Names``); no "and others" (``_Name``, ``casepress-et-al``); the label
glued to the entry, text-case across nocase segments, page ranges (``_Text``); ``?.`` and
punctuation-in-quote (``csl_markup._fix_punctuation``); groups judged on branches not taken
(``_Group``); date ranges (``_Date``); italic sort keys (``_Key``); is-numeric on
locators (``_If``); text-case on labels (``_Label``).

Formatted entries and citations are cached on disk (``$CASEPRESS_CACHE_DIR`` or
``~/.cache/casepress``), keyed by everything that shapes them, so a rebuild of an
unchanged library does not even import citeproc-py.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casepress.core.cache import JsonCache, code_digest
from casepress.cite import disambiguate
from casepress.cite.csl_case import change_case
from casepress.cite.csl_markup import (
    B,
    B_END,
    CSL_NS,
    ET_AL_FIELDS,
    ET_AL_FLAG,
    GIVEN_FLAG,
    I,
    I_END,
    LOCATOR_FLAG,
    NUM,
    SC,
    SC_END,
    SUB,
    SUB_END,
    SUFFIX_VARIABLE,
    SUP,
    SUP_END,
    SUPPRESS_FLAG,
    Formatter,
    plain_text,
    prepare_item,
    rich_text,
    split_label,
    to_html,
)
from casepress.cite.disambiguate import Options
from casepress.cite.parallel import split_map
from casepress.cite.styles import StyleNotFound, find_style

if TYPE_CHECKING:  # citeproc-py is imported lazily: a warm cache never needs it
    from citeproc import CitationStylesBibliography  # type: ignore[import-untyped]


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


class FormattingError(RuntimeError):
    """citeproc-py failed on one entry (a bug or an unsupported construct in the style)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (FormattingError, (self.key, self.message))  # it crosses a process boundary


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


_FORMATTING_CODE = ("casepress.cite.csl", "casepress.cite.csl_case", "casepress.cite.csl_citeproc",
                    "casepress.cite.csl_markup", "casepress.cite.csl_memo", "casepress.cite.csl_sort",
                    "casepress.cite.disambiguate")
"""The modules whose code shapes a formatted entry (part of every cache key)."""


def _engine_version() -> str:
    """What else shapes the output: the formatting modules' sources (``csl*.py``) and
    citeproc-py's version (its locale files come with it). A change to either makes every
    record a miss. Read as files (see code_digest): importing citeproc-py costs more than the
    whole warm run."""
    return code_digest(*_FORMATTING_CODE, libraries=("citeproc",))[:16]


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
        self.register(ref.key for cluster in clusters for ref in cluster)
        cited = self._cited_keys()
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

    def register(self, keys: Iterable[str]) -> None:
        """Cite ``keys`` in this order (repeats and unknown keys ignored) without formatting
        any citation: the bibliography then holds these items, numbered in this order."""
        cited = list(dict.fromkeys(k for k in keys if k in self._items))
        if cited != self._cited:
            self._engine_cache = None
            self._disambiguated = None
        self._cited = cited

    def _render_citations(self, clusters: Sequence[Sequence[CiteRef]]) -> list[str]:
        from citeproc import Citation
        from citeproc.source import Locator

        engine = self._engine()
        from casepress.cite.csl_memo import Item as CitationItem  # loaded by _engine
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
            out.append(to_html(str(raw), self._keys_by_id))
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
        from citeproc import Citation

        from casepress.cite.csl_memo import Item as CitationItem  # loaded by _engine
        source = engine.bibliography.source
        options = self._info.disambiguation
        initials = "initials" if options.givenname_rule.endswith("initials") else "full"

        def names(key: str) -> list[tuple[str, str]]:
            item = self._items[key]
            return [(str(n.get("family") or n.get("literal") or ""), str(n.get("given") or ""))
                    for n in item.get("author") or item.get("editor") or [] if isinstance(n, dict)]

        def render_one(key: str, expand: bool) -> str:
            reference = source[self._ids[key]]
            if expand:
                reference[GIVEN_FLAG] = initials
            try:
                citation = Citation([CitationItem(self._ids[key])])
                engine.bibliography.register(citation)
                return plain_text(to_html(str(engine.bibliography.cite(citation, lambda _: "")), {}))
            finally:
                engine.bibliography._cites.clear()
                reference.pop(GIVEN_FLAG, None)

        def render(pairs: Sequence[tuple[str, bool]]) -> list[str]:
            # Each citation is rendered on its own, as the entries are: the cores share them.
            return split_map(lambda part: [render_one(key, expand) for key, expand in part], pairs)

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
        """The entries of ``keys``, each formatted on its own (so a long list is shared
        out among the cores, see :mod:`casepress.cite.parallel`)."""
        engine = self._engine()

        def render(part: Sequence[str]) -> list[dict[str, str | None]]:
            out: list[dict[str, str | None]] = []
            for key in part:
                try:
                    (raw,) = engine.bibliography.style.render_bibliography([engine.items[key]])
                except Exception as exc:  # citeproc-py raises anything: name the entry
                    raise FormattingError(key, f"{type(exc).__name__}: {exc}") from exc
                label, body = split_label(str(raw))
                out.append({
                    "label": to_html(label, self._keys_by_id).strip() if label is not None else None,
                    "html": to_html(body, self._keys_by_id).strip(),
                })
            return out

        return dict(zip(keys, split_map(render, keys), strict=True))

    # -- citeproc-py -----------------------------------------------------------------------

    def _engine(self) -> _Engine:
        if self._engine_cache is not None:
            return self._engine_cache
        from citeproc import Citation, CitationStylesBibliography
        from citeproc.source.json import CiteProcJSON  # type: ignore[import-untyped]

        cited = self._cited_keys()
        prepared = [prepare_item(self._items[k], self._ids[k]) for k in cited]
        source = CiteProcJSON(prepared)
        for key in cited:
            truncated = {v for f, v in ET_AL_FIELDS.items() if self._items[key].get(f)}
            if truncated:
                source[self._ids[key]][ET_AL_FLAG] = truncated
        from casepress.cite import csl_citeproc, csl_memo  # citeproc-py and lxml, only now

        style = csl_citeproc.Style(str(self._style_path), locale=self._locale, validate=False)
        bibliography = CitationStylesBibliography(style, source, Formatter)
        # The bibliography's items are these clean ones (no prefix or locator of a cite).
        items = {key: csl_memo.Item(self._ids[key]) for key in cited}
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
    # re-exported from csl_markup and csl_case (the JATS writer reads the placeholders)
    "B", "B_END", "I", "I_END", "SC", "SC_END", "SUB", "SUB_END", "SUP", "SUP_END", "change_case",
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
