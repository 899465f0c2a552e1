"""Figures: checked whole by ``check``, and published only as stripped copies.

- :func:`check_image` reads one figure file the way the build will show it: a
  raster image is decoded fully (under the pixel limit), an SVG is parsed and
  sanitized; anything that could not be shown is an :class:`ImageError`.
- :func:`strip_bytes` returns the copy the build publishes, in the HTML output and
  in the PDFs alike: without identifying metadata (see :mod:`.raster`), and for SVG
  without scripts, event handlers, external references and foreign content (see
  :mod:`.svg`). Pixels are never re-encoded.

Every error is an :class:`ImageError` (code and sentence); the callers locate it at
the figure's field.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from casepress.core import limits
from casepress.check.images.errors import ImageError
from casepress.check.images.raster import raster_format, strip_raster
from casepress.check.images.svg import looks_like_svg, parse_svg, sanitize_svg
from casepress.check.images.verify import RasterInfo, verify_raster


def _embedded_stripper() -> Callable[[bytes, str], bytes]:
    """Checks and strips an SVG's embedded images; together they share one pixel budget."""
    remaining = limits.MAX_IMAGE_PIXELS

    def strip(raw: bytes, label: str) -> bytes:
        nonlocal remaining
        remaining -= verify_raster(raw, label, remaining, what=label).pixels
        return strip_raster(raw, label)

    return strip


def strip_bytes(data: bytes, name: str = "image") -> bytes:
    """The published copy of an image: raster without metadata, SVG sanitized."""
    if raster_format(data) is None and looks_like_svg(data):
        return sanitize_svg(data, name, _embedded_stripper())
    return strip_raster(data, name)


def strip_metadata(path: Path) -> bytes:
    """:func:`strip_bytes` of a file (the caller has confined ``path``)."""
    return strip_bytes(path.read_bytes(), path.name)


SVG_SUFFIXES = (".svg",)


def check_image(data: bytes, name: str) -> RasterInfo | None:
    """Check that ``data``, the file ``name``, can be shown as its suffix says.

    Raster: a raster format (not SVG under a raster suffix), decoded whole under the
    pixel limit. SVG: parsed and sanitized as the build will publish it (embedded images
    decoded too). Returns the raster's size (None for SVG); raises ImageError.
    """
    suffix = Path(name).suffix.lower()
    found = raster_format(data)
    if suffix in SVG_SUFFIXES:
        if found is not None:
            raise ImageError("unsupported-image", f"'{name}' holds a {found} image, not SVG: "
                                                  f"give it the suffix .{found.lower()}")
        if not looks_like_svg(data):
            raise ImageError("unsupported-image", f"'{name}' is not an SVG image (no <svg> element at its start)")
        sanitize_svg(data, name, _embedded_stripper())
        return None
    if found is None:
        # (One raster format under another's suffix is shown: browsers and Pillow sniff rasters.)
        what = "an SVG image" if looks_like_svg(data) else "not a PNG, JPEG, GIF or WebP image"
        raise ImageError("unsupported-image", f"'{name}' is {what}, though its name ends in {suffix}")
    return verify_raster(data, name)


__all__ = [
    "ImageError",
    "RasterInfo",
    "check_image",
    "looks_like_svg",
    "parse_svg",
    "strip_bytes",
    "strip_metadata",
]
