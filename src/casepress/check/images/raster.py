"""Raster images without their metadata: container edits, pixels never re-encoded.

JPEG: APPn segments other than JFIF, ICC profiles and Adobe colour transforms are
dropped (EXIF, XMP, IPTC/Photoshop, vendor segments), as are comments and anything
after the end of the image (vendor trailers, motion-photo videos); an EXIF
orientation other than 1 is kept in a minimal EXIF block so the image still displays
upright. PNG: text chunks (tEXt, zTXt, iTXt), eXIf (kept as orientation only, as for
JPEG), tIME, sPLT (it has a free-text name) and unknown ancillary chunks are dropped.
WebP: EXIF (orientation included: WebP images are stored upright), XMP and unknown
chunks are dropped. GIF: comments and application extensions other than the looping
one are dropped. The output is the same for the same input.

Every function here raises :class:`~casepress.check.images.errors.ImageError` (never
``IndexError`` or ``struct.error``) for a damaged file.
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib

from casepress.check.images.errors import ImageError, unreadable


def strip_raster(data: bytes, name: str) -> bytes:
    """``data`` (a JPEG, PNG, WebP or GIF) without its metadata; ImageError for anything else."""
    try:
        if data.startswith(b"\xff\xd8"):
            return _strip_jpeg(data, name)
        if data.startswith(b"\x89PNG\r\n\x1a\n"):
            return _strip_png(data, name)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _strip_webp(data, name)
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return _strip_gif(data, name)
    except (IndexError, struct.error) as exc:  # a length or offset that runs off the end
        raise unreadable(f"cannot strip metadata of {name}: damaged or truncated file") from exc
    raise ImageError("unsupported-image", f"cannot strip metadata of {name}: not a JPEG, PNG, WebP, GIF or SVG image")


def raster_format(data: bytes) -> str | None:
    """``JPEG``, ``PNG``, ``WEBP`` or ``GIF`` from the magic bytes; None for anything else."""
    if data.startswith(b"\xff\xd8"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    return None


def _orientation(data: bytes) -> int:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the size was checked before (check_images)
            with Image.open(io.BytesIO(data)) as image:
                value = image.getexif().get(0x0112, 1)
    except Exception:  # noqa: BLE001 - an unreadable EXIF block means no orientation
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def minimal_exif(orientation: int) -> bytes:
    """TIFF bytes of an EXIF block holding only the orientation (deterministic)."""
    # Big-endian TIFF header, one IFD with one SHORT entry, no next IFD.
    return b"MM\x00*\x00\x00\x00\x08" + struct.pack(">HHHIHH", 1, 0x0112, 3, 1, orientation, 0) + b"\x00" * 4


_JPEG_KEEP_APPS = ((0xE0, b"JFIF\x00"), (0xE2, b"ICC_PROFILE\x00"), (0xEE, b"Adobe"))
"""JFIF, the ICC profile and Adobe's colour transform (needed to decode CMYK) stay."""


def _scan_end(data: bytes, pos: int) -> int:
    """The end of entropy-coded data starting at ``pos``: the next marker that is not a
    stuffed byte, a restart marker or fill."""
    n = len(data)
    end = pos
    while True:
        end = data.find(b"\xff", end)
        if end == -1 or end + 1 >= n:
            return n
        following = data[end + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            end += 1 if following == 0xFF else 2
            continue
        return end


def _strip_jpeg(data: bytes, name: str) -> bytes:
    out = [b"\xff\xd8"]
    orientation = _orientation(data)
    pos, n = 2, len(data)
    inserted = orientation == 1
    while pos < n:
        if data[pos] != 0xFF:
            raise unreadable(f"cannot strip metadata of {name}: damaged JPEG (no marker at byte {pos})")
        marker = data[pos + 1] if pos + 1 < n else 0xD9
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:
            out.append(b"\xff\xd9")
            break  # anything after the end of the image is not the image
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out.append(data[pos : pos + 2])
            pos += 2
            continue
        if pos + 4 > n:
            raise unreadable(f"cannot strip metadata of {name}: truncated JPEG")
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        segment = data[pos : pos + 2 + length]
        keep = not (0xE0 <= marker <= 0xEF or marker == 0xFE)
        keep = keep or any(marker == m and segment[4:].startswith(p) for m, p in _JPEG_KEEP_APPS)
        if not inserted and marker != 0xE0:
            # The orientation goes right after SOI and JFIF, where readers look for EXIF.
            exif = b"Exif\x00\x00" + minimal_exif(orientation)
            out.append(b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif)
            inserted = True
        if keep:
            out.append(segment)
        pos += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            end = _scan_end(data, pos)
            out.append(data[pos:end])
            pos = end
    return b"".join(out)


_PNG_KEEP = frozenset({
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT",
    b"bKGD", b"pHYs", b"cICP", b"mDCV", b"cLLI", b"acTL", b"fcTL", b"fdAT", b"hIST",
})
"""PNG chunks that affect how the pixels look (or animate); everything else is dropped."""


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    """One PNG chunk with its length and CRC."""
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _strip_png(data: bytes, name: str) -> bytes:
    out = [data[:8]]
    orientation = _orientation(data)
    pos = 8
    exif_added = False
    while pos + 8 <= len(data):
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise unreadable(f"cannot strip metadata of {name}: truncated PNG chunk {kind!r}")
        if kind == b"IDAT" and orientation != 1 and not exif_added:
            out.append(png_chunk(b"eXIf", minimal_exif(orientation)))
            exif_added = True
        if kind in _PNG_KEEP:
            out.append(data[pos:end])
        pos = end
        if kind == b"IEND":
            return b"".join(out)
    raise unreadable(f"cannot strip metadata of {name}: truncated PNG (no IEND chunk)")


_WEBP_KEEP = frozenset({b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"})


def _strip_webp(data: bytes, name: str) -> bytes:
    chunks: list[bytes] = []
    pos = 12
    while pos + 8 <= len(data):
        kind = data[pos : pos + 4]
        size = struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        end = pos + 8 + size + (size & 1)
        if pos + 8 + size > len(data):
            raise unreadable(f"cannot strip metadata of {name}: truncated WebP chunk {kind!r}")
        chunk = data[pos : min(end, len(data))]
        if kind == b"VP8X":
            flags = chunk[8] & ~0x0C  # clear the EXIF (0x08) and XMP (0x04) flags
            chunk = chunk[:8] + bytes([flags]) + chunk[9:]
        if kind in _WEBP_KEEP:
            chunks.append(chunk)
        pos = end
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _gif_sub_blocks(data: bytes, pos: int, name: str) -> int:
    """The position after the data sub-blocks starting at ``pos`` (and their terminator)."""
    while True:
        if pos >= len(data):
            raise unreadable(f"cannot strip metadata of {name}: truncated GIF")
        size = data[pos]
        pos += 1 + size
        if size == 0:
            return pos


def _strip_gif(data: bytes, name: str) -> bytes:
    flags = data[10]
    pos = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    out = [data[:pos]]
    while pos < len(data):
        block = data[pos]
        if block == 0x3B:  # trailer
            out.append(b"\x3b")
            return b"".join(out)
        if block == 0x21:
            label = data[pos + 1]
            end = _gif_sub_blocks(data, pos + 2, name)
            # Keep graphic control and plain text; of application extensions, only looping.
            keep = label in (0xF9, 0x01) or (
                label == 0xFF and data[pos + 3 : pos + 14] in (b"NETSCAPE2.0", b"ANIMEXTS1.0")
            )
            if keep:
                out.append(data[pos:end])
            pos = end
        elif block == 0x2C:
            local = data[pos + 9]
            start = pos
            pos += 10 + (3 * 2 ** ((local & 7) + 1) if local & 0x80 else 0)
            end = _gif_sub_blocks(data, pos + 1, name)  # after the LZW minimum code size
            out.append(data[start:end])
            pos = end
        else:
            raise unreadable(f"cannot strip metadata of {name}: damaged GIF (block 0x{block:02x})")
    raise unreadable(f"cannot strip metadata of {name}: truncated GIF (no trailer)")
