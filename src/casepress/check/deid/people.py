"""The people the text may name: authors, editors, reviewers and cited authors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from casepress.check.deid.findings import KnownPeople
from casepress.check.deid.names import _name_words
from casepress.core.diagnostics import Diagnostics


def known_people(data: Any, case_dir: Path, project_root: Path | None = None) -> KnownPeople:
    """Authors, editors, reviewers and cited authors of the case, read from the raw YAML."""
    data = data if isinstance(data, dict) else {}
    emails: set[str] = set()
    full_names: set[str] = set()
    surnames: set[str] = set()
    for author in _dicts(data.get("authors")):
        if isinstance(author.get("email"), str):
            emails.add(author["email"].strip().lower())
        given, family = author.get("given"), author.get("family")
        if isinstance(given, str) and isinstance(family, str):
            full_names.add(" ".join(_name_words(f"{given} {family}")))
            full_names.add(" ".join(_name_words(f"{family} {given}")))  # family-first usage
        if isinstance(family, str):
            surnames.update(_name_words(family))
    review = data.get("review") if isinstance(data.get("review"), dict) else {}
    for role in ("edited_by", "reviewed_by"):
        for person in _dicts(review.get(role)):
            if isinstance(person.get("name"), str):
                words = _name_words(person["name"])
                full_names.add(" ".join(words))
                surnames.update(words)
    cited = _cited_surnames(data, case_dir, project_root)
    for names in cited.values():
        surnames.update(names)
    return KnownPeople(frozenset(emails), frozenset(full_names), frozenset(surnames), cited)


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _cited_surnames(data: dict[str, Any], case_dir: Path, project_root: Path | None) -> dict[str, frozenset[str]]:
    """Family-name words of every bibliography entry's authors and editors, by key."""
    from casepress.cite.bibtex import load_bibliography
    from casepress.cite.library import readable_bibliographies

    names = data.get("bibliography", ["references.bib"])
    files = readable_bibliographies(names if isinstance(names, list) else [], case_dir, project_root)
    if not files:
        return {}
    # Problems with the bibliography are reported by the citation stage, not here.
    entries = load_bibliography(files, Diagnostics())
    cited: dict[str, frozenset[str]] = {}
    for key, entry in entries.items():
        words: set[str] = set()
        for role in ("author", "editor"):
            for person in entry.item.get(role, []) or []:
                if isinstance(person, dict):
                    words.update(
                        _name_words(str(person.get("family") or person.get("literal") or ""))
                    )
        cited[key] = frozenset(words)
    return cited
