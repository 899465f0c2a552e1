"""One case's outputs while they are made (the writers' slots), what the writers return, and
everything a case's output folder holds before it is written."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from casepress.core.options import BuildOptions
    from casepress.stages.checked import CheckedCase
    from casepress.stages.checklist import CareChecklist, ItemReport
    from casepress.stages.resolved import ResolvedCase


@dataclass(frozen=True)
class RenderedHtml:
    """The article as HTML, with the files it needs beside it."""

    html: str
    """The document."""
    files: dict[str, Path]
    """Output-relative path -> source file to copy (figures, stylesheets, fonts)."""
    title: str
    """The title as plain text."""
    anchors: frozenset[str] = field(default_factory=frozenset)
    """Element ids of the prose fields and floats the templates printed."""


@dataclass(frozen=True)
class RenderedPdf:
    """The PDF and where each anchor of the HTML landed."""

    data: bytes
    """The PDF file."""
    anchor_pages: dict[str, int]
    """Element id -> 1-based page number it was laid out on."""
    page_count: int
    """Number of pages."""


@dataclass(frozen=True)
class Refusal:
    """A URL the fetcher refused."""

    url: str
    """The URL as WeasyPrint asked for it."""
    reason: str
    """Why it was refused."""


@dataclass(frozen=True)
class LaidOut:
    """What one layout found, as plain data (it crosses the pipe from a layout worker,
    :mod:`casepress.build.layout`): the PDF, and the findings
    :func:`casepress.outputs.pdf.report_layout` turns into diagnostics in the process that
    knows where the case defines each table."""

    pdf: RenderedPdf | None
    """The PDF, or None when even the one-column layout lost content."""
    lost: str | None = None
    """The first anchor the two-column layout lost (the PDF is then set in one column)."""
    lost_again: str | None = None
    """The first anchor the one-column layout lost too (then there is no PDF)."""
    overflows: tuple[tuple[str, float, float], ...] = ()
    """:func:`casepress.outputs.pdf.overflowing_tables`: (table id, its width, the room), in points."""
    refusals: tuple[Refusal, ...] = ()
    """URLs the fetcher refused while laying out."""
    messages: tuple[str, ...] = ()
    """WeasyPrint's warnings, as it logged them."""


Layout = Callable[[str, Mapping[str, Path | bytes], str | None], LaidOut]
"""Lays out (html, files, variant): :func:`casepress.outputs.pdf.lay_out` in this process, or a layout worker
(:class:`casepress.build.layout.LayoutWorker`), which raises :class:`casepress.outputs.pdf.LayoutFailed`."""


# --------------------------------------------------------------------------- building

@dataclass(frozen=True)
class BuiltCase:
    """Everything a case's output folder holds, gathered before anything is written."""

    checked: CheckedCase
    """The checked case."""
    texts: dict[str, str]
    """Output-relative path -> text file (index.html, care-checklist.html)."""
    blobs: dict[str, bytes]
    """Output-relative path -> binary file (the PDFs, and the figures stripped of metadata)."""
    copies: dict[str, Path]
    """Output-relative path -> source file copied as is (figures, assets)."""
    care: list[ItemReport]
    """The filled CARE checklist (empty when the checklist was not among the outputs)."""
    files: dict[str, str] = field(default_factory=dict)
    """Kind -> output-relative path of every output written (the manifest's ``files``, without
    the slug), e.g. ``{"html": "index.html", "pdf": "<slug>.pdf"}``."""
    outputs: tuple[str, ...] = ()
    """The outputs written, in the order they ran."""


@dataclass(frozen=True, slots=True)
class FigureFile:
    """One figure file of the submission package (and the image a Word manuscript embeds)."""

    name: str
    """Its name in the package, e.g. ``Figure-1A.png``."""
    role: str
    """``figure``, or ``figure-png`` for the PNG rendering of an SVG."""
    data: bytes
    """The bytes."""
    source: str
    """The case-relative image it comes from (a generated figure: its output-relative name,
    ``GeneratedImage.name``)."""


@dataclass
class CaseWork:
    """One case's outputs while they are made: the inputs every writer reads, and the slots
    the writers fill, in the registry's order (a writer reads only the slots of the outputs
    it depends on, which ran before it). Nothing here is written to disk until every writer
    has succeeded."""

    resolved: ResolvedCase
    """The resolved case."""
    options: BuildOptions
    """How to build."""
    selected: frozenset[str]
    """The outputs being made (dependencies included)."""
    figures: dict[str, bytes]
    """Case-relative image (POSIX) -> its published bytes, stripped of metadata."""
    when: datetime
    """The build time (``SOURCE_DATE_EPOCH`` when set)."""
    texts: dict[str, str] = field(default_factory=dict)
    """Output-relative path -> text file to write."""
    blobs: dict[str, bytes] = field(default_factory=dict)
    """Output-relative path -> binary file to write."""
    copies: dict[str, Path] = field(default_factory=dict)
    """Output-relative path -> source file to copy."""
    named: dict[str, str] = field(default_factory=dict)
    """Kind -> output-relative path of each file a writer names from the case (a generated
    figure: ``figure:fig-course`` -> ``figures/fig-course.svg``; see ``Output.named``),
    recorded in the manifest beside the registry's kinds."""
    html: RenderedHtml | None = None
    """The article's HTML (``html``)."""
    pdf: RenderedPdf | None = None
    """The article's PDF (``pdf``)."""
    checklist: CareChecklist | None = None
    """The filled CARE checklist (``checklist``)."""
    jats: bytes | None = None
    """The JATS XML as written in the folder (``jats``)."""
    docx: bytes | None = None
    """The Word manuscript (``docx``)."""
    package_figures: tuple[FigureFile, ...] | None = None
    """The figures named for submission (SVGs also as PNG), made once for ``docx`` and ``zip``."""
    layout: Layout | None = None
    """What lays out the PDFs (``pdf``, ``checklist``): the case's layout worker
    (:mod:`casepress.build.layout`), or None: this process."""

    @property
    def checked(self) -> CheckedCase:
        """The checked case."""
        return self.resolved.checked

    @property
    def published(self) -> dict[str, Path | bytes]:
        """What the output folder holds so far, output-relative path -> bytes or file (what a
        PDF layout may read: the figures as published, stripped)."""
        return {**self.copies, **self.blobs}
