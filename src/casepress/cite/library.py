"""Stage 3, cite: resolve every ``[@key]`` of the case against its BibTeX library.

Cross-checks, each a located diagnostic: a cited key missing from the library
(error at the citing line and column, with 'did you mean'), duplicate keys
(error naming both places, in :mod:`casepress.cite.bibtex`), entries never cited
(warning at the entry), and citations in the abstract (warning: CARE abstracts
carry none). Formatting with citeproc happens later, at render time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from casepress.text import markup
from casepress.cite.bibtex import BibEntry, load_bibliography
from casepress.core.confine import Refused, bibliography_path, regular_file
from casepress.core.diagnostics import Diagnostics, FieldPath, did_you_mean, warning_code
from casepress.model import Case, iter_prose
from casepress.load.source import SourceDocument


@dataclass(frozen=True)
class CitationUse:
    """One place where a key is cited."""

    key: str
    """The cited key."""
    path: FieldPath
    """The prose field that cites it."""
    offset: int
    """Offset of the ``@`` in that field's text (see ``SourceDocument.location_in_text``)."""


@dataclass
class Library:
    """The case's bibliography after resolution."""

    entries: dict[str, BibEntry]
    """Every entry of every .bib file the case names, by key."""
    uses: list[CitationUse] = field(default_factory=list)
    """Every citation in the case, in declaration order."""
    files: tuple[Path, ...] = ()
    """The .bib files read."""

    @property
    def cited_keys(self) -> list[str]:
        """Cited keys that exist in the library, in order of first use in declaration order."""
        seen: dict[str, None] = {}
        for use in self.uses:
            if use.key in self.entries:
                seen.setdefault(use.key)
        return list(seen)


def confined_bibliography(name: str, case_dir: Path, project_root: Path | None) -> Path:
    """The path of bibliography file ``name``, refused unless it may be read.

    It must lie where :func:`~casepress.core.confine.bibliography_path` allows, and be a
    regular file of at most ``limits.MAX_BIB_BYTES``. Raises :class:`~casepress.core.confine.Refused`,
    or FileNotFoundError when it does not exist.
    """
    from casepress.core.limits import MAX_BIB_BYTES

    path = bibliography_path(name, case_dir, project_root)
    regular_file(path, name, MAX_BIB_BYTES)
    return path


def readable_bibliographies(names: Iterable[object], case_dir: Path, project_root: Path | None) -> list[Path]:
    """The bibliography files among ``names`` that may be read (the refused and missing are left out;
    :func:`casepress.check.validate.check_files` reports them)."""
    paths: list[Path] = []
    for name in names:
        if not isinstance(name, str):
            continue
        try:
            paths.append(confined_bibliography(name, case_dir, project_root))
        except (Refused, FileNotFoundError):
            continue
    return paths


def bibliography_files(case: Case, case_dir: Path, project_root: Path | None = None) -> list[Path]:
    """The .bib files named by the case that may be read, resolved against its folder."""
    return readable_bibliographies(case.bibliography, case_dir, project_root)


warning_code("citation-in-abstract", "the abstract cites the literature (CARE abstracts carry no citations)",
             "{n} citations in the abstract")
warning_code("unused-reference", "a bibliography entry is never cited", "{n} bibliography entries are never cited")


def resolve(case: Case, doc: SourceDocument, diagnostics: Diagnostics, project_root: Path | None = None) -> Library | None:
    """Load the case's .bib files and cross-check them with its citations."""
    files = bibliography_files(case, doc.path.parent, project_root)
    entries = load_bibliography(files, diagnostics)
    library = Library(entries, files=tuple(files))
    keys = sorted(entries)
    for path, text in iter_prose(case):
        for group in markup.scan(text):
            for citation in group.citations:
                library.uses.append(CitationUse(citation.key, path, citation.offset))
                missing = citation.key not in entries
                in_abstract = bool(path) and path[0] == "abstract"
                if not (missing or in_abstract):
                    continue  # locating is the costly part: only for diagnostics
                where = doc.location_in_text(path, citation.offset)
                if missing:
                    diagnostics.error(
                        "unknown-citation",
                        f"citation key '{citation.key}' is not in the bibliography"
                        + (f" ({', '.join(p.name for p in files)})" if files else " (no .bib file)"),
                        where, path, did_you_mean(citation.key, keys),
                    )
                if in_abstract:
                    diagnostics.warning(
                        "citation-in-abstract", "the abstract cites the literature; CARE abstracts carry no citations",
                        where, path,
                    )
    used = {use.key for use in library.uses}
    for key, entry in entries.items():
        if key not in used:
            diagnostics.warning(
                "unused-reference", f"bibliography entry '{key}' is never cited",
                entry.location, None,
            )
    return library
