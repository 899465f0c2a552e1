"""SVG to PNG at a given resolution, for submission systems that take no SVG.

resvg (the ``resvg-py`` wheel: no system library, no network) renders with casepress's own
fonts only (``templates/base/assets/fonts``; system fonts are not read), so the same SVG gives
the same PNG bytes on every machine. The PNG records its resolution (``pHYs``), which
submission systems check. CairoSVG was measured as well: as fast (about 120 ms of CPU per
placeholder figure at 300 dpi, either way), but it needs the system's libcairo and takes
whatever fonts fontconfig finds, so its bytes differ between machines.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from functools import cache

from casepress.core.project import builtin_templates

CSS_DPI = 96
"""SVG user units per inch (CSS pixels)."""
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@cache
def shipped_fonts() -> tuple[str, ...]:
    """casepress's font files, the only fonts the rasteriser reads."""
    folder = builtin_templates() / "base" / "assets" / "fonts"
    return tuple(str(p) for p in sorted(folder.glob("*.ttf")))


def svg_to_png(svg: bytes, dpi: int = 300, fonts: Sequence[str] | None = None) -> bytes:
    """The SVG drawn at ``dpi`` (its CSS size times dpi/96), as PNG bytes that say ``dpi``.

    Raises ValueError when the SVG cannot be drawn."""
    import resvg_py

    try:
        text = svg.decode("utf-8")
        png = bytes(resvg_py.svg_to_bytes(
            svg_string=text, zoom=dpi / CSS_DPI, skip_system_fonts=True,
            font_files=list(fonts if fonts is not None else shipped_fonts()),
            font_family="Noto Sans", sans_serif_family="Noto Sans", serif_family="Noto Serif",
        ))
    except (UnicodeDecodeError, RuntimeError, OSError, ValueError) as exc:
        raise ValueError(f"the SVG cannot be drawn: {exc}") from None
    return with_dpi(png, dpi)


def with_dpi(png: bytes, dpi: int) -> bytes:
    """``png`` with a ``pHYs`` chunk saying ``dpi`` (replacing one that is there)."""
    if not png.startswith(_PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    ppm = round(dpi / 0.0254)
    data = struct.pack(">IIB", ppm, ppm, 1)
    phys = struct.pack(">I", len(data)) + b"pHYs" + data + struct.pack(">I", zlib.crc32(b"pHYs" + data))
    out = [_PNG_SIGNATURE]
    pos = len(_PNG_SIGNATURE)
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        chunk = png[pos:pos + 12 + length]
        pos += 12 + length
        if kind == b"pHYs":
            continue
        out.append(chunk)
        if kind == b"IHDR":
            out.append(phys)
    return b"".join(out)
