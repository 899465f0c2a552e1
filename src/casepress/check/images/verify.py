"""Raster images checked whole before anything is published: decoded once, then let go.

Pillow reads the header first; an image over :data:`~casepress.core.limits.MAX_IMAGE_PIXELS`
(counting every frame of an animation) is refused from it, before any pixel is decoded,
so a decompression bomb never allocates its pixels. Pillow's own bomb guard (a
warning, then an error, at sizes of its choosing) is turned into the same refusal.
Otherwise every frame is decoded, so a truncated or damaged file is found by
``check``, not by a build that would lay out a PDF without it.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

from casepress.core import limits
from casepress.check.images.errors import ImageError, unreadable

FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
"""The raster formats browsers and WeasyPrint both show."""


@dataclass(frozen=True)
class RasterInfo:
    """What the check learnt about a raster image (the pixels are not kept)."""

    format: str
    """Pillow's format name: ``JPEG``, ``PNG``, ``GIF`` or ``WEBP``."""
    width: int
    """Width in pixels."""
    height: int
    """Height in pixels."""
    frames: int
    """Number of frames (1 unless animated)."""

    @property
    def pixels(self) -> int:
        """Pixels decoded to show every frame."""
        return self.width * self.height * self.frames


def too_many_pixels(what: str, pixels: int, budget: int = limits.MAX_IMAGE_PIXELS) -> ImageError:
    """The refusal of an image (``what``: its quoted name) over the pixel limit."""
    return ImageError("image-too-large", f"{what} has {pixels:,} pixels; the limit is "
                                         f"{budget:,} (a larger image could exhaust memory when decoded)")


def _bomb(exc: Warning | Exception, what: str, budget: int) -> ImageError:
    found = re.search(r"\((\d+) pixels\)", str(exc))
    if found:
        return too_many_pixels(what, int(found.group(1)), budget)
    return ImageError("image-too-large", f"{what} has more pixels than the limit of {budget:,}")


def verify_raster(data: bytes, name: str, budget: int = limits.MAX_IMAGE_PIXELS, what: str | None = None) -> RasterInfo:
    """Open and fully decode ``data``; ImageError when it cannot be shown or is too large.

    ``budget`` is the pixel allowance (an SVG's embedded images share one); ``what``
    names the image in messages (default: the quoted ``name``).
    """
    from PIL import Image

    what = what or f"'{name}'"
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return _verify(data, what, budget)
        except ImageError:
            raise
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise _bomb(exc, what, budget) from None
        except Image.UnidentifiedImageError:
            raise ImageError("unsupported-image", f"{what} is not a PNG, JPEG, GIF or WebP image "
                                                  "(Pillow cannot identify it)") from None
        except MemoryError:
            raise ImageError("image-too-large", f"{what} is too large to decode") from None
        except Exception as exc:  # noqa: BLE001 - Pillow raises OSError, SyntaxError, ValueError, struct.error...
            reason = str(exc).strip() or type(exc).__name__
            raise unreadable(f"{what} is damaged or truncated: Pillow cannot decode it ({reason})") from None


def _verify(data: bytes, what: str, budget: int) -> RasterInfo:
    from PIL import Image

    with Image.open(io.BytesIO(data), formats=FORMATS) as image:
        width, height = image.size
        if width * height > budget:
            raise too_many_pixels(what, width * height, budget)
        frames = int(getattr(image, "n_frames", 1) or 1)
        if width * height * frames > budget:
            raise ImageError("image-too-large", f"{what} has {frames:,} frames of {width} x {height} pixels; "
                                                f"the limit is {budget:,} pixels in all")
        info = RasterInfo(str(image.format), width, height, frames)
        for frame in range(frames):
            image.seek(frame)
            image.load()  # decodes the frame; the previous one is released
    if info.format == "PNG":
        with Image.open(io.BytesIO(data), formats=("PNG",)) as image:
            image.verify()  # every chunk's CRC, up to IEND
    return info
