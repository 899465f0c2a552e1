"""What one case's build reads, as paths: the rebuild check hashes it, ``casepress watch`` watches it.

A build reads

- in the case folder: ``case.yaml``, the .bib files and figures it names, its own
  ``.csl`` file and ``templates/``, and every other file but hidden ones and tool
  folders' (the de-identification check looks inside each for DICOM);
- outside the case folder: .bib files it names elsewhere in the project;
- the journal's template folders along its ``extends`` chain (templates, CSS, fonts,
  bundled CSL styles, the reference .docx), then ``templates/base``
  (:func:`casepress.journals.chain.journal_chain`, the walk rendering uses);
- a packaged CSL style it names (installed with casepress: hashed, never edited).

:func:`build_inputs` lists them from the case's raw text, as the rebuild check must
(before, and whether or not, the case is valid): it never raises and imports
nothing heavy. The digest (:mod:`casepress.build.batch`) hashes the whole case
folder rather than the scan's files, erring on the side of rebuilding.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from casepress.core.confine import OUTPUT_FOLDER, Refused, bibliography_path, check_name, resolve_inside
from casepress.core.limits import MAX_CASE_BYTES, MAX_TEMPLATE_BYTES
from casepress.core.project import Project
from casepress.journals.chain import journal_chain
from casepress.load.caseinputs import CaseInputs, read_inputs, read_top_level


@dataclass(frozen=True)
class BuildInputs:
    """Everything one case's build reads."""

    case_dir: Path
    """The case folder (a real path)."""
    files: frozenset[Path]
    """Files the build opens by name, as real paths (a missing one is looked for, so it counts):
    ``case.yaml``, the .bib files, the figures, the case's own .csl file."""
    folders: tuple[Path, ...]
    """Template folders read whole (or looked for: they need not exist), in lookup order: the
    case's ``templates/``, the journal's along its ``extends`` chain, then ``templates/base``."""
    style: str | None
    """The citation style the case names (a packaged one is in no folder of the project)."""

    def outside(self) -> tuple[list[Path], list[Path]]:
        """The files and folders that are not in the case folder, sorted, folders in lookup order."""
        files = sorted(f for f in self.files if not f.is_relative_to(self.case_dir))
        return files, [f for f in self.folders if not f.is_relative_to(self.case_dir)]

    def reads(self, path: Path) -> bool:
        """True when the build reads ``path`` (a real path)."""
        if path in self.files or any(path.is_relative_to(f) for f in self.folders):
            return True
        if not path.is_relative_to(self.case_dir):
            return False
        # The de-identification check's scan (its rule, imported only by watch: it is no light import)
        from casepress.check.deid.files import NOT_CASE_FOLDERS

        parts = path.relative_to(self.case_dir).parts
        return not any(p.startswith(".") or p in NOT_CASE_FOLDERS for p in parts)


def read_case_text(case_file: Path) -> str:
    """The case file's text for :func:`build_inputs` ("" when it is unreadable or too large)."""
    try:
        if case_file.stat().st_size <= MAX_CASE_BYTES:
            return case_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        pass
    return ""


def build_inputs(case_file: Path, project: Project, text: str, journal: str | None = None,
                 figures: Iterable[str] = (), *, names: CaseInputs | None = None,
                 journals: dict[str, tuple[Path, ...]] | None = None) -> BuildInputs:
    """What building ``case_file`` (whose text is ``text``) reads; ``journal`` replaces the case's
    own (``build --journal``); ``figures`` are the figure files it names, when known (their
    folder is scanned anyway, unless hidden). ``names``: what ``text`` names, when the caller
    knows it already (then ``text`` is not read); ``journals``: a cache of the folders each
    journal's chain looks in, by journal name (the rebuild check walks each chain once per run)."""
    names = names if names is not None else read_inputs(text)
    case_dir = Path(os.path.realpath(case_file.parent))
    files = {case_dir / case_file.name if not os.path.islink(case_file) else Path(os.path.realpath(case_file))}
    files.update(_confined(case_dir, figures))
    output = os.path.realpath(project.root / OUTPUT_FOLDER)
    for name in names.bibliography:
        try:
            files.add(_bibliography(str(name), case_dir, project, output))
        except Refused:
            pass  # the check refuses it: nothing is read
    if names.csl:  # the case folder is the first place a style is looked for
        path_like = names.csl.endswith(".csl") or "/" in names.csl or os.sep in names.csl
        files.update(_confined(case_dir, [names.csl if path_like else f"{names.csl}.csl"]))
    name = journal or names.journal
    looked = journals.get(name) if journals is not None else None
    if looked is None:
        looked = tuple(Path(os.path.realpath(f)) for f in journal_chain(project, name, journal_parent).looked)
        if journals is not None:
            journals[name] = looked
    return BuildInputs(case_dir, frozenset(files), (case_dir / "templates", *looked), names.csl)


def _bibliography(name: str, case_dir: Path, project: Project, output: str) -> Path:
    """:func:`~casepress.core.confine.bibliography_path` (``case_dir`` a real path, ``output`` the
    output folder's), without its real-path walks for the common case, a plain file of the case
    folder that is no symlink (the rebuild check does this for every case)."""
    if "/" in name or "\\" in name or name in (".", ".."):
        return bibliography_path(name, case_dir, project.root)
    check_name(name, "the case folder", parents_ok=True)
    path = case_dir / name
    if os.path.islink(path) or path.is_relative_to(output):  # the full rule (and its refusal)
        return bibliography_path(name, case_dir, project.root)
    return path


def _confined(case_dir: Path, names: Iterable[str]) -> list[Path]:
    """The real paths of case-folder files ``names`` (they need not exist); refused names are dropped."""
    found = []
    for name in names:
        try:
            found.append(resolve_inside(name, case_dir))
        except Refused:
            pass
    return found


def journal_parent(settings: Path) -> str | None:
    """The journal a journal.yaml ``extends``, read like a case's inputs (no timestamps, no
    expansion, nothing validated: the check does that); None without one."""
    try:
        info = settings.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_TEMPLATE_BYTES:
            return None  # a FIFO would block; a missing or huge file extends nothing
        text = settings.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    value = read_top_level(text, ("extends",)).get("extends")
    return value if isinstance(value, str) else None
