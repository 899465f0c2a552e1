"""Identifying metadata of raster images: EXIF, XMP, IPTC, PNG text chunks and comments."""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from collections.abc import Mapping
from typing import Any

from casepress.check.deid.findings import KnownPeople
from casepress.check.deid.metadata import MetaHit, _decode, _field_hit, _text_hits
from casepress.check.images.raster import png_chunk


_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_EXIF_FIELDS: dict[int, tuple[str, str, str, bool]] = {
    # tag: (name, kind, what, in the Exif sub-IFD)
    0x013B: ("Artist", "name", "person's name", False),
    0x8298: ("Copyright", "name", "copyright holder", False),
    0x9C9D: ("XPAuthor", "name", "person's name", False),
    0xC62F: ("CameraSerialNumber", "device-id", "camera serial number", False),
    0x9003: ("DateTimeOriginal", "image-date", "capture date", True),
    0x9004: ("DateTimeDigitized", "image-date", "capture date", True),
    0xA430: ("CameraOwnerName", "name", "camera owner's name", True),
    0xA431: ("BodySerialNumber", "device-id", "camera serial number", True),
    0xA435: ("LensSerialNumber", "device-id", "lens serial number", True),
    0xA420: ("ImageUniqueID", "id-number", "unique image ID", True),
}
"""EXIF fields that identify a person, a device or a date; DateTime (last edit) is left out."""
_EXIF_TEXT: dict[int, tuple[str, bool]] = {
    0x010E: ("ImageDescription", False),
    0x9C9B: ("XPTitle", False),
    0x9C9C: ("XPComment", False),
    0x9C9E: ("XPKeywords", False),
    0x9C9F: ("XPSubject", False),
    0x9286: ("UserComment", True),
}
"""Free-text EXIF fields, scanned like prose (a camera writes 'OLYMPUS DIGITAL CAMERA')."""

_XMP_FIELDS: dict[str, tuple[str, str]] = {
    "creator": ("name", "creator"),
    "contributor": ("name", "contributor"),
    "rights": ("name", "rights holder"),
    "Artist": ("name", "person's name"),
    "Author": ("name", "person's name"),
    "CameraOwnerName": ("name", "camera owner's name"),
    "OwnerName": ("name", "camera owner's name"),
    "Owner": ("name", "owner's name"),
    "Credit": ("name", "credit line"),
    "CaptionWriter": ("name", "caption writer"),
    "SerialNumber": ("device-id", "camera serial number"),
    "BodySerialNumber": ("device-id", "camera serial number"),
    "CameraSerialNumber": ("device-id", "camera serial number"),
    "LensSerialNumber": ("device-id", "lens serial number"),
    "ImageUniqueID": ("id-number", "unique image ID"),
    "GPSLatitude": ("gps", "GPS position"),
    "GPSLongitude": ("gps", "GPS position"),
    "City": ("geo", "place name"),
    "Location": ("geo", "place name"),
    "Sublocation": ("geo", "place name"),
    "DateCreated": ("image-date", "capture date"),
    "CreateDate": ("image-date", "capture date"),
    "DateTimeOriginal": ("image-date", "capture date"),
    "DateTimeDigitized": ("image-date", "capture date"),
}
"""XMP properties (by local name) that identify a person, a device, a place or a date."""
_XMP_TEXT = frozenset(
    {"description", "title", "Headline", "UserComment", "Instructions", "subject"}
)
_XMP_PREFIXES = {
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://ns.adobe.com/xap/1.0/": "xmp",
    "http://ns.adobe.com/xap/1.0/rights/": "xmpRights",
    "http://ns.adobe.com/exif/1.0/": "exif",
    "http://cipa.jp/exif/1.0/": "exifEX",
    "http://ns.adobe.com/exif/1.0/aux/": "aux",
    "http://ns.adobe.com/photoshop/1.0/": "photoshop",
    "http://ns.adobe.com/tiff/1.0/": "tiff",
    "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/": "Iptc4xmpCore",
    "http://iptc.org/std/Iptc4xmpExt/2008-02-29/": "Iptc4xmpExt",
    "http://creativecommons.org/ns#": "cc",
}

_IPTC_FIELDS: dict[tuple[int, int], tuple[str, str, str]] = {
    (2, 80): ("By-line", "name", "creator"),
    (2, 116): ("CopyrightNotice", "name", "copyright holder"),
    (2, 110): ("Credit", "name", "credit line"),
    (2, 122): ("Writer-Editor", "name", "caption writer"),
    (2, 118): ("Contact", "name", "contact"),
    (2, 90): ("City", "geo", "place name"),
    (2, 92): ("Sub-location", "geo", "place name"),
    (2, 55): ("DateCreated", "image-date", "capture date"),
    (2, 62): ("DigitalCreationDate", "image-date", "capture date"),
}
_IPTC_TEXT = {(2, 120): "Caption-Abstract", (2, 105): "Headline", (2, 5): "ObjectName"}

_PNG_FIELDS = {
    "Author": ("name", "person's name"),
    "Copyright": ("name", "copyright holder"),
    "Creation Time": ("image-date", "creation date"),
}
"""PNG text keywords (PNG specification, 11.3.4.2) that name a person or a date."""
_PNG_IGNORED = frozenset({"Software", "Raw profile type exif", "Raw profile type APP1"})
"""Keywords that hold no personal text (EXIF in a text chunk is read as EXIF)."""


def exif_hits(exif: Any, prefix: str, known: KnownPeople) -> list[MetaHit]:
    """Identifying EXIF fields (Pillow's ``Image.Exif``)."""
    hits: list[MetaHit] = []
    sub = exif.get_ifd(_EXIF_IFD)
    gps = exif.get_ifd(_GPS_IFD)
    if any(tag in gps for tag in (2, 4)):  # GPSLatitude, GPSLongitude
        hits.append(MetaHit("gps", "GPS position", f"{prefix} GPSInfo"))
    if 29 in gps:  # GPSDateStamp
        hits.append(MetaHit("image-date", "capture date", f"{prefix} GPSDateStamp"))
    for tag, (name, kind, what, in_sub) in _EXIF_FIELDS.items():
        value = _decode((sub if in_sub else exif).get(tag, ""))
        if value:
            hits += _field_hit(kind, what, f"{prefix} {name}", value, known)
    for tag, (name, in_sub) in _EXIF_TEXT.items():
        value = _decode((sub if in_sub else exif).get(tag, ""))
        if value:
            hits += _text_hits(value, f"{prefix} {name}", known)
    return hits


def xmp_hits(xmp: str | bytes, known: KnownPeople, prefix: str = "XMP") -> list[MetaHit]:
    """Identifying XMP properties, as elements or as attributes of rdf:Description."""
    import xml.etree.ElementTree as ET  # (imported here: most images carry no XMP)

    if isinstance(xmp, bytes):
        xmp = xmp.decode("utf-8", "replace")
    xmp = xmp.strip("\x00 \n\r\t")
    try:
        root = ET.fromstring(xmp[xmp.find("<") :])
    except ET.ParseError as exc:
        return [MetaHit("unreadable", f"unreadable XMP ({exc})", prefix)]
    hits: list[MetaHit] = []
    seen: set[str] = set()
    for element in root.iter():
        pairs = [(element.tag, " ".join(t.strip() for t in element.itertext() if t.strip()))]
        pairs += list(element.attrib.items())
        for qualified, value in pairs:
            namespace, _, local = qualified.rpartition("}")
            label = f"{prefix} {_XMP_PREFIXES.get(namespace.lstrip('{'), '')}:{local}".replace(
                " :", " "
            )
            if not value or label in seen:
                continue
            if local in _XMP_FIELDS:
                seen.add(label)
                kind, what = _XMP_FIELDS[local]
                hits += _field_hit(kind, what, label, value, known)
            elif local in _XMP_TEXT:
                seen.add(label)
                hits += _text_hits(value, label, known)
    return hits


def iptc_hits(iptc: Mapping[tuple[int, int], Any], known: KnownPeople) -> list[MetaHit]:
    """Identifying IPTC-IIM datasets (Pillow's ``getiptcinfo``)."""
    hits: list[MetaHit] = []
    for record, (name, kind, what) in _IPTC_FIELDS.items():
        value = _decode(iptc.get(record, b""))
        if value:
            hits += _field_hit(kind, what, f"IPTC {name}", value, known)
    for record, name in _IPTC_TEXT.items():
        value = _decode(iptc.get(record, b""))
        if value:
            hits += _text_hits(value, f"IPTC {name}", known)
    return hits


def raster_hits(data: bytes, known: KnownPeople, prefix: str = "", decoded: bool = False) -> list[MetaHit]:
    """Identifying metadata of a JPEG, PNG, WebP, GIF or TIFF image, read with Pillow.

    ``decoded``: the image check decoded ``data`` whole already, so that a PNG's pixels need
    not be decoded again to reach the text chunks after them (see _one_pixel_png).
    """
    lead = f"{prefix} " if prefix else ""
    try:
        return _raster_hits(data, known, lead, decoded)
    except Exception as exc:  # noqa: BLE001 - a damaged file is a warning, never a traceback
        return [
            MetaHit("unreadable", f"unreadable image ({type(exc).__name__}: {exc})", f"{lead}image")
        ]


_Metadata = tuple[dict[Any, Any], Any, Any, dict[str, Any]]
"""An opened image's info, EXIF, IPTC (JPEG and TIFF) and PNG text chunks."""


def _metadata(image: Any) -> _Metadata:
    from PIL import IptcImagePlugin

    fmt = image.format
    if fmt == "PNG":
        image.load()  # text chunks after the image data are read with the pixels
    info = dict(image.info)
    exif = image.getexif()
    iptc = IptcImagePlugin.getiptcinfo(image) if fmt in ("JPEG", "TIFF") else None
    return info, exif, iptc, dict(getattr(image, "text", {}) or {})


def _raster_hits(data: bytes, known: KnownPeople, lead: str, decoded: bool) -> list[MetaHit]:
    from PIL import Image

    from casepress.core.limits import MAX_IMAGE_PIXELS

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data))
    small = None
    with image:
        fmt = image.format
        if image.width * image.height > MAX_IMAGE_PIXELS:
            return []  # never decoded here: the image check refuses it (image-too-large)
        small = _one_pixel_png(data) if fmt == "PNG" and decoded else None
        if small is None:
            info, exif, iptc, text = _metadata(image)
    if small is not None:
        with Image.open(io.BytesIO(small)) as copy:
            info, exif, iptc, text = _metadata(copy)
    hits = exif_hits(exif, f"{lead}EXIF", known)
    xmp = info.get("xmp") or info.get("XML:com.adobe.xmp") or text.get("XML:com.adobe.xmp")
    if xmp:
        hits += xmp_hits(xmp, known, f"{lead}XMP")
    if iptc:
        hits += [MetaHit(h.kind, h.what, f"{lead}{h.key}", h.shown) for h in iptc_hits(iptc, known)]
    for keyword, value in text.items():
        if keyword in _PNG_IGNORED or keyword == "XML:com.adobe.xmp" or not str(value).strip():
            continue
        if keyword in _PNG_FIELDS:
            kind, what = _PNG_FIELDS[keyword]
            hits += _field_hit(kind, what, f"{lead}PNG {keyword}", str(value), known)
        else:
            hits += _text_hits(str(value), f"{lead}PNG {keyword}", known)
    comment = info.get("comment")
    if comment and fmt in ("GIF", "JPEG"):
        hits += _text_hits(_decode(comment), f"{lead}{fmt} comment", known)
    return hits


_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
"""Samples per pixel of each PNG colour type (grey, RGB, palette, grey and alpha, RGBA)."""


def _one_pixel_png(data: bytes) -> bytes | None:
    """The PNG ``data`` with an image of one pixel in place of its own, every other chunk as it is.

    Pillow reads the text chunks that follow a PNG's image data only with the pixels: reading
    a copy whose image is one (blank) pixel gives the same metadata without decoding the
    pixels again. None, to read the image itself, for an animated PNG (its frames' sizes are
    checked against the image's) or a chunk that runs off the end.
    """
    if data[8:16] != b"\x00\x00\x00\x0dIHDR" or len(data) < 33:
        return None
    depth, colour = data[24], data[25]
    header = struct.pack(">II", 1, 1) + data[24:28] + b"\x00"  # depth, colour, methods; not interlaced
    out = [data[:8], png_chunk(b"IHDR", header)]
    pos, image_data = 33, False
    while pos + 8 <= len(data):
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        kind, end = data[pos + 4 : pos + 8], pos + 12 + length
        if end > len(data) or kind in (b"acTL", b"fcTL", b"fdAT"):
            return None
        if kind == b"IDAT":
            if not image_data:  # one row: the filter byte, then one pixel of zero samples
                row = bytes(1 + (_CHANNELS.get(colour, 4) * depth + 7) // 8)
                out.append(png_chunk(b"IDAT", zlib.compress(row)))
            image_data = True
        else:
            out.append(data[pos:end])
        pos = end
        if kind == b"IEND":
            return b"".join(out)
    return None
