"""The published collection: ``output/index.html`` listing every built case, from the manifest."""

from __future__ import annotations

from pathlib import Path

from casepress import __version__
from casepress.build.manifest import Manifest
from casepress.core.diagnostics import Diagnostics
from casepress.core.project import Project
from casepress.journals.template_files import COLLECTION_TEMPLATE, Chain

INDEX_TEMPLATE = COLLECTION_TEMPLATE


def collection_chain(project: Project) -> Chain:
    """The collection page's lookup chain: the base folders (project, then casepress)."""
    folders = tuple(root / "base" for root in project.template_roots if (root / "base").is_dir())
    return Chain.of(folders, folders)


def render_index(manifest: Manifest, project: Project, diagnostics: Diagnostics, title: str = "Case reports") -> str | None:
    """The index page: newest first, then by title; links relative to the output folder.
    None (with a located error) when the template fails."""
    from casepress.journals.template_errors import render_or_report
    from casepress.journals.templating import html_environment

    by_title = sorted(manifest.cases.values(), key=lambda e: (e.title, e.slug))
    entries = sorted(by_title, key=lambda e: e.published or "", reverse=True)
    values = {"entries": entries, "collection_title": title, "generator": f"casepress {__version__}"}
    return render_or_report(html_environment(collection_chain(project)), INDEX_TEMPLATE, values, diagnostics)


def write_index(manifest: Manifest, project: Project, output_root: Path, diagnostics: Diagnostics) -> Path | None:
    """Write ``index.html`` atomically; a template problem is a located diagnostic."""
    from casepress.build.output import write_files

    html = render_index(manifest, project, diagnostics)
    if html is None:
        return None
    write_files(output_root, {"index.html": html}, {})
    return output_root / "index.html"
