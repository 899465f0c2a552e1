"""BibTeX files to CSL-JSON items, the format the citation ecosystem shares.

Parsing is bibtexparser 2's; this module adds what a case needs on top: located
errors for malformed entries and duplicate keys (within and across files), and
one converter from BibTeX fields to CSL-JSON.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostics, Location, display_path


@dataclass(frozen=True)
class BibEntry:
    """One bibliography entry, converted."""

    key: str
    """The citation key."""
    item: dict[str, Any]
    """The entry as a CSL-JSON item (``id`` is the key)."""
    file: Path
    """The .bib file it comes from."""
    line: int
    """1-based line of the ``@type{key,`` header."""

    @property
    def location(self) -> Location:
        """Where the entry starts."""
        return Location(display_path(self.file), self.line, 1)


_TYPES = {
    "article": "article-journal",
    "book": "book",
    "booklet": "pamphlet",
    "inbook": "chapter",
    "incollection": "chapter",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "manual": "report",
    "mastersthesis": "thesis",
    "phdthesis": "thesis",
    "proceedings": "book",
    "techreport": "report",
    "report": "report",
    "online": "webpage",
    "misc": "document",
    "unpublished": "manuscript",
}


def load_bibliography(files: Iterable[Path], diagnostics: Diagnostics) -> dict[str, BibEntry]:
    """Every entry of ``files`` by key; malformed entries and duplicate keys are errors."""
    import bibtexparser
    from bibtexparser import middlewares as mw

    entries: dict[str, BibEntry] = {}
    for path in files:
        text = path.read_text(encoding="utf-8")
        library = bibtexparser.parse_string(
            text,
            append_middleware=[
                mw.LatexDecodingMiddleware(keep_braced_groups=True),
                mw.MonthIntMiddleware(True),
                mw.SeparateCoAuthors(),
                mw.SplitNameParts(),
            ],
        )
        shown = display_path(path)
        for block in library.failed_blocks:
            line = block.start_line + 1
            if type(block).__name__ == "DuplicateBlockKeyBlock":
                key = getattr(block, "key", "?")
                first = entries.get(key)
                where = f" (first at {first.file.name}:{first.line})" if first else ""
                diagnostics.error("duplicate-key", f"bibliography key '{key}' is defined twice{where}",
                                  Location(shown, line, 1))
            else:
                diagnostics.error("bibtex-syntax", f"malformed BibTeX entry: {_first_line(block)}",
                                  Location(shown, line, 1))
        for entry in library.entries:
            line = entry.start_line + 1
            if entry.key in entries:
                first = entries[entry.key]
                diagnostics.error(
                    "duplicate-key",
                    f"bibliography key '{entry.key}' is defined twice (first at {display_path(first.file)}:{first.line})",
                    Location(shown, line, 1),
                )
                continue
            entries[entry.key] = BibEntry(entry.key, to_csl(entry), path, line)
    return entries


def _first_line(block: Any) -> str:
    raw = getattr(block, "raw", "") or ""
    return raw.strip().splitlines()[0][:60] if raw.strip() else "empty block"


def _strip_braces(value: str) -> str:
    return re.sub(r"[{}]", "", value).strip()


def _name(parts: Any) -> dict[str, str]:
    last = " ".join(parts.last)
    if last.startswith("{") and last.endswith("}") and not parts.first:
        return {"literal": _strip_braces(last)}
    name = {"family": _strip_braces(" ".join(parts.von + parts.last)), "given": _strip_braces(" ".join(parts.first))}
    if parts.jr:
        name["suffix"] = _strip_braces(" ".join(parts.jr))
    return name


def to_csl(entry: Any) -> dict[str, Any]:
    """Convert one bibtexparser entry to a CSL-JSON item."""
    fields = {k.lower(): v.value for k, v in entry.fields_dict.items()}
    item: dict[str, Any] = {"id": entry.key, "type": _TYPES.get(entry.entry_type.lower(), "document")}
    for role in ("author", "editor"):
        if role in fields and isinstance(fields[role], list):
            item[role] = [_name(p) for p in fields[role] if " ".join(p.last) != "others"]
    simple = {
        "title": "title",
        "journal": "container-title",
        "journaltitle": "container-title",
        "booktitle": "container-title",
        "shortjournal": "container-title-short",
        "volume": "volume",
        "number": "issue",
        "pages": "page",
        "publisher": "publisher",
        "address": "publisher-place",
        "doi": "DOI",
        "url": "URL",
        "pmid": "PMID",
        "note": "note",
    }
    for bib, csl in simple.items():
        if bib in fields and isinstance(fields[bib], str):
            value = _strip_braces(fields[bib])
            if csl == "page":
                value = value.replace("--", "-").replace("–", "-")
            item.setdefault(csl, value)
    if "year" in fields:
        parts = [int(fields["year"])] if str(fields["year"]).strip().isdigit() else []
        if parts and str(fields.get("month", "")).isdigit():
            parts.append(int(fields["month"]))
        if parts:
            item["issued"] = {"date-parts": [parts]}
    return item
