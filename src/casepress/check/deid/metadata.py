"""One identifying metadata field (a MetaHit), and what the image readers share to find one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from casepress.check.deid.detectors import scan_text
from casepress.check.deid.findings import KnownPeople, mask
from casepress.check.deid.names import _name_words


@dataclass(frozen=True, slots=True)
class MetaHit:
    """One identifying metadata field of one file, before it is located."""

    kind: str
    """The finding's kind (``gps``, ``image-date``, ``name``, ...)."""
    what: str
    """What it is, e.g. ``GPS position``."""
    key: str
    """Where in the file: container and field, e.g. ``EXIF DateTimeOriginal``."""
    shown: str | None = None
    """The value, masked; None when the message should not quote it at all."""


_UNSHOWN = frozenset({"gps", "image-date", "birth-date"})
"""Kinds whose metadata value the message does not quote at all."""


def _field_hit(kind: str, what: str, key: str, value: str, known: KnownPeople) -> list[MetaHit]:
    """One identifying metadata field; an author's or reviewer's own name is not one."""
    if kind == "name" and " ".join(_name_words(value)) in known.full_names:
        return []  # the byline prints it already (an author took the photograph)
    return [MetaHit(kind, what, key, None if kind in _UNSHOWN else mask(value))]


def _text_hits(text: str, key: str, known: KnownPeople) -> list[MetaHit]:
    """Identifiers in a free-text metadata field, found by the text detectors."""
    return [
        MetaHit(m.detector.kind, m.detector.label, key, mask(text[m.start : m.end]))
        for m in scan_text(text, "metadata", known)
    ]


def _decode(value: Any) -> str:
    """An EXIF or IPTC value as text (XP* fields are UTF-16, UserComment has a charset prefix)."""
    if isinstance(value, bytes):
        if value[:8] in (
            b"ASCII\x00\x00\x00",
            b"UNICODE\x00",
            b"JIS\x00\x00\x00\x00\x00",
            b"\x00" * 8,
        ):
            charset, value = value[:8], value[8:]
            if charset == b"UNICODE\x00":
                return value.decode("utf-16", "replace").strip("\x00 ")
        if len(value) >= 2 and value[1:2] == b"\x00":
            return value.decode("utf-16-le", "replace").strip("\x00 ")
        return value.decode("utf-8", "replace").strip("\x00 ")
    if isinstance(value, (list, tuple)):
        return " ".join(_decode(v) for v in value)
    return str(value).strip("\x00 ")
