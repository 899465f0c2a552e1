"""The whole ``<article>`` from its parts, serialised as a JATS Journal Publishing 1.1 file."""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from casepress.outputs.jats.xml import el, serialize

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def article(front: etree._Element, body: Iterable[etree._Element], back: etree._Element | None,
            language: str = "en") -> etree._Element:
    """``<article article-type="case-report" dtd-version="1.1" xml:lang=...>``."""
    return el("article", {"article-type": "case-report", "dtd-version": "1.1", XML_LANG: language},
              front, el("body", {}, body), back)


def to_bytes(root: etree._Element) -> bytes:
    """The file's bytes (declaration, DOCTYPE, namespaces at the root)."""
    return serialize(root)
