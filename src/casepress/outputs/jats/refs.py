"""``<ref-list>`` from CSL-JSON items: ``element-citation`` beside the formatted ``mixed-citation``.

Each reference is one ``<ref>`` with a numbered id (``ref1``, ``ref2``, ... in list order, as
JATS4R's citations recommendation advises: BibTeX keys may hold characters an XML id cannot),
its printed label, and a ``citation-alternatives`` holding

* ``element-citation`` with ``publication-type`` (``journal``, ``book``, ...): the authors and
  editors as ``person-group`` of ``name`` (``surname``, ``given-names``, ``suffix``) or
  ``collab``, with ``etal`` for a list that ended in "and others"; ``article-title`` or
  ``chapter-title``, ``source``, ``year`` (with ``iso-8601-date``), ``volume``, ``issue``,
  ``fpage``/``lpage`` or ``elocation-id``, publisher, and ``pub-id`` for the DOI, PMID and
  PMCID;
* ``mixed-citation``: the entry as the citation style prints it (neutral inline nodes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from casepress.outputs.jats.inline import append_inlines, rich
from casepress.outputs.jats.xml import HREF, el

PUBLICATION_TYPES = {
    "article-journal": "journal",
    "article": "journal",
    "review": "journal",
    "book": "book",
    "chapter": "book",
    "paper-conference": "confproc",
    "report": "report",
    "thesis": "thesis",
    "webpage": "webpage",
    "post-weblog": "webpage",
    "dataset": "data",
    "patent": "patent",
    "software": "software",
    "manuscript": "preprint",
    "legal_case": "legal-doc",
    "legislation": "legal-doc",
    "standard": "standard",
}
"""CSL item types -> JATS ``publication-type`` values (JATS4R's list where it has one)."""

_RANGE = re.compile(r"^\s*([^\s\-–—]+)\s*[-–—]+\s*([^\s\-–—]+)\s*$")
_ARTICLE_NUMBER = re.compile(r"^(?:[A-Za-z]+\d+|\d{5,})$")
"""A page value that is an article number (``e4181``, ``1390361``), not a page."""


@dataclass(frozen=True)
class RefEntry:
    """One entry of the reference list, as the writer hands it over."""

    item: Mapping[str, Any]
    """The CSL-JSON item (``id`` is the BibTeX key)."""
    label: str | None = None
    """The number as printed in the list, e.g. ``1``; None for author-date styles."""
    formatted: Sequence[Any] | None = None
    """The entry as the style prints it, as neutral inline nodes; None: element-citation only."""


def ref_ids(keys: Iterable[str]) -> dict[str, str]:
    """BibTeX key -> ``ref<N>``, in list order."""
    return {key: f"ref{n}" for n, key in enumerate(keys, 1)}


def _name(person: Mapping[str, Any]) -> etree._Element:
    if "literal" in person or "family" not in person:
        return el("collab", {}, str(person.get("literal") or person.get("given") or ""))
    family = " ".join(p for p in (person.get("non-dropping-particle"), person.get("family")) if p)
    given = " ".join(p for p in (person.get("given"), person.get("dropping-particle")) if p)
    return el("name", {"name-style": "western"}, el("surname", {}, family),
              el("given-names", {}, given) if given else None,
              el("suffix", {}, person["suffix"]) if person.get("suffix") else None)


def person_group(item: Mapping[str, Any], variable: str, kind: str) -> etree._Element | None:
    """``<person-group person-group-type=kind>`` for a CSL name variable."""
    people = item.get(variable) or []
    if not people:
        return None
    etal = item.get("casepress-et-al" if variable == "author" else "casepress-et-al-editor")
    return el("person-group", {"person-group-type": kind}, (_name(p) for p in people),
              el("etal") if etal else None)


def _date_parts(value: Any) -> list[int]:
    if isinstance(value, Mapping):
        parts = value.get("date-parts") or [[]]
        return [int(p) for p in parts[0] if str(p).lstrip("-").isdigit()]
    return []


def year_el(item: Mapping[str, Any]) -> list[etree._Element]:
    """``<year>`` (and ``month``, ``day`` when known) of the issued date."""
    parts = _date_parts(item.get("issued"))
    if not parts:
        literal = item.get("issued", {}).get("literal") if isinstance(item.get("issued"), Mapping) else None
        return [el("year", {}, str(literal))] if literal else []
    iso = "-".join(f"{p:04d}" if i == 0 else f"{p:02d}" for i, p in enumerate(parts))
    out = [el("year", {"iso-8601-date": iso}, str(parts[0]))]
    out += [el(tag, {}, f"{p:02d}") for tag, p in zip(("month", "day"), parts[1:])]
    return out


def pages(item: Mapping[str, Any]) -> list[etree._Element]:
    """``fpage``/``lpage`` for a page range, ``elocation-id`` for an article number."""
    number = item.get("number") if item.get("type", "").startswith("article") else None
    page = str(item.get("page") or "").strip()
    match = _RANGE.match(page)
    if match:
        return [el("fpage", {}, match.group(1)), el("lpage", {}, match.group(2))]
    if page and not _ARTICLE_NUMBER.match(page):
        return [el("fpage", {}, page)]
    if page or number:
        return [el("elocation-id", {}, page or str(number))]
    return []


def _titles(item: Mapping[str, Any], kind: str) -> list[etree._Element | None]:
    title, container = item.get("title"), item.get("container-title")
    if kind == "book" and item.get("type") == "chapter":
        return [rich("chapter-title", title) if title else None, rich("source", container) if container else None]
    if kind in ("book", "report", "thesis", "software", "data", "standard", "patent"):
        return [rich("source", title) if title else None]
    return [rich("article-title", title) if title else None, rich("source", container) if container else None]


def _publisher(item: Mapping[str, Any]) -> list[etree._Element | None]:
    return [el("publisher-loc", {}, item["publisher-place"]) if item.get("publisher-place") else None,
            el("publisher-name", {}, item["publisher"]) if item.get("publisher") else None]


def _identifiers(item: Mapping[str, Any]) -> list[etree._Element | None]:
    out: list[etree._Element | None] = []
    for variable, kind in (("DOI", "doi"), ("PMID", "pmid"), ("PMCID", "pmcid")):
        if item.get(variable):
            out.append(el("pub-id", {"pub-id-type": kind}, str(item[variable])))
    if item.get("ISBN"):
        out.append(el("isbn", {}, str(item["ISBN"])))
    if item.get("URL"):
        out.append(el("ext-link", {"ext-link-type": "uri", HREF: str(item["URL"])}, str(item["URL"])))
    return out


def element_citation(item: Mapping[str, Any]) -> etree._Element:
    """``<element-citation>`` for one CSL-JSON item."""
    kind = PUBLICATION_TYPES.get(str(item.get("type")), str(item.get("type") or "other"))
    return el(
        "element-citation", {"publication-type": kind},
        person_group(item, "author", "author"),
        person_group(item, "editor", "editor"),
        _titles(item, kind),
        el("edition", {}, str(item["edition"])) if item.get("edition") else None,
        _publisher(item),
        year_el(item),
        el("volume", {}, str(item["volume"])) if item.get("volume") else None,
        el("issue", {}, str(item["issue"])) if item.get("issue") else None,
        pages(item),
        _identifiers(item),
    )


def ref(entry: RefEntry, ref_id: str, ids: Mapping[str, str]) -> etree._Element:
    """``<ref>``: label, and the structured and formatted citations side by side."""
    structured = element_citation(entry.item)
    if entry.formatted is None:
        body: etree._Element = structured
    else:
        mixed = el("mixed-citation", {"publication-type": structured.get("publication-type")})
        append_inlines(mixed, entry.formatted, ids)
        body = el("citation-alternatives", {}, structured, mixed)
    return el("ref", {"id": ref_id}, el("label", {}, entry.label) if entry.label else None, body)


def ref_list(entries: Sequence[RefEntry], title: str = "References") -> etree._Element:
    """``<ref-list>`` in the order given (the style's order)."""
    ids = ref_ids(str(e.item["id"]) for e in entries)
    return el("ref-list", {}, el("title", {}, title),
              (ref(e, ids[str(e.item["id"])], ids) for e in entries))
