"""Which files a render may read from the template folders, by the one confinement rule.

A lookup chain (see :mod:`casepress.journals.journal`) is a list of folders, most specific
first, plus the ``base`` folders that ``base/...`` names reach. A template name
is refused when :func:`casepress.core.confine.check_name` refuses it (a URL, an
absolute path, ``..`` leaving the folders); a file is refused when it is a
symlink leaving the chain's folders, a FIFO or device, or larger than
:data:`~casepress.core.limits.MAX_TEMPLATE_BYTES`. The case's own ``templates/``
folder counts only while it lies inside the case folder.

No Jinja here: ``casepress check`` asks these questions without importing it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from casepress.core.cache import code_digest
from casepress.core.confine import Refused, check_name, confined_file
from casepress.journals.journal import Journal, template_search_path
from casepress.core.limits import MAX_ASSET_BYTES, MAX_TEMPLATE_BYTES

WHERE = "the template folders"
"""How refusals name the allowed folders."""
TEMPLATE_SUFFIX = ".j2"
"""Template files end in ``.j2`` (``casepress check`` compiles every one along the chain)."""
BASE_PREFIX = "base/"
"""Names starting with this reach the base folders, whatever overrides them."""

ARTICLE_TEMPLATE = "article.html.j2"
"""The article's entry template."""
FIGURE_TEMPLATE = "partials/figure.html.j2"
"""Rendered by the engine for each figure."""
TABLE_TEMPLATE = "partials/table.html.j2"
"""Rendered by the engine for each table."""
CHECKLIST_TEMPLATE = "care-checklist.html.j2"
"""The filled CARE checklist page."""
COLLECTION_TEMPLATE = "collection.html.j2"
"""The collection's index page (from the base folders only)."""
RENDERED_TEMPLATES = (ARTICLE_TEMPLATE, FIGURE_TEMPLATE, TABLE_TEMPLATE, CHECKLIST_TEMPLATE)
"""What a case's build renders along its chain (``casepress check`` follows includes from these)."""


@dataclass(frozen=True)
class FileRefused(Exception):
    """A template file that exists but may not be read."""

    path: Path
    """The file as the chain names it (before symlinks are followed)."""
    reason: str
    """Why, in one sentence."""

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class Chain:
    """The folders one render reads templates and assets from."""

    folders: tuple[Path, ...]
    """Folders for unprefixed names, most specific first (case, journal, parents, base)."""
    base: tuple[Path, ...]
    """Folders ``base/...`` names reach (project before casepress)."""
    roots: tuple[Path, ...]
    """Where a file may lie once symlinks are followed."""

    @classmethod
    def of(cls, folders: tuple[Path, ...], base: tuple[Path, ...] = (), case_dir: Path | None = None) -> Chain:
        """The chain of ``folders``; a case's ``templates/`` counts only while it lies inside
        ``case_dir`` (``casepress check`` reports one that does not)."""
        kept = tuple(f for f in folders if case_dir is None or not escapes_case(f, case_dir))
        return cls(kept, base, tuple(dict.fromkeys((*kept, *base))))

    def key(self) -> tuple[str, ...]:
        """A hashable identity (environments are shared per chain)."""
        return (*map(str, self.folders), "|", *map(str, self.base), "|", *map(str, self.roots))


def escapes_case(folder: Path, case_dir: Path) -> bool:
    """True for the case's own templates folder when it (a symlink) leads outside the case."""
    if folder.parent != case_dir:
        return False
    return not Path(os.path.realpath(folder)).is_relative_to(os.path.realpath(case_dir))


def article_chain(journal: Journal, case_dir: Path) -> Chain:
    """The chain of a case's article and checklist: case templates, journal, parents, base."""
    return Chain.of(tuple(template_search_path(journal, case_dir)), journal.base_dirs, case_dir)


def find_template(chain: Chain, name: str) -> tuple[Path, Path] | None:
    """``(as named, real path)`` of the file ``name`` reaches, or None when no folder has it.

    Raises :class:`~casepress.core.confine.Refused` for a refused name and
    :class:`FileRefused` for a file that may not be read.
    """
    normal = check_name(name, WHERE)
    pairs = [(b, normal.removeprefix(BASE_PREFIX)) for b in chain.base] if normal.startswith(BASE_PREFIX) else []
    pairs += [(folder, normal) for folder in chain.folders]
    for folder, relative in pairs:
        named = Path(os.path.normpath(folder / relative))
        if not os.path.lexists(named):
            continue
        try:
            real = confined_file(relative, folder, MAX_TEMPLATE_BYTES, chain.roots, WHERE)
        except FileNotFoundError:
            continue  # a dangling symlink: as if absent
        except Refused as exc:
            raise FileRefused(named, exc.reason) from None
        return named, real
    return None


def _walk(folder: Path) -> Iterator[Path]:
    """Every file below ``folder``, sorted, without following symlinked folders."""
    for top, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            yield Path(top) / name


def template_names(chain: Chain) -> list[str]:
    """Every template name the chain offers (``.j2`` files outside ``assets/``), one per file."""
    names: dict[str, None] = {}
    for prefix, folders in (("", chain.folders), (BASE_PREFIX, chain.base)):
        for folder in folders:
            for path in _walk(folder):
                relative = path.relative_to(folder)
                if path.suffix == TEMPLATE_SUFFIX and relative.parts[0] != "assets":
                    names.setdefault(prefix + relative.as_posix())
    return list(names)


def asset_files(chain: Chain, refused: list[FileRefused] | None = None) -> dict[str, Path]:
    """Output-relative name -> real path of every file under the chain's ``assets/`` folders
    (the more specific folder wins a name); refused files are left out (and listed in ``refused``)."""
    files: dict[str, Path] = {}
    for folder in reversed(chain.folders):
        assets = folder / "assets"
        if not assets.is_dir():
            continue
        for path in _walk(assets):
            relative = path.relative_to(folder).as_posix()
            limit = MAX_TEMPLATE_BYTES if path.suffix.lower() == ".css" else MAX_ASSET_BYTES
            try:
                files[relative] = confined_file(relative, folder, limit, chain.roots, WHERE)
            except FileNotFoundError:
                continue
            except Refused as exc:
                files.pop(relative, None)  # never fall back to a less specific file silently
                if refused is not None:
                    refused.append(FileRefused(path, exc.reason))
    return files


_ENGINE = ("casepress.journals.template_check", "casepress.journals.template_files",
           "casepress.journals.template_static", "casepress.journals.template_messages",
           "casepress.journals.templating", "casepress.journals.template_errors", "casepress.journals.stylesheets",
           "casepress.core.confine", "casepress.core.limits")
"""The checking code's modules."""


def engine() -> str:
    """What shapes a cached result besides the files: the checking code, Jinja's and tinycss2's versions."""
    return code_digest(*_ENGINE, libraries=("jinja2", "tinycss2"))
