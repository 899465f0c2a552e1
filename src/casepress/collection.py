"""The published collection: ``output/index.html`` listing every built case, from the manifest."""

from __future__ import annotations

from pathlib import Path

from . import __version__
from .batch import Manifest
from .diagnostics import Diagnostics
from .project import Project

INDEX_TEMPLATE = "collection.html.j2"


def render_index(manifest: Manifest, project: Project, title: str = "Case reports") -> str:
    """The index page: newest first, then by title; links relative to the output folder."""
    import jinja2

    from .generated import long_date

    folders = [str(root / "base") for root in project.template_roots if (root / "base").is_dir()]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters["long_date"] = long_date
    by_title = sorted(manifest.cases.values(), key=lambda e: (e.title, e.slug))
    entries = sorted(by_title, key=lambda e: e.published or "", reverse=True)
    return env.get_template(INDEX_TEMPLATE).render(
        entries=entries, collection_title=title, generator=f"casepress {__version__}"
    )


def write_index(manifest: Manifest, project: Project, output_root: Path, diagnostics: Diagnostics) -> Path | None:
    """Write ``index.html`` atomically; a template problem is a diagnostic."""
    import jinja2

    from .output import write_files

    try:
        html = render_index(manifest, project)
    except jinja2.TemplateError as exc:
        diagnostics.error("template", f"collection index: {exc}")
        return None
    write_files(output_root, {"index.html": html}, {})
    return output_root / "index.html"
