"""Every figure and panel image as a file of its own, named as submission systems expect.

A figure with one image is ``Figure-1.<ext>``; a panel (or run of panels) with its own image
is ``Figure-1A.<ext>`` (``Figure-1A-C.<ext>``); a figure casepress draws (``generate:``) is
``Figure-5.svg``. Each keeps its original format and resolution; an SVG is also given as
``Figure-1.png`` at 300 dpi. The bytes are the published ones, stripped of metadata (the
pipeline's stripped figures, or :func:`stripped_from_case`, which calls the one stripping
function by name), or the generated SVG as the folder holds it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol

from casepress.model import Figure
from casepress.outputs.submission.raster import svg_to_png
from casepress.stages.work import FigureFile

__all__ = ["FigureFile", "Reader", "figure_files", "figure_stem", "package_figures", "stripped_from_case"]

if TYPE_CHECKING:
    from casepress.core.diagnostics import Diagnostics
    from casepress.stages.work import CaseWork

Reader = Callable[[str], bytes]
"""Case-relative image name -> its published (stripped) bytes."""


class NumberedFigure(Protocol):
    """A figure with its number (the resolve stage's ``ResolvedFigure`` has this shape; its
    ``image``, the SVG casepress drew for a generated figure, is read when it has one)."""

    figure: Figure
    number: int


def figure_stem(number: int, panel_label: str | None = None) -> str:
    """``Figure-1``, ``Figure-1A``, ``Figure-1A-C``."""
    return f"Figure-{number}{panel_label or ''}"


def _images(numbered: NumberedFigure, read: Reader) -> Iterable[tuple[str | None, str, bytes]]:
    """(panel label or None, source name, bytes) of each image: the case's files, or the
    generated SVG (its source: the output-relative name the folder holds it under)."""
    figure = numbered.figure
    if figure.file:
        yield None, figure.file, read(figure.file)
    for panel in figure.panels:
        if panel.file:
            yield panel.label, panel.file, read(panel.file)
    image = getattr(numbered, "image", None)
    if image is not None:
        yield None, image.name, image.data


def figure_files(figures: Sequence[NumberedFigure], read: Reader, dpi: int = 300) -> list[FigureFile]:
    """The files of every figure, in number order (a generated figure's SVG and its PNG as a
    figure file's); raises ValueError for an SVG that cannot be drawn."""
    out: list[FigureFile] = []
    for numbered in sorted(figures, key=lambda f: f.number):
        for label, source, data in _images(numbered, read):
            stem = figure_stem(numbered.number, label)
            suffix = PurePosixPath(source).suffix.lower()
            out.append(FigureFile(stem + suffix, "figure", data, source))
            if suffix == ".svg":
                out.append(FigureFile(stem + ".png", "figure-png", svg_to_png(data, dpi), source))
    return out


def stripped_from_case(case_dir: Path) -> Reader:
    """A :data:`Reader` that strips each image of the case as it is read (through the case's
    path confinement), for use outside a build."""
    from casepress.core.confine import confined_file
    from casepress.check.deid import strip_metadata
    from casepress.core.limits import MAX_IMAGE_BYTES

    def read(name: str) -> bytes:
        return strip_metadata(confined_file(name, case_dir, MAX_IMAGE_BYTES))

    return read


def package_figures(work: CaseWork, diagnostics: Diagnostics) -> tuple[FigureFile, ...] | None:
    """The build's figure files (made once, for the manuscript and the package), from the
    stripped bytes the build publishes; None, with an error at the figure's file, for an SVG
    that cannot be drawn."""
    if work.package_figures is not None:
        return work.package_figures
    files: list[FigureFile] = []
    for numbered in work.resolved.figures:
        try:
            files += figure_files([numbered], lambda name: work.figures[PurePosixPath(name).as_posix()])
        except ValueError as exc:
            path = (*numbered.path, "generate" if numbered.image is not None else "file")
            diagnostics.error("image-unreadable", f"cannot draw '{numbered.id}' as PNG for the submission: {exc}",
                              work.checked.doc.location(path), path)
            return None
    work.package_figures = tuple(files)
    return work.package_figures
