"""Identifying metadata of SVG images, and of the raster images embedded in them."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from casepress.check.deid.findings import KnownPeople
from casepress.check.deid.metadata import MetaHit, _field_hit, _text_hits
from casepress.check.deid.patterns import compiled
from casepress.check.deid.raster import _XMP_PREFIXES, raster_hits


_SVG_NAME_FIELDS = frozenset({"creator", "contributor", "rights", "publisher"})
_DATA_URI = r"(?i)data:image/(?:png|jpe?g|webp|gif|tiff?);base64,(?P<data>[A-Za-z0-9+/=\s]+)"


def svg_hits(data: bytes, known: KnownPeople) -> list[MetaHit]:
    """Identifying SVG metadata: RDF creators, names in titles, texts, comments, embedded images."""
    from lxml import etree

    from casepress.check.images import ImageError, parse_svg

    try:
        root = parse_svg(data, "the SVG")
    except ImageError as exc:
        return [MetaHit("unreadable", f"unreadable SVG ({exc})", "SVG")]
    hits: list[MetaHit] = []

    def walk(element: Any, in_metadata: bool) -> None:
        local = element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""
        namespace = (
            element.tag.rpartition("}")[0].lstrip("{") if isinstance(element.tag, str) else ""
        )
        prefix = _XMP_PREFIXES.get(namespace, "")
        label = f"SVG {prefix}:{local}" if prefix else f"SVG <{local}>"
        if in_metadata and local in _SVG_NAME_FIELDS:
            value = " ".join(t.strip() for t in element.itertext() if t.strip())
            if value:
                hits.extend(
                    _field_hit(
                        "name", local if local != "rights" else "rights holder", label, value, known
                    )
                )
            return  # its agent's dc:title is the name just reported
        if local in ("title", "desc", "text", "description", "subject"):
            # Visible labels and accessible names; a <text>'s tspans are read with it.
            value = " ".join(t.strip() for t in element.itertext() if t.strip())
            if value:
                hits.extend(_text_hits(value, label, known))
            return
        for attribute in (
            "{http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd}docname",
            "{http://www.inkscape.org/namespaces/inkscape}export-filename",
        ):
            if element.get(attribute):
                name = "sodipodi:docname" if "sodipodi" in attribute else "inkscape:export-filename"
                hits.extend(_text_hits(element.get(attribute, ""), f"SVG {name}", known))
        for child in element:
            if isinstance(child.tag, str):
                walk(child, in_metadata or local == "metadata")

    walk(root, False)
    comments = [*reversed(list(root.itersiblings(preceding=True))), *root.iter(etree.Comment),
                *root.itersiblings()]
    for comment in comments:
        if comment.tag is etree.Comment and (comment.text or "").strip():
            hits.extend(_text_hits(comment.text.strip(), "SVG comment", known))
    text = data.decode("utf-8", "replace")
    for n, match in enumerate(compiled(_DATA_URI).finditer(text), start=1):
        try:
            embedded = base64.b64decode(re.sub(r"\s", "", match.group("data")), validate=True)
        except (binascii.Error, ValueError):
            continue
        hits.extend(raster_hits(embedded, known, f"SVG embedded image {n}"))
    return hits
