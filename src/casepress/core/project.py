"""Where things live: the project's cases, its templates, and the templates shipped with casepress."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from casepress.core.diagnostics import Diagnostics, Location, did_you_mean, display_path

CASE_FILE = "case.yaml"


def builtin_templates() -> Path:
    """The templates shipped with casepress (in the wheel, or the source checkout's templates/)."""
    packaged = Path(__file__).resolve().parents[1] / "_templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "templates"


@dataclass(frozen=True)
class Project:
    """A folder holding ``cases/`` and optionally its own ``templates/``."""

    root: Path
    """The project folder (the working directory by default)."""

    @property
    def cases_dir(self) -> Path:
        """``<root>/cases``."""
        return self.root / "cases"

    @cached_property
    def template_roots(self) -> tuple[Path, ...]:
        """Template folders, most specific first: the project's own, then casepress's."""
        roots: list[Path] = []
        for candidate in (self.root / "templates", builtin_templates()):
            if candidate.is_dir() and candidate.resolve() not in [r.resolve() for r in roots]:
                roots.append(candidate)
        return tuple(roots)

    def journals(self) -> list[str]:
        """Names of every journal template available to this project."""
        names: set[str] = set()
        for root in self.template_roots:
            journals = root / "journals"
            if journals.is_dir():
                names.update(p.name for p in journals.iterdir() if p.is_dir())
        return sorted(names)

    def journal_candidates(self, name: str) -> list[Path]:
        """Where journal ``name`` is looked for, the project's folder before casepress's (found or not)."""
        return [r / "journals" / name for r in self.template_roots]

    def journal_dirs(self, name: str) -> list[Path]:
        """Folders of journal ``name``, the project's before casepress's."""
        return [d for d in self.journal_candidates(name) if d.is_dir()]

    def all_cases(self) -> list[Path]:
        """Every ``cases/<slug>/case.yaml``, sorted by slug."""
        if not self.cases_dir.is_dir():
            return []
        return sorted(p / CASE_FILE for p in self.cases_dir.iterdir() if (p / CASE_FILE).is_file())

    def resolve_cases(self, args: tuple[str, ...], diagnostics: Diagnostics) -> list[Path]:
        """Case files named on the command line (folders or case.yaml files); all cases if none."""
        if not args:
            cases = self.all_cases()
            if not cases:
                diagnostics.error(
                    "no-cases", f"no cases found under {display_path(self.cases_dir)}/ (expected <slug>/{CASE_FILE})"
                )
            return cases
        found: list[Path] = []
        for arg in args:
            path = Path(arg)
            candidate = path / CASE_FILE if path.is_dir() else path
            if candidate.is_file():
                found.append(candidate)
                continue
            hint = did_you_mean(path.name, [p.parent.name for p in self.all_cases()])
            diagnostics.error("no-case", f"no case at {arg} (expected a folder with {CASE_FILE})",
                              Location(arg), hint=hint)
        return found


def output_conflict(output: Path, project: Project, case_files: list[Path] | tuple[Path, ...] = ()) -> str | None:
    """Why ``output`` may not be an output folder, or None when it may.

    Building replaces ``<output>/<slug>/`` folders, so the output folder must not
    be, contain or lie inside a case folder, the cases folder or a template
    folder (the project's or casepress's), and must not be or contain the
    project folder itself. Paths are compared after resolving symlinks.
    """
    real = output.resolve()
    shown = display_path(output)
    guarded: list[tuple[str, Path, bool]] = [("the project folder", project.root, False),
                                             ("the cases folder", project.cases_dir, True)]
    guarded += [("the case folder", case.parent, True) for case in case_files]
    templates = {project.root / "templates", *project.template_roots}  # the project's, even before it exists
    guarded += [("the templates folder", root, True) for root in sorted(templates)]
    for label, folder, guard_inside in guarded:
        other = folder.resolve()
        relation = ("is" if real == other else "lies inside" if guard_inside and real.is_relative_to(other)
                    else "contains" if other.is_relative_to(real) else None)
        if relation is not None:  # named only then: a batch checks every case folder
            return f"'{shown}' {relation} {label} {display_path(folder)}/"
    return None
