"""``casepress new``: a new case folder from the scaffold under templates/scaffold/.

Template authors change the scaffold without Python: every file under
``templates/scaffold/`` is copied; files ending in ``.j2`` are rendered with
Jinja first (with ``doc("field")`` giving the model's field description and
``care("5a")`` the checklist text, so comments never drift from the model).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from pathlib import Path

from casepress.core.diagnostics import Diagnostics, Location, display_path
from casepress.core.limits import MAX_SLUG_LENGTH
from casepress.core.project import Project


def _scaffold_dir(project: Project) -> Path | None:
    for root in project.template_roots:
        if (root / "scaffold").is_dir():
            return root / "scaffold"
    return None


def _doc(name: str) -> str:
    from pydantic import BaseModel

    from casepress import model

    owner_name, _, field_name = name.rpartition(".")
    owner = getattr(model, owner_name) if owner_name else model.Case
    if not (isinstance(owner, type) and issubclass(owner, BaseModel)) or field_name not in owner.model_fields:
        raise KeyError(f"no field {name!r} in the case model")
    from casepress.model.base import field_docs

    text = field_docs(owner).get(field_name, "")
    return " ".join(text.split()).replace("``", "")


def _care(item_id: str) -> str:
    from casepress.model.care import checklist

    return next(i.item for i in checklist() if i.id == item_id)


def _today() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat()
    return dt.date.today().isoformat()


def slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot name a new case folder, or None (checked before the file system is asked)."""
    if len(slug) > MAX_SLUG_LENGTH:
        return f"the case name is {len(slug)} characters long (at most {MAX_SLUG_LENGTH})"
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug):
        shown = slug if slug.isprintable() else ascii(slug)[1:-1]
        return f"'{shown}' is not a valid case name"
    return None


def scaffold(project: Project, slug: str, title: str | None, diagnostics: Diagnostics) -> Path | None:
    """Create ``cases/<slug>/``; refuses to overwrite; returns the new folder or None."""
    from casepress.model.schema import schema_text
    from casepress.journals.template_errors import render_or_report
    from casepress.journals.template_files import Chain
    from casepress.journals.templating import make_environment

    problem = slug_problem(slug)
    if problem:
        diagnostics.error("invalid-slug", problem, None, "SLUG",
                          "use lowercase words joined by hyphens, e.g. knee-pain-after-a-fall")
        return None
    target = project.cases_dir / slug
    if target.exists():
        diagnostics.error("case-exists", f"{display_path(target)} already exists; casepress new never overwrites a case",
                          Location(display_path(target)))
        return None
    source = _scaffold_dir(project)
    if source is None:
        diagnostics.error("no-scaffold", "no templates/scaffold/ folder found")
        return None
    schema_file = project.root / "schema" / "case.schema.json"
    # YAML, not HTML (no autoescape): nothing here is rendered in a browser.
    env = make_environment(Chain.of((source,)), html=False)
    context = {
        "slug": slug,
        "title": title or "",
        "today": _today(),
        "case_dir": display_path(target),
        "schema_path": os.path.relpath(schema_file, target),
        "doc": _doc,
        "care": _care,
    }
    project.cases_dir.mkdir(parents=True, exist_ok=True)
    # Build in a temporary sibling folder and rename: a failed scaffold leaves nothing behind.
    staging = Path(tempfile.mkdtemp(prefix=f".{slug}.", dir=project.cases_dir))
    try:
        for file in sorted(source.rglob("*")):
            relative = file.relative_to(source)
            if file.is_dir():
                (staging / relative).mkdir(parents=True, exist_ok=True)
            elif file.suffix == ".j2":
                text = render_or_report(env, relative.as_posix(), context, diagnostics)
                if text is None:
                    shutil.rmtree(staging, ignore_errors=True)
                    return None
                (staging / relative.with_suffix("")).write_text(text, encoding="utf-8")
            else:
                (staging / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(file, staging / relative)
        os.replace(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        diagnostics.error("scaffold-failed", f"could not create {display_path(target)}: {exc}")
        return None
    if not schema_file.exists():
        schema_file.parent.mkdir(parents=True, exist_ok=True)
        schema_file.write_text(schema_text(), encoding="utf-8")
    return target
