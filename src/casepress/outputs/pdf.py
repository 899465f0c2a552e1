"""Stage 6, PDF: the rendered HTML through WeasyPrint, with a locked-down URL fetcher.

WeasyPrint's default fetcher reaches the network and any file on disk. Ours only
serves the files the build itself writes into the output folder (the case's
figures as published, stripped of their metadata, and the templates' assets), as
the build made them; anything else, an http(s) or file:// URL or a
path that escapes, is refused with a diagnostic and never fetched.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import urlopen

from casepress.core.diagnostics import Diagnostic, Diagnostics, Location, Severity, display_path, warning_code
from casepress.stages.checked import CheckedCase
from casepress.stages.work import LaidOut, Layout, Refusal, RenderedHtml, RenderedPdf
from casepress.journals.stylesheets import BASE_URL, check_stylesheets, classify, html_references, refused


def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class CaseFetcher(URLFetcher):
        """Serves only the build's own files; refuses and records everything else."""

        def __init__(self, files: Files) -> None:
            super().__init__(allowed_protocols=())
            self.files = files
            self.refused: list[Refusal] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme == "data":
                # Inline data never leaves the process; urllib decodes it without any I/O.
                with urlopen(url) as response:
                    return URLFetcherResponse(url, response.read(), {"Content-Type": response.headers.get_content_type()})
            if url.startswith(BASE_URL):
                name = unquote(parts.path.removeprefix(urlsplit(BASE_URL).path))
                source = self.files.get(name)
                if source is not None:
                    return URLFetcherResponse(url, read_source(source), _headers(name))
                self.refused.append(Refusal(url, f"'{name}' is not a file of the case or its templates"))
            elif parts.scheme in ("http", "https"):
                self.refused.append(Refusal(url, "network access is disabled; put the file in the case folder"))
            elif parts.scheme == "file":
                self.refused.append(Refusal(url, "file:// URLs are not allowed; use a path relative to the case folder"))
            else:
                self.refused.append(Refusal(url, f"'{parts.scheme}:' URLs are not allowed"))
            raise ValueError(f"casepress refused to fetch {url}")

    return CaseFetcher


Files = Mapping[str, Path | bytes]
"""Output-relative path -> what the layout may read: a file, or bytes made by the build
(the figures stripped of their metadata, exactly as the output folder will hold them)."""


def read_source(source: Path | bytes) -> bytes:
    """The bytes of one entry of :data:`Files`."""
    return source if isinstance(source, bytes) else source.read_bytes()


_CONTENT_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
                  ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp", ".ttf": "font/ttf",
                  ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}
"""The content type the fetcher gives each kind of file it serves, by suffix."""


def _headers(name: str) -> dict[str, str]:
    return {"Content-Type": _CONTENT_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")}


class _LogCollector(logging.Handler):
    """Collects WeasyPrint's warnings (CSS errors, missing resources) as they happen."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def source_date() -> str | None:
    """The build date from SOURCE_DATE_EPOCH (reproducible builds), as an ISO 8601 timestamp."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return None
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def preflight(html: str, files: Files, origin: Location, diagnostics: Diagnostics) -> bool:
    """Refuse, before any rendering, every URL the document or its stylesheets would fetch from
    outside the build (see :mod:`casepress.journals.stylesheets`): an error at the stylesheet's line and
    column, or at the case for the document itself (``casepress check`` has already located
    the templates' own URLs)."""
    ok = check_stylesheets(files, diagnostics)
    for ref in html_references(html):
        why = classify(ref.url, BASE_URL, files)
        if why:
            refused(ref, why, origin, diagnostics)
            ok = False
    return ok


ONE_COLUMN = "@media print { .article-text { columns: auto !important; column-count: auto !important } }"
"""Fallback stylesheet when the two-column layout lost content."""

_ANCHOR = re.compile(r'\sid="((?:f-|fig-|tbl-|end-of-article)[^"]*)"')


def _lost_anchors(html: str, document: Any) -> list[str]:
    """Ids of prose fields, figures, tables and the end mark that no page laid out, in document order."""
    laid_out = {name for page in document.pages for name in page.anchors}
    return [name for name in _ANCHOR.findall(html) if name not in laid_out]


def overflowing_tables(document: Any) -> list[tuple[str, float, float]]:
    """Tables the PDF sets wider than the column (or page) that holds them, first fragment only:
    ``(id, table width, room)`` in points (WeasyPrint's boxes measure CSS pixels, 0.75 pt), the
    id being the table's or its nearest ancestor's."""
    found: dict[str, tuple[str, float, float]] = {}

    def walk(box: Any, parent: Any, ident: str) -> None:
        element = getattr(box, "element", None)
        own = element.get("id") if element is not None and box.element_tag in ("figure", "table") else None
        ident = own or ident
        if getattr(box, "is_table_wrapper", False) and parent is not None:
            room = parent.width
            # A point or two is the last cell's right padding in the column gap, not text in the next column.
            if box.margin_width() > room + 3 and ident and ident not in found:
                found[ident] = (ident, box.margin_width() * 0.75, room * 0.75)
            return
        for child in getattr(box, "children", None) or ():
            walk(child, box, ident)

    for page in document.pages:
        walk(page._page_box, None, "")
    return list(found.values())


@contextmanager
def sparing_collector() -> Iterator[None]:
    """Keep the objects that exist before a layout (the modules, the case, the HTML) out of the
    garbage collector's passes during it.

    WeasyPrint allocates boxes by the hundred thousand, so the collector runs often, and each
    full pass also walked every object casepress and its libraries hold: the reference case's
    build spent about 0.3 s collecting during the layout, about 0.17 s frozen. The objects are
    handed back to the collector afterwards, so a batch worker still frees a finished case. A
    caller that froze objects itself keeps its own freeze.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


warning_code("layout-overflow", "a table is wider than the column of the PDF that holds it (its text runs into the next)")
warning_code("layout-lost-content", "WeasyPrint's two-column layout lost content; the PDF is set in one column")
warning_code("weasyprint", "WeasyPrint's own warning (CSS it ignored, a resource it could not load)",
             "{n} warnings from WeasyPrint")


class LayoutFailed(Exception):
    """A layout worker gave no result: it died (``diagnostic`` None: a ``pdf-failed`` error at
    the case), or the layout raised in it (``diagnostic``: the ``internal`` error it made)."""

    def __init__(self, message: str, diagnostic: Diagnostic | None = None) -> None:
        super().__init__(message)
        self.diagnostic = diagnostic
        """The worker's own diagnostic of an exception, when it could send one."""


def html_to_pdf(html: str, files: Files, variant: str | None, origin: Location,
                diagnostics: Diagnostics, locate: Callable[[str], Location] | None = None,
                layout: Layout | None = None) -> RenderedPdf | None:
    """Lay out ``html`` (its relative URLs served from ``files`` only) and write the PDF.

    Problems are reported at ``origin`` (the case file): refused URLs are errors (and
    no PDF), WeasyPrint's own warnings (CSS it ignored, say) are warnings; a table wider than its
    column is a warning at ``locate(id)`` when given. ``layout`` lays it out (default:
    :func:`lay_out`, here); whatever does, the checks before and the report after run here.
    """
    if not preflight(html, files, origin, diagnostics):
        return None  # nothing was fetched
    try:
        laid = (layout or lay_out)(html, files, variant)
    except LayoutFailed as failed:
        diagnostics.add(failed.diagnostic or Diagnostic(Severity.ERROR, "pdf-failed", str(failed), origin))
        return None
    return report_layout(laid, origin, diagnostics, locate)


def lay_out(html: str, files: Files, variant: str | None) -> LaidOut:
    """Lay out ``html`` (its relative URLs served from ``files`` only) and write the PDF, with the
    garbage collector spared; what went wrong is returned as data (see :func:`report_layout`)."""
    fetcher = _fetcher_class()(files)
    logger = logging.getLogger("weasyprint")
    collector = _LogCollector()
    logger.addHandler(collector)
    try:
        with sparing_collector():
            document, lost, lost_again = _lay_out(html, fetcher, _font_configuration(files))
            if document is None:
                return LaidOut(None, lost, lost_again)
            overflows = tuple(overflowing_tables(document))
            pdf = _write(document, variant)
    finally:
        logger.removeHandler(collector)
    # Page numbers of laid-out anchors, straight from WeasyPrint's pages (used by the CARE checklist).
    # An element split across pages carries its id on every fragment: its page is the first.
    anchor_pages: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            anchor_pages.setdefault(name, index + 1)
    return LaidOut(RenderedPdf(pdf, anchor_pages, len(document.pages)), lost, None, overflows,
                   tuple(fetcher.refused), tuple(record.getMessage() for record in collector.records))


def report_layout(laid: LaidOut, origin: Location, diagnostics: Diagnostics,
                  locate: Callable[[str], Location] | None = None) -> RenderedPdf | None:
    """Report what a layout found, in the order it found it, at ``origin`` (a table too wide for
    its column at ``locate(id)``); the PDF, or None when it must not be shipped."""
    if laid.lost:
        # WeasyPrint's multi-column layout can silently drop the rest of a column container
        # (seen with column-span: all, WeasyPrint 70 layout/column.py). Never ship a PDF with
        # missing text: it was laid out again in one column; say so.
        diagnostics.warning("layout-lost-content", f"WeasyPrint's two-column layout lost content "
                            f"(from #{laid.lost}); the PDF is set in one column instead", origin)
    if laid.lost_again:
        diagnostics.error("layout-lost-content", f"the PDF layout lost content from #{laid.lost_again} on", origin)
        return None
    for ident, width, room in laid.overflows:
        diagnostics.warning(
            "layout-overflow", f"table '{ident}' is {width:.0f} pt wide in the PDF, in a column of "
            f"{room:.0f} pt: its text runs into the next column", locate(ident) if locate else origin,
            hint="set `width: page` on the table, or give it fewer or narrower columns")
    if not _report_log(laid.messages, laid.refusals, origin, diagnostics):
        return None
    return laid.pdf


def _lay_out(html: str, fetcher: Any, fonts: Any) -> tuple[Any, str | None, str | None]:
    """WeasyPrint's document of ``html``, in one column when the two-column layout lost
    content (the first anchor it lost); None when even that lost some (and the first it lost)."""
    import weasyprint

    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(font_config=fonts)
    lost = _lost_anchors(html, document)
    if not lost:
        return document, None, None
    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
        stylesheets=[weasyprint.CSS(string=ONE_COLUMN)], font_config=fonts)
    again = _lost_anchors(html, document)
    return (None if again else document), lost[0], (again[0] if again else None)


_FONT_SUFFIXES = tuple(suffix for suffix, kind in _CONTENT_TYPES.items() if kind.startswith("font/"))
"""The suffixes of the font files a layout may be served."""

_fonts: tuple[tuple[Any, ...], Any] | None = None
"""The last font configuration made, with the font files it was made for (see below)."""


def _font_configuration(files: Files) -> Any:
    """One WeasyPrint font configuration for every document laid out from the same font files:
    the article and its checklist, or a batch's cases of one journal.

    Each configuration sets up Fontconfig and registers every ``@font-face`` font again (the
    checklist's layout took 0.27 s with the article's configuration, 0.41 s with its own). A
    configuration knows a font by its rule (family, style and URL), not by the file's bytes, so
    sharing it between documents whose same URL serves another file would print the wrong font:
    it is shared only while the font files served (their names, and the files' paths, sizes and
    times, or the bytes) are the same."""
    global _fonts
    from weasyprint.text.fonts import FontConfiguration

    key = tuple(sorted((name, _identity(source)) for name, source in files.items()
                       if name.lower().endswith(_FONT_SUFFIXES)))
    if _fonts is None or _fonts[0] != key:
        _fonts = (key, FontConfiguration())
    return _fonts[1]


def _identity(source: Path | bytes) -> Any:
    """What tells one served file from another: its bytes, or its path, size and time."""
    if isinstance(source, bytes):
        return source
    try:
        found = source.stat()
    except OSError:
        return str(source)
    return (str(source), found.st_size, found.st_mtime_ns)


def _write(document: Any, variant: str | None) -> bytes:
    """The PDF file of a laid-out ``document``, in the PDF ``variant`` when given."""
    # The modification date is the only varying input: fix it from SOURCE_DATE_EPOCH when
    # set, so that two builds of the same sources give byte-identical PDFs.
    stamp = source_date()
    if stamp:
        document.metadata.modified = stamp
        document.metadata.created = document.metadata.created or stamp
    options: dict[str, Any] = {"uncompressed_pdf": False}
    if variant:
        options["pdf_variant"] = variant
    data: bytes = document.write_pdf(**options)
    return data


def _report_log(messages: Sequence[str], refusals: Sequence[Refusal], origin: Location,
                diagnostics: Diagnostics) -> bool:
    """Report the refused URLs (errors) and WeasyPrint's own warnings; False when the PDF
    must not be shipped (a refused URL, an image it could not show)."""
    for refusal in refusals:
        diagnostics.error("fetch-refused", f"refused to fetch {refusal.url}: {refusal.reason}", origin)
    lost_image = False
    for message in messages:
        if "casepress refused to fetch" in message:
            continue
        if message.startswith("Failed to load image at"):
            # A figure missing from the PDF is an error, never a PDF without it.
            lost_image = True
            diagnostics.error("image-unreadable", f"WeasyPrint could not show an image in the PDF: "
                              f"{message.removeprefix('Failed to load image at ')}", origin,
                              hint="check that the image opens in a browser; save it again if not")
        else:
            diagnostics.warning("weasyprint", f"WeasyPrint: {message}", origin)
    return not (refusals or lost_image)


def render_pdf(checked: CheckedCase, rendered: RenderedHtml, variant: str | None, diagnostics: Diagnostics,
               files: Files, layout: Layout | None = None) -> RenderedPdf | None:
    """The article's PDF, laid out from ``files`` (the output folder's, figures stripped) by
    ``layout`` (:func:`html_to_pdf`), or None (with diagnostics) when a resource was refused."""
    origin = Location(display_path(checked.doc.path))
    return html_to_pdf(rendered.html, files, variant, origin, diagnostics, lambda ident: _table_location(checked, ident),
                       layout)


def _table_location(checked: CheckedCase, ident: str) -> Location:
    """Where the case defines the table ``ident``: its ``tables[]`` entry, or the field whose
    anchor it is (the interventions table), else the case file."""
    from casepress.resolve.layout import field_anchor

    for i, table in enumerate(checked.case.tables):
        if table.id == ident:
            return checked.doc.location(("tables", i, "id"))
    interventions = ("therapeutic_intervention", "interventions")
    if ident == field_anchor(interventions):
        return checked.doc.location(interventions, key=True)
    return Location(display_path(checked.doc.path))
