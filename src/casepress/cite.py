"""Stage 3, cite: resolve every ``[@key]`` of the case against its BibTeX library.

Cross-checks, each a located diagnostic: a cited key missing from the library
(error at the citing line and column, with 'did you mean'), duplicate keys
(error naming both places, in :mod:`casepress.bibtex`), entries never cited
(warning at the entry), and citations in the abstract (warning: CARE abstracts
carry none). Formatting with citeproc happens later, at render time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import markup
from .bibtex import BibEntry, load_bibliography
from .diagnostics import Diagnostics, FieldPath, did_you_mean
from .model import Case, iter_prose
from .source import SourceDocument


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


def bibliography_files(case: Case, case_dir: Path) -> list[Path]:
    """The .bib files named by the case, resolved against its folder."""
    return [case_dir / name for name in case.bibliography]


def resolve(case: Case, doc: SourceDocument, diagnostics: Diagnostics) -> Library | None:
    """Load the case's .bib files and cross-check them with its citations."""
    files = [p for p in bibliography_files(case, doc.path.parent) if p.is_file()]
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
