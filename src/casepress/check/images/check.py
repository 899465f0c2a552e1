"""The figure-file check of ``casepress check`` (called by ``validate.check_files``).

Each image a figure or panel names is confined to the case folder (``confine``),
must be a regular file under :data:`~casepress.core.limits.MAX_IMAGE_BYTES`, and is read
as the build will show it (:func:`casepress.check.images.check_image`): every problem is an
error at the field that names the file, found by ``check`` rather than by a build.
A case naming more than :data:`~casepress.core.limits.MAX_FIGURES` images gets one error
and no image is read. Files are read one at a time; nothing decoded is kept. A file found
fit to show is remembered in the cache by its content (with its suffix, the pixel limit and
the checking code and libraries), so that a later ``check`` does not decode it again;
refusals are not remembered (rare, and some, like running out of memory, are of the moment).

:func:`figure_file` is the one way the build (stripping) and the de-identification
lint reach a figure's file; :func:`refused_before` tells the lint which files this
check already refused, so they are reported once, and :func:`shown_before` which it
found fit to show (a raster decoded whole), so the lint need not decode them again.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from casepress.core import limits
from casepress.core.confine import Refused, TooLarge, regular_file, resolve_inside
from casepress.core.diagnostics import Diagnostics, FieldPath, Location, did_you_mean
from casepress.check.images import ImageError, check_image

IMAGE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp")
"""Suffixes of the formats browsers and WeasyPrint both show."""

_VERDICTS: dict[tuple[str, int, int], str | None] = {}
"""Signature (real path, mtime, size) of each file this process's checks read -> why it was
refused, or None when it can be shown."""


def figure_file(case_dir: Path, name: str) -> Path:
    """The confined real path of the figure file ``name``: a regular file under the size limit.

    Raises :class:`~casepress.core.confine.Refused` (:class:`~casepress.core.confine.TooLarge` for
    the size) or FileNotFoundError; never anything else.
    """
    path = resolve_inside(name, case_dir)
    try:
        regular_file(path, name, limits.MAX_IMAGE_BYTES)
    except (FileNotFoundError, Refused):
        raise
    except (OSError, ValueError) as exc:  # a name the OS refuses (too long a component, ...)
        raise Refused(f"'{name}' cannot be read: {exc}") from None
    return path


def read_figure(case_dir: Path, name: str) -> bytes:
    """The bytes of a confined figure file; ImageError or Refused (never a raw OSError)."""
    path = figure_file(case_dir, name)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ImageError("image-unreadable", f"'{name}' cannot be read: {exc.strerror or exc}") from None


def _signature(path: Path) -> tuple[str, int, int] | None:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return (str(path), info.st_mtime_ns, info.st_size)


def refused_before(path: Path) -> bool:
    """True when this process's image check refused ``path`` as it is now."""
    signature = _signature(path)
    return signature is not None and _VERDICTS.get(signature) is not None


def shown_before(path: Path) -> bool:
    """True when this process's image check found ``path``, as it is now, fit to be shown
    (for a raster: decoded whole)."""
    signature = _signature(path)
    return signature is not None and signature in _VERDICTS and _VERDICTS[signature] is None


def _remember(path: Path, reason: str | None) -> None:
    signature = _signature(path)
    if signature is None:
        return
    if len(_VERDICTS) > 4 * limits.MAX_FIGURES:
        _VERDICTS.clear()  # a long-running preview: forget old files
    _VERDICTS[signature] = reason


def check_image_files(
    images: Sequence[tuple[str, FieldPath]], case_dir: Path, at: Callable[[FieldPath], Location],
    diagnostics: Diagnostics,
) -> None:
    """Check every figure and panel file (see the module docstring)."""
    if len(images) > limits.MAX_FIGURES:
        path = images[limits.MAX_FIGURES][1]
        diagnostics.error(
            "too-many-figures", f"the case names {len(images):,} figure and panel images; the limit is "
            f"{limits.MAX_FIGURES:,}", at(path), path, "split the case, or combine images into panels of one file",
        )
        return
    seen: dict[Path, ImageError | None] = {}
    for name, path in images:
        _check_one(name, path, case_dir, at, diagnostics, seen)


def _check_one(
    name: str, path: FieldPath, case_dir: Path, at: Callable[[FieldPath], Location], diagnostics: Diagnostics,
    seen: dict[Path, ImageError | None],
) -> None:
    try:
        resolved = figure_file(case_dir, name)
    except TooLarge as refusal:
        diagnostics.error("image-too-large", str(refusal), at(path), path)
        return
    except Refused as refusal:
        diagnostics.error("unsafe-path", str(refusal), at(path), path)
        return
    except FileNotFoundError:
        diagnostics.error("missing-file", f"image file '{name}' does not exist", at(path), path,
                          did_you_mean(Path(name).name, _siblings(case_dir, name)))
        return
    if resolved.suffix.lower() not in IMAGE_SUFFIXES:
        diagnostics.error("unsupported-image", f"'{name}' is not an SVG, PNG, JPEG, GIF or WebP image", at(path), path)
        return
    if resolved not in seen:
        seen[resolved] = _verdict(resolved, name)
    problem = seen[resolved]
    if problem is not None:
        diagnostics.error(problem.code, problem.reason, at(path), path, _HINTS.get(problem.code))


_HINTS = {
    "image-unreadable": "open the file in an image editor and save it again, or replace it",
    "image-too-large": f"scale the image down (at most {limits.MAX_IMAGE_PIXELS:,} pixels); a figure rarely needs more than 3000 x 3000",
    "image-unsafe": "save the drawing again as plain SVG (Inkscape: Save As > Plain SVG) without a DOCTYPE",
}


def _verdict(resolved: Path, name: str) -> ImageError | None:
    """Read and check one file; the error, or None when it can be shown. Nothing is kept."""
    try:
        data = resolved.read_bytes()
    except OSError as exc:
        problem: ImageError | None = ImageError("image-unreadable", f"'{name}' cannot be read: {exc.strerror or exc}")
    else:
        problem = _check_once(data, name)
        del data
    _remember(resolved, problem.reason if problem else None)
    return problem


def _check_once(data: bytes, name: str) -> ImageError | None:
    """check_image's verdict on ``data``, the file ``name``: decoded once, then remembered (see the module)."""
    from casepress.core.cache import JsonCache, digest

    key = digest("image-check-v1", engine(), Path(name).suffix.lower(), limits.MAX_IMAGE_PIXELS, data)
    shown = JsonCache.named("image-check")
    if shown.get(key) is True:
        return None
    try:
        check_image(data, name)
    except ImageError as exc:
        return exc
    shown.put(key, True)
    return None


def published_copy(data: bytes, name: str) -> bytes:
    """:func:`~casepress.check.images.strip_bytes` of ``data``, the file ``name``: the copy every
    output publishes, an SVG's remembered in the cache by its content.

    An SVG is parsed, sanitized and written again (with lxml, whose import alone is ~3% of a
    cold HTML build) at every build; its published form depends only on its bytes, the pixel
    limit its embedded images share and this package's code and libraries (:func:`engine`), so
    an unchanged drawing is read back. Refusals raise as before and are not remembered. A
    raster is stripped by copying its chunks: cheaper than reading a copy back."""
    from casepress.check.images import looks_like_svg, strip_bytes
    from casepress.check.images.raster import raster_format
    from casepress.core.cache import JsonCache, digest

    if raster_format(data) is not None or not looks_like_svg(data):
        return strip_bytes(data, name)
    key = digest("svg-published-v1", engine(), limits.MAX_IMAGE_PIXELS, data)
    published = JsonCache.named("svg-published")
    kept = published.get_bytes(key, ".svg")
    if kept is not None:
        return kept
    sanitized = strip_bytes(data, name)
    published.put_bytes(key, sanitized, ".svg")
    return sanitized


def engine() -> str:
    """What shapes a verdict besides the file: this package's code, Pillow's and lxml's versions."""
    from casepress.core.cache import code_digest

    return code_digest("casepress.check.images", libraries=("PIL", "lxml"))


def _siblings(case_dir: Path, name: str) -> list[str]:
    """Names in the folder a missing file was looked for in (for 'did you mean')."""
    try:
        folder = resolve_inside(os.path.dirname(name) or ".", case_dir)
        return [entry.name for _, entry in zip(range(1000), os.scandir(folder))]
    except (Refused, OSError, ValueError):
        return []
