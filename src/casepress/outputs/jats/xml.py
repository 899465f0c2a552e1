"""The element maker, the namespaces and serialisation of a JATS 1.1 document."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lxml import etree

XLINK = "http://www.w3.org/1999/xlink"
"""The XLink namespace (``xlink:href`` on graphic, ext-link, ...)."""
ALI = "http://www.niso.org/schemas/ali/1.0/"
"""The NISO Access and License Indicators namespace (``ali:license_ref``)."""
NSMAP = {"xlink": XLINK, "ali": ALI}
"""Prefixes as the DTD spells them (a DTD is not namespace-aware: the prefixes are fixed)."""

HREF = f"{{{XLINK}}}href"
"""The ``xlink:href`` attribute name."""

PUBLIC_ID = "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.1 20151215//EN"
"""The public identifier of the JATS Journal Publishing DTD 1.1."""
SYSTEM_ID = "https://jats.nlm.nih.gov/publishing/1.1/JATS-journalpublishing1.dtd"
"""Its system identifier (never fetched by casepress)."""
DOCTYPE = f'<!DOCTYPE article PUBLIC "{PUBLIC_ID}" "{SYSTEM_ID}">'
"""The document type declaration of every JATS file casepress writes."""

Content = "str | etree._Element | None"
"""What :func:`el` takes as children: text, elements, or nothing (skipped)."""


def el(tag: str, attrs: dict[str, str | None] | None = None, *children: Any) -> etree._Element:
    """An element with attributes (None values left out) and mixed content in order.

    Strings become text (or the tail of the previous child); None children are skipped;
    iterables of children are flattened, so builders can pass generator results."""
    element = etree.Element(tag, {k: v for k, v in (attrs or {}).items() if v is not None})
    append(element, children)
    return element


def append(parent: etree._Element, children: Iterable[Any]) -> etree._Element:
    """Append mixed content (text, elements, nested iterables; None skipped) to ``parent``."""
    for child in children:
        if child is None:
            continue
        if isinstance(child, str):
            add_text(parent, child)
        elif isinstance(child, etree._Element):
            parent.append(child)
        else:
            append(parent, child)
    return parent


def add_text(parent: etree._Element, text: str) -> None:
    """Append text at the end of ``parent``'s content."""
    if not text:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def has_content(element: etree._Element) -> bool:
    """True when the element holds text or children."""
    return bool(len(element) or (element.text or "").strip())


def serialize(article: etree._Element) -> bytes:
    """The document as UTF-8 bytes with the XML declaration and the JATS 1.1 DOCTYPE.

    Namespace declarations are moved to the root with their fixed prefixes, as the DTD
    expects; the output is the same bytes for the same tree."""
    root = etree.Element(article.tag, dict(article.attrib), nsmap=NSMAP)
    root.text = article.text
    for child in list(article):
        root.append(child)
    etree.cleanup_namespaces(root, top_nsmap=NSMAP, keep_ns_prefixes=list(NSMAP))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", doctype=DOCTYPE)
