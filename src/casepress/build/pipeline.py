"""The pipeline, in the one place its order is written.

    load -> validate -> cite -> resolve -> the selected outputs -> write

The outputs (HTML, PDF, CARE checklist, JATS, DOCX, the submission zip) run in the order of
:data:`casepress.outputs.registry.OUTPUTS`, each a writer over the typed
:class:`~casepress.stages.work.CaseWork`; ``BuildOptions.outputs`` chooses them.

``check_case`` runs the checking stages only (nothing heavy is imported, nothing
is written); ``build_case`` gathers and checks everything before a byte is
written, then writes the case's output folder atomically. Each stage is a
function from one typed value to the next; a stage whose input failed does
not run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from casepress.core.diagnostics import Diagnostics, warning_code
from casepress.core.project import Project
from casepress.load.source import SourceDocument, load_yaml
from casepress.core.options import BuildOptions
from casepress.stages.checked import CheckedCase
from casepress.stages.work import BuiltCase, CaseWork
from casepress.check.validate import validate

__all__ = ["BuildOptions", "BuiltCase", "CheckedCase", "build_case", "case_entry", "check_case", "gather",
           "write_built"]

if TYPE_CHECKING:
    from casepress.build.manifest import CaseEntry
    from casepress.outputs.pdf import Layout


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


def gather(case_file: Path, project: Project, options: BuildOptions, diagnostics: Diagnostics,
           layout: Layout | None = None) -> BuiltCase | None:
    """Run every stage but the writing: check, resolve, and every selected output's writer (the
    PDFs laid out by ``layout``, default here: see :mod:`casepress.build.layout`)."""
    checked = check_case(case_file, project, diagnostics, options.journal)
    if checked is None:
        return None
    local = Diagnostics()
    built = _render_stages(checked, project, options, local, layout)
    merge_for_case(local, diagnostics, checked.doc)
    return built if not local.has_errors else None


def _render_stages(checked: CheckedCase, project: Project, options: BuildOptions, diagnostics: Diagnostics,
                   layout: Layout | None = None) -> BuiltCase | None:
    """Resolve the case, then run the selected outputs' writers in the registry's order."""
    from casepress.core.reproducible import build_time
    from casepress.journals.journal import load_journal
    from casepress.outputs import registry
    from casepress.resolve import resolve

    journal = load_journal(project, options.journal or checked.case.journal, diagnostics)
    if journal is None:
        return None
    resolved = resolve(checked, journal, diagnostics)
    if resolved is None:
        return None
    selected = registry.select(options.outputs, options.pdf)
    # Strip first: every output is made from the same stripped figures.
    figures = strip_figures(checked, diagnostics)
    if figures is None:
        return None
    work = CaseWork(resolved, options, frozenset(o.name for o in selected), figures, build_time(), layout=layout)
    for output in selected:
        if output.write is not None and not output.write(work, diagnostics):
            return None
    care = list(work.checklist.reports) if work.checklist is not None else []
    return BuiltCase(checked, work.texts, work.blobs, work.copies, care,
                     {**registry.case_files(checked.slug, selected), **work.named},
                     tuple(o.name for o in selected if o.scope == "case"))


def strip_figures(checked: CheckedCase, diagnostics: Diagnostics) -> dict[str, bytes] | None:
    """Every image of the case without identifying metadata (EXIF, XMP, text chunks, SVG metadata)
    and, for SVG, without scripts, event handlers and external references: case-relative
    POSIX path -> the bytes every output publishes.

    Each image is read through the one confinement rule; one that cannot be read or stripped
    is an error at its field (``check`` has refused those already, so this is a file changed
    meanwhile), and the result is None.
    """
    from casepress.core.confine import Refused
    from casepress.check.images import ImageError
    from casepress.check.images.check import published_copy, read_figure

    stripped: dict[str, bytes] = {}
    ok = True
    for i, figure in enumerate(checked.case.figures):
        fields = [((("figures", i, "file")), figure.file)]
        fields += [(("figures", i, "panels", j, "file"), p.file) for j, p in enumerate(figure.panels)]
        for path, name in fields:
            key = Path(name).as_posix() if name else ""
            if not name or key in stripped:
                continue
            try:
                stripped[key] = published_copy(read_figure(checked.case_dir, name), name)
            except (ImageError, Refused, FileNotFoundError) as exc:
                code = exc.code if isinstance(exc, ImageError) else "image-unreadable"
                diagnostics.error(code, f"cannot publish '{name}' without its metadata: {exc}",
                                  checked.doc.location(path), path)
                ok = False
    return stripped if ok else None


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
               digest: str | None = None, layout: Layout | None = None) -> BuiltCase | None:
    """Gather everything for one case, then write its output folder atomically.

    Returns what was built, or None on errors (or, under ``options.strict``, on
    warnings); nothing is written unless every stage succeeded, so the previous
    output stays untouched. With ``digest``, the case's manifest entry (with its
    warnings) is recorded with the swap, and the outputs an earlier build of the same
    inputs wrote that this one does not make are kept (:func:`carry_over`). ``layout`` lays out
    the PDFs (:func:`gather`).
    """
    import time

    local = Diagnostics()
    start = time.perf_counter()
    built = gather(case_file, project, options, local, layout)
    seconds = round(time.perf_counter() - start, 3)
    diagnostics.extend(local)
    if built is None or (options.strict and local.warnings):
        return None
    entry = None
    if digest is not None:
        from casepress.build.manifest import current_entry, portable_warnings

        previous = current_entry(options.output_root, built.checked.slug)
        built = carry_over(built, previous, digest, options.output_root / built.checked.slug)
        entry = case_entry(built, digest, options, portable_warnings(local, project.root), seconds)
    if write_built(built, options, diagnostics, entry) is None:
        return None
    return built


def carry_over(built: BuiltCase, previous: CaseEntry | None, digest: str, folder: Path) -> BuiltCase:
    """``built`` with the outputs of the previous build of the same inputs (``previous``, the
    manifest's entry for ``folder``) that this build does not make, copied from the folder.

    So ``build --outputs jats`` after ``build --outputs html`` adds the XML and keeps the
    article. Kept: an output whose files are all there and that depends on no output made
    now (the checklist is not kept beside a new PDF: its page numbers are the old PDF's); with
    the article (``html``), the files it links (assets, figures). Different inputs keep nothing.
    """
    from dataclasses import replace

    from casepress.outputs import registry

    if previous is None or previous.digest != digest or not folder.is_dir():
        return built
    slug, made = built.checked.slug, frozenset(built.outputs)
    old = {kind: path.removeprefix(f"{slug}/") for kind, path in previous.files.items() if path.startswith(f"{slug}/")}
    by_output: dict[str, dict[str, str]] = {}
    for kind, name in old.items():
        owner = registry.owner_of(kind)
        if owner is not None and owner.scope == "case":
            by_output.setdefault(owner.name, {})[kind] = name
    kept: dict[str, str] = {}
    for name, files in by_output.items():
        if name in made or registry.depends_on(registry.BY_NAME[name]) & made:
            continue
        if all((folder / f).is_file() and not (folder / f).is_symlink() for f in files.values()):
            kept.update(files)
    if not kept:
        return built
    written = {*built.texts, *built.blobs, *built.copies}
    names = set(kept.values())
    if "html" in kept:  # the article's assets and figures: every other file of the folder
        names |= {p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and not p.is_symlink()} - set(old.values())
    copies = {**built.copies, **{n: folder / n for n in sorted(names) if n not in written}}
    return replace(built, copies=copies, files={**kept, **built.files})


def case_entry(built: BuiltCase, digest: str, options: BuildOptions,
               warnings: list[dict[str, object]] | None = None, seconds: float | None = None) -> CaseEntry:
    """The collection manifest's record of a built case (``warnings`` as :func:`batch.portable_warnings`;
    ``seconds``, how long its stages took)."""
    from casepress.build.manifest import CaseEntry, inputs_record
    from casepress.text.prose import plain_text

    case, slug = built.checked.case, built.checked.slug
    files = {kind: f"{slug}/{name}" for kind, name in sorted(built.files.items())}
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
        seconds=seconds,
        inputs=inputs_record(built.checked.doc.path),
    )
