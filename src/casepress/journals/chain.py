"""A journal's ``extends`` chain: the one walk from a journal's name to its template folders.

Rendering (:func:`casepress.journals.journal.load_journal`, which validates each
journal.yaml), the rebuild check's digest and ``casepress watch`` (both through
:mod:`casepress.build.inputs`, which read only ``extends``) all walk the chain
here, so the folders a build reads are the folders that are hashed and watched.
Only the way a journal.yaml is read differs, and the caller passes it in. This
module imports nothing heavy: the rebuild check runs it for every case.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from casepress.core.project import Project

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
"""A journal name as the case model accepts it; any other name (``../x``) is never looked up."""


@dataclass(frozen=True)
class JournalChain:
    """Where a journal's files come from: its folders, its parents', and base."""

    names: tuple[str, ...]
    """The journals walked, the one named first, then each ``extends`` in turn."""
    dirs: tuple[Path, ...]
    """Their template folders, most specific first (journal, then its parents; project before casepress)."""
    base_dirs: tuple[Path, ...]
    """``templates/base`` folders (project before casepress)."""
    broken: str | None = None
    """The name that ended the walk wrongly: no such journal, or one already walked (see ``cycle``)."""
    cycle: bool = False
    """True when ``broken`` names a journal already in ``names``: they extend each other in a circle."""
    named_by: Path | None = None
    """The journal.yaml whose ``extends:`` named ``broken`` (None: the case named it)."""
    looked: tuple[Path, ...] = ()
    """Every folder the walk looked in, found or not, in lookup order: each journal's (``broken``'s
    too, unless a cycle) in every template root, then ``base`` in each. A folder created there
    changes the build, so the rebuild check hashes and watch watches these."""


def journal_chain(project: Project, name: str, parent_of: Callable[[Path], str | None]) -> JournalChain:
    """Walk from journal ``name`` up its ``extends``; ``parent_of`` reads a journal's journal.yaml
    (which need not exist) and returns the journal it extends, or None to end the walk there."""
    names: list[str] = []
    dirs: list[Path] = []
    current: str | None = name
    named_by: Path | None = None
    broken: str | None = None
    looked: list[Path] = []
    while current is not None:
        if current in names:
            broken = current
            break
        candidates = project.journal_candidates(current) if SLUG.fullmatch(current) else []
        looked.extend(candidates)
        found = [d for d in candidates if d.is_dir()]
        if not found:
            broken = current
            break
        names.append(current)
        dirs.extend(found)
        named_by = found[0] / "journal.yaml"
        current = parent_of(named_by)
    bases = [r / "base" for r in project.template_roots]
    return JournalChain(tuple(names), tuple(dirs), tuple(b for b in bases if b.is_dir()), broken, broken in names,
                        named_by if broken is not None and names else None, tuple(looked + bases))
