"""The pipeline, in the one place its order is written.

    load -> validate -> cite -> resolve -> HTML -> PDF -> CARE checklist -> write

``check_case`` runs the checking stages only (nothing heavy is imported, nothing
is written); ``build_case`` gathers and checks everything before a byte is
written, then writes the case's output folder atomically. Each stage is a
function from one typed value to the next; a stage whose input failed does
not run.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from casepress.core.diagnostics import Diagnostics, warning_code
from casepress.core.project import Project
from casepress.load.source import SourceDocument, load_yaml
from casepress.stages import BuildOptions, BuiltCase, CheckedCase
from casepress.check.validate import validate

__all__ = ["BuildOptions", "BuiltCase", "CheckedCase", "build_case", "case_entry", "check_case", "gather",
           "write_built"]

if TYPE_CHECKING:
    from casepress.build.batch import CaseEntry
    from casepress.stages import CareChecklist, RenderedHtml, RenderedPdf, ResolvedCase


def check_case(case_file: Path, project: Project, diagnostics: Diagnostics,
               journal: str | None = None) -> CheckedCase | None:
    """Load, validate, resolve citations and check the journal's templates, stylesheets and
    citation style (``journal`` instead of the case's own, as ``build --journal`` does);
    None when any error was found. Everything the build checks but the layout."""
    from casepress.cite import library as cite
    from casepress.journals.template_check import check_templates

    local = Diagnostics()
    doc = load_yaml(case_file, local)
    checked: CheckedCase | None = None
    if doc is not None:
        case = validate(doc, project, local)
        if case is not None:
            check_templates(doc, case, project, journal or case.journal, local)
            library = cite.resolve(case, doc, local, project.root)
            if library is not None and not local.has_errors:
                checked = CheckedCase(doc, case, library)
    merge_for_case(local, diagnostics, doc)
    return checked if not local.has_errors else None


warning_code("unknown-check", "`checks.disable` names a code that is no warning", "{n} codes in checks.disable are no warnings")


def merge_for_case(local: Diagnostics, into: Diagnostics, doc: SourceDocument | None) -> None:
    """Add a case's diagnostics to the run's, dropping the warnings the case switched off."""
    from casepress.core.diagnostics import (
        Severity, did_you_mean, disableable_codes, disabled_codes, suppressed, unknown_checks)

    disabled = disabled_codes(doc.data if doc is not None else None)
    for item in local:
        if item.severity is Severity.WARNING and suppressed(item.code, disabled):
            continue
        into.add(item)
    for code in unknown_checks(disabled):
        path = ("checks", "disable", code)
        assert doc is not None
        into.warning("unknown-check", f"'{code}' is not a warning that can be disabled",
                     doc.location(path, key=True), path, did_you_mean(code, disableable_codes()))


def gather(case_file: Path, project: Project, options: BuildOptions, diagnostics: Diagnostics) -> BuiltCase | None:
    """Run every stage but the writing: check, resolve, print the HTML, lay out the PDF, fill the checklist."""
    checked = check_case(case_file, project, diagnostics, options.journal)
    if checked is None:
        return None
    local = Diagnostics()
    built = _render_stages(checked, project, options, local)
    merge_for_case(local, diagnostics, checked.doc)
    return built if not local.has_errors else None


def _render_stages(checked: CheckedCase, project: Project, options: BuildOptions, diagnostics: Diagnostics) -> BuiltCase | None:
    from casepress.journals.journal import load_journal
    from casepress.outputs.html import render_html
    from casepress.resolve import resolve

    journal = load_journal(project, options.journal or checked.case.journal, diagnostics)
    if journal is None:
        return None
    resolved = resolve(checked, journal, diagnostics)
    if resolved is None:
        return None
    rendered = render_html(resolved, diagnostics, options.page_size)
    if rendered is None:
        return None
    # Strip first: the HTML output and both PDFs are made from the same stripped figures.
    copies = dict(rendered.files)
    blobs: dict[str, bytes] = {}
    if not strip_figures(checked, copies, blobs, diagnostics):
        return None
    # Output-relative path -> what the output folder will hold: all the PDF layout may read.
    published: dict[str, Path | bytes] = {**copies, **blobs}
    texts = {"index.html": rendered.html}
    pdf = None
    if options.pdf:
        from casepress.outputs.pdf import render_pdf

        pdf = render_pdf(checked, rendered, options.pdf_variant, diagnostics, published)
        if pdf is None:
            return None
        blobs[f"{checked.slug}.pdf"] = pdf.data
    checklist = care_checklist(resolved, rendered, pdf, options, diagnostics, published)
    if checklist is None:
        return None
    texts["care-checklist.html"] = checklist.html
    if checklist.pdf is not None:
        blobs["care-checklist.pdf"] = checklist.pdf
    return BuiltCase(checked, texts, blobs, copies, list(checklist.reports))


def strip_figures(checked: CheckedCase, copies: dict[str, Path], blobs: dict[str, bytes], diagnostics: Diagnostics) -> bool:
    """Publish the case's images without identifying metadata (EXIF, XMP, text chunks, SVG metadata)
    and, for SVG, without scripts, event handlers and external references.

    Moves each figure from ``copies`` to ``blobs`` as stripped bytes, read through the
    one confinement rule; an image that cannot be read or stripped is an error at its
    field (``check`` has refused those already, so this is a file changed meanwhile).
    """
    from casepress.core.confine import Refused
    from casepress.check.images import ImageError, strip_bytes
    from casepress.check.images.check import read_figure

    ok = True
    for i, figure in enumerate(checked.case.figures):
        fields = [((("figures", i, "file")), figure.file)]
        fields += [(("figures", i, "panels", j, "file"), p.file) for j, p in enumerate(figure.panels)]
        for path, name in fields:
            key = Path(name).as_posix() if name else ""
            if key not in copies:
                continue
            del copies[key]
            try:
                blobs[key] = strip_bytes(read_figure(checked.case_dir, name), name)
            except (ImageError, Refused, FileNotFoundError) as exc:
                code = exc.code if isinstance(exc, ImageError) else "image-unreadable"
                diagnostics.error(code, f"cannot publish '{name}' without its metadata: {exc}",
                                  checked.doc.location(path), path)
                ok = False
    return ok


def write_built(built: BuiltCase, options: BuildOptions, diagnostics: Diagnostics,
                entry: CaseEntry | None = None) -> Path | None:
    """Write a gathered case's output folder atomically (with its manifest ``entry``, recorded in
    the same step); returns it, or None on failure."""
    from dataclasses import asdict

    from casepress.core.diagnostics import Location, display_path
    from casepress.build.output import write_folder

    target = options.output_root / built.checked.slug
    try:
        write_folder(target, built.texts, built.blobs, built.copies, asdict(entry) if entry else None)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        diagnostics.error("write-failed", f"could not write {display_path(target)}/: {reason}",
                          Location(display_path(built.checked.doc.path)))
        return None
    return target


def build_case(case_file: Path, project: Project, options: BuildOptions, diagnostics: Diagnostics,
               digest: str | None = None) -> BuiltCase | None:
    """Gather everything for one case, then write its output folder atomically.

    Returns what was built, or None on errors (or, under ``options.strict``, on
    warnings); nothing is written unless every stage succeeded, so the previous
    output stays untouched. With ``digest``, the case's manifest entry (with its
    warnings) is recorded with the swap.
    """
    local = Diagnostics()
    built = gather(case_file, project, options, local)
    diagnostics.extend(local)
    if built is None or (options.strict and local.warnings):
        return None
    entry = None
    if digest is not None:
        from casepress.build.batch import portable_warnings

        entry = case_entry(built, digest, options, portable_warnings(local, project.root))
    if write_built(built, options, diagnostics, entry) is None:
        return None
    return built


def case_entry(built: BuiltCase, digest: str, options: BuildOptions,
               warnings: list[dict[str, object]] | None = None) -> CaseEntry:
    """The collection manifest's record of a built case (``warnings`` as :func:`batch.portable_warnings`)."""
    from casepress.build.batch import CaseEntry
    from casepress.text.prose import plain_text

    case, slug = built.checked.case, built.checked.slug
    files = {"html": f"{slug}/index.html", "checklist": f"{slug}/care-checklist.html"}
    if options.pdf:
        files["pdf"] = f"{slug}/{slug}.pdf"
        files["checklist_pdf"] = f"{slug}/care-checklist.pdf"
    keywords = case.keywords if isinstance(case.keywords, list) else []
    return CaseEntry(
        slug=slug,
        digest=digest,
        title=plain_text(case.title),
        authors=[a.full_name for a in case.authors],
        published=case.dates.published.isoformat() if case.dates.published else None,
        keywords=[plain_text(k) for k in keywords],
        journal=options.journal or case.journal,
        files=files,
        warnings=list(warnings or []),
    )


def care_checklist(
    resolved: ResolvedCase, rendered: RenderedHtml, pdf: RenderedPdf | None, options: BuildOptions,
    diagnostics: Diagnostics, published: Mapping[str, Path | bytes],
) -> CareChecklist | None:
    """The filled CARE checklist (HTML, and PDF when the article has one), located from the
    resolved case, what the article printed and the PDF's pages.

    Its PDF is laid out from ``published`` (the output folder's files, figures stripped)."""
    from casepress.outputs import checklist as care_report
    from casepress.core.diagnostics import Location, display_path
    from casepress.outputs.html import environment_for, template_context
    from casepress.stages import CareChecklist

    checked = resolved.checked
    reports = care_report.locate(resolved, rendered.anchors, pdf.anchor_pages if pdf else None)
    environment = environment_for(resolved.journal, checked.case_dir)
    context = template_context(resolved, options.page_size)
    html = care_report.render_checklist_html(environment, checked.case, reports, context, diagnostics)
    if html is None:
        return None
    checklist_pdf = None
    if pdf is not None:
        from casepress.outputs.pdf import html_to_pdf

        origin = Location(display_path(checked.doc.path))
        printable = care_report.render_checklist_html(environment, checked.case, reports, context, diagnostics,
                                                      article=None)
        if printable is None:
            return None
        checklist_pdf = html_to_pdf(printable, published, options.pdf_variant, origin, diagnostics)
        if checklist_pdf is None:
            return None
    return CareChecklist(tuple(reports), html, checklist_pdf.data if checklist_pdf else None)
