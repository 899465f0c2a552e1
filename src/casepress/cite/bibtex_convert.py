"""One raw BibTeX entry to a CSL-JSON item, as citeproc-js and pandoc read it (see
:mod:`casepress.cite.bibtex`, step 3): types, titles, names, dates, numbers,
identifiers, eprints, notes and language."""

from __future__ import annotations

import calendar
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from casepress.core.diagnostics import Diagnostics, warning_code
from casepress.cite.biblatex_terms import EPRINT_URLS, localised
from casepress.cite.sentence_case import is_english, sentence_case
from casepress.cite.bibtex_blocks import RawEntry
from casepress.cite.bibtex_latex import Mode, decode_latex, verbatim
from casepress.cite.bibtex_names import parse_names, split_persons

warning_code("latex-command", "an unknown LaTeX command in a .bib field (kept as its text)",
             "{n} unknown LaTeX commands in .bib fields")
warning_code("unknown-entry-type", "an unknown .bib entry type (treated as a document)")
warning_code("invalid-name", "a .bib name list that cannot be read as names")
warning_code("invalid-date", "a .bib date or month field that is not a date (kept as text, or only the year used)")
warning_code("invalid-doi", "a .bib DOI that is not a DOI (left out)")
warning_code("incomplete-entry", "a .bib entry has no title, or no author or editor",
             "{n} bibliography entries are incomplete")


# ---------------------------------------------------------------------------
# Conversion to CSL-JSON
# ---------------------------------------------------------------------------


_TYPES = {
    "article": "article-journal",
    "book": "book",
    "mvbook": "book",
    "collection": "book",
    "mvcollection": "book",
    "proceedings": "book",
    "mvproceedings": "book",
    "reference": "book",
    "mvreference": "book",
    "manual": "book",
    "booklet": "pamphlet",
    "inbook": "chapter",
    "bookinbook": "chapter",
    "suppbook": "chapter",
    "incollection": "chapter",
    "suppcollection": "chapter",
    "inreference": "entry-encyclopedia",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "mastersthesis": "thesis",
    "phdthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "misc": "document",
    "unpublished": "manuscript",
    "patent": "patent",
    "periodical": "periodical",
    "dataset": "dataset",
    "software": "software",
    "standard": "standard",
}
_ARTICLE_SUBTYPES = {"magazine": "article-magazine", "newspaper": "article-newspaper"}
#: CSL types whose ``booktitle`` is the container (a chapter's book, a paper's proceedings).
_IN_CONTAINER = frozenset({"chapter", "paper-conference", "entry-encyclopedia", "entry-dictionary"})
_PERIODICAL_PARTS = frozenset(
    {"article-journal", "article-magazine", "article-newspaper", "periodical"}
)
#: CSL types where BibTeX's ``number`` counts within a ``series``.
_SERIES_PARTS = frozenset({"book", "chapter", "paper-conference"})
#: CSL types for which a ``genre`` (from ``type`` or the entry type) is meaningful.
_WITH_GENRE = frozenset(
    {"thesis", "report", "document", "webpage", "dataset", "software", "patent", "manuscript"}
)

#: Default genres, as BibTeX's standard styles print them, and biblatex's type keys.
_GENRES = {
    "phdthesis": "PhD thesis",
    "mastersthesis": "Master's thesis",
    "mathesis": "Master's thesis",
    "techreport": "Technical report",
    "resreport": "Research report",
}

#: Other biblatex date fields -> CSL date variables.
_OTHER_DATES = (("urldate", "accessed"), ("eventdate", "event-date"), ("origdate", "original-date"))

#: Name fields -> CSL name variables.
_NAME_FIELDS = (
    ("author", "author"),
    ("editor", "editor"),
    ("translator", "translator"),
    ("bookauthor", "container-author"),
)

#: Simple variables: CSL variable, decoding, BibTeX/biblatex fields by preference.
_SIMPLE_VARIABLES: tuple[tuple[str, Mode, tuple[str, ...]], ...] = (
    ("title-short", Mode.TITLE, ("shorttitle",)),
    ("container-title-short", Mode.TITLE, ("shortjournal", "journalabbreviation")),
    ("collection-title", Mode.TITLE, ("series",)),
    ("volume", Mode.PLAIN, ("volume",)),
    ("number-of-volumes", Mode.PLAIN, ("volumes",)),
    ("edition", Mode.TEXT, ("edition",)),
    ("chapter-number", Mode.PLAIN, ("chapter",)),
    ("number-of-pages", Mode.PLAIN, ("pagetotal", "numpages")),
    ("version", Mode.PLAIN, ("version",)),
    ("publisher", Mode.TEXT, ("publisher", "institution", "school", "organization")),
    ("publisher-place", Mode.TEXT, ("location", "address")),
    ("event-title", Mode.TITLE, ("eventtitle",)),
    ("event-place", Mode.TEXT, ("venue",)),
    ("ISBN", Mode.PLAIN, ("isbn",)),
    ("ISSN", Mode.PLAIN, ("issn",)),
)

_LOCALISED = frozenset({"collection-title", "edition"})
"""Variables whose value may be a biblatex localisation key (``newseries``)."""
_LISTS = frozenset({"publisher", "publisher-place"})
"""Variables from biblatex list fields (``location``, ``publisher``, ``institution``)."""

#: biblatex ``langid``/``language`` values -> CSL locale codes (unknown ones are left out).
_LANGUAGES = {
    "english": "en", "american": "en-US", "usenglish": "en-US", "british": "en-GB",
    "ukenglish": "en-GB", "canadian": "en-CA", "australian": "en-AU", "newzealand": "en-NZ",
    "german": "de", "ngerman": "de", "austrian": "de-AT", "naustrian": "de-AT",
    "swissgerman": "de-CH", "nswissgerman": "de-CH", "french": "fr", "spanish": "es",
    "italian": "it", "dutch": "nl", "portuguese": "pt", "brazilian": "pt-BR", "swedish": "sv",
    "danish": "da", "norwegian": "nb", "finnish": "fi", "polish": "pl", "czech": "cs",
    "russian": "ru", "greek": "el", "turkish": "tr", "japanese": "ja", "chinese": "zh",
    "korean": "ko", "eng": "en", "ger": "de", "fre": "fr", "spa": "es", "ita": "it",
}
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z]{2,4})?")


@dataclass
class _Problem:
    """A warning found while converting, before it has a place."""

    code: str
    message: str
    field: str | None = None
    hint: str | None = None


def convert(entry: RawEntry, diagnostics: Diagnostics) -> dict[str, Any]:
    """The CSL-JSON item of ``entry``; conversion warnings go to ``diagnostics``."""
    converter = _Converter(entry)
    item = converter.item()
    for problem in converter.problems:
        location = entry.location() if problem.field is None else entry.location(problem.field)
        diagnostics.warning(problem.code, problem.message, location, hint=problem.hint)
    return item


class _Converter:
    """Builds one CSL-JSON item, collecting the problems it meets."""

    def __init__(self, entry: RawEntry) -> None:
        self.entry = entry
        self.fields = entry.fields
        self.problems: list[_Problem] = []

    def warn(
        self, code: str, message: str, field_name: str | None = None, hint: str | None = None
    ) -> None:
        """Note a problem of this entry (or of one of its fields)."""
        self.problems.append(_Problem(code, message, field_name, hint))

    def item(self) -> dict[str, Any]:
        """The item, variables in a fixed, readable order."""
        csl_type = self.csl_type()
        item: dict[str, Any] = {"id": self.entry.key, "type": csl_type}
        item.update(self.names())
        item.update(self.titles(csl_type))
        item.update(self.simple_variables())
        item.update(self.numbers(csl_type))
        item.update(self.genre(csl_type))
        item.update(self.dates())
        item.update(self.identifiers())
        item.update(self.notes())
        item.update(self.language())
        if csl_type == "document" and "URL" in item:
            item["type"] = "webpage"  # @misc with a URL: a web page, as Zotero reads it
        self.check_complete(item)
        return _in_reading_order(item)

    # -- text ---------------------------------------------------------------

    def text(self, name: str, mode: Mode) -> str | None:
        """Field ``name`` decoded from LaTeX, or None when absent or empty."""
        raw = self.fields.get(name)
        if raw is None:
            return None
        decoded, unknown = decode_latex(raw, mode)
        for command in unknown:
            self.warn(
                "latex-command",
                f"unknown LaTeX command \\{command} in field '{name}' of entry '{self.entry.key}'"
                " is kept as its text",
                name,
            )
        return decoded or None

    def first_text(self, names: Iterable[str], mode: Mode) -> str | None:
        """The first of ``names`` that has a value."""
        for name in names:
            value = self.text(name, mode)
            if value:
                return value
        return None

    # -- parts --------------------------------------------------------------

    def csl_type(self) -> str:
        """The CSL type of the BibTeX entry type."""
        bib_type = self.entry.entry_type
        if bib_type == "article":
            subtype = self.fields.get("entrysubtype", "").strip().lower()
            return _ARTICLE_SUBTYPES.get(subtype, "article-journal")
        csl_type = _TYPES.get(bib_type)
        if csl_type is None:
            self.warn(
                "unknown-entry-type",
                f"entry '{self.entry.key}' has unknown type @{bib_type};"
                " it is treated as a document",
            )
            return "document"
        return csl_type

    def names(self) -> dict[str, Any]:
        """author, editor, translator, container-author, and the et-al markers."""
        result: dict[str, Any] = {}
        for bib_field, variable in _NAME_FIELDS:
            raw = self.fields.get(bib_field)
            if raw is None:
                continue
            names, truncated, problems = parse_names(raw)
            for problem in problems:
                self.warn("invalid-name", f"entry '{self.entry.key}': {problem}", bib_field)
            if names:
                result[variable] = names
            if truncated and variable == "author":
                result["casepress-et-al"] = True
            elif truncated and variable == "editor":
                result["casepress-et-al-editor"] = True
        return result

    def cased(self, name: str) -> str | None:
        """A title field, in sentence case for English (or unmarked) entries, as BibTeX
        styles and pandoc print it."""
        value = self.text(name, Mode.TITLE)
        return sentence_case(value) if value and self.english else value

    @property
    def english(self) -> bool:
        return is_english(self.fields.get("langid") or self.fields.get("language") or "")

    def titles(self, csl_type: str) -> dict[str, str]:
        """title (with subtitle), container-title; a ``maintitle`` is the title (or the
        container's) and the volume's own title is ``volume-title``, as pandoc maps them."""
        result: dict[str, str] = {}
        title = _join_title(self.cased("title"), self.cased("subtitle"))
        main = _join_title(self.cased("maintitle"), self.cased("mainsubtitle"))
        container = self.first_text(("journaltitle", "journal"), Mode.TITLE)
        if container is None and csl_type in _IN_CONTAINER:
            container = _join_title(self.cased("booktitle"), self.cased("booksubtitle"))
            if main:
                container, result["volume-title"] = main, container or ""
        elif main:
            title, result["volume-title"] = main, title or ""
        if title:
            result["title"] = title
        if container:
            result["container-title"] = container
        return {k: v for k, v in result.items() if v}

    def simple_variables(self) -> dict[str, str]:
        """Variables copied from one field each (see ``_SIMPLE_VARIABLES``)."""
        result: dict[str, str] = {}
        for variable, mode, names in _SIMPLE_VARIABLES:
            value = self.first_text(names, mode)
            if not value:
                continue
            if variable in _LOCALISED:
                value = localised(value)
            if variable == "collection-title" and self.english:
                value = sentence_case(value)
            if variable in _LISTS:  # München and Berlin: "München; Berlin", as pandoc joins them
                value = "; ".join(split_persons(value))
            result[variable] = value
        part = self.text("part", Mode.PLAIN)
        if part:
            result["volume"] = f"{result['volume']}.{part}" if result.get("volume") else part
        howpublished = self.text("howpublished", Mode.TEXT)
        if howpublished and not _looks_like_url(howpublished) and "publisher" not in result:
            result["publisher"] = howpublished  # Zotero reads it so, too
        pages = self.text("pages", Mode.PLAIN)
        if pages:
            result["page"] = _normalize_pages(pages)
        return result

    def numbers(self, csl_type: str) -> dict[str, str]:
        """BibTeX ``number``: an issue, a report number or a number in a series."""
        number = self.text("number", Mode.PLAIN)
        issue = self.text("issue", Mode.PLAIN)
        result: dict[str, str] = {}
        if csl_type in _PERIODICAL_PARTS:
            if number or issue:
                result["issue"] = number or issue or ""
        elif number:
            in_series = "series" in self.fields and csl_type in _SERIES_PARTS
            result["collection-number" if in_series else "number"] = number
        return result

    def genre(self, csl_type: str) -> dict[str, str]:
        """The genre: the ``type`` field, or what the entry type says (PhD thesis...)."""
        given = self.fields.get("type", "").strip()
        if given:
            value = _GENRES.get(given.lower()) or localised(self.text("type", Mode.TEXT) or "")
        else:
            value = _GENRES.get(self.entry.entry_type)
        return {"genre": value} if value and csl_type in _WITH_GENRE else {}

    def dates(self) -> dict[str, Any]:
        """issued (``date`` or ``year``/``month``/``day``), accessed, event-date, original-date."""
        result: dict[str, Any] = {}
        issued = self.date_field("date") if "date" in self.fields else self.year_month()
        if issued:
            result["issued"] = issued
        for bib_field, variable in _OTHER_DATES:
            value = self.date_field(bib_field)
            if value:
                result[variable] = value
        return result

    def date_field(self, name: str) -> dict[str, Any] | None:
        """A biblatex ISO date field (``2020``, ``2020-03``, ``2020-03-15``, ranges with ``/``)."""
        raw = self.text(name, Mode.PLAIN)
        if raw is None:
            return None
        parts = _parse_iso_date(raw)
        if parts is None:
            self.warn(
                "invalid-date",
                f"field '{name}' of entry '{self.entry.key}' is not a date: {raw!r};"
                " it is kept as text",
                name,
                hint="write dates as YYYY, YYYY-MM or YYYY-MM-DD (ranges as start/end)",
            )
            return {"literal": raw}
        return {"date-parts": parts}

    def year_month(self) -> dict[str, Any] | None:
        """issued from BibTeX ``year``, ``month`` and ``day``."""
        year = self.text("year", Mode.PLAIN)
        if year is None:
            return None
        if not re.fullmatch(r"\d{1,4}", year):
            return {"literal": year}  # "in press", "n.d.", "forthcoming": legitimate text
        month_text = self.text("month", Mode.PLAIN)
        months = _parse_months(month_text) if month_text else []
        if months is None:
            self.warn(
                "invalid-date",
                f"field 'month' of entry '{self.entry.key}' is not a month: {month_text!r};"
                " only the year is used",
                "month",
            )
            months = []
        day = self.text("day", Mode.PLAIN)
        if len(months) == 1 and day and day.isdigit():
            return {"date-parts": [[int(year), months[0], int(day)]]}
        if len(months) == 2:
            return {"date-parts": [[int(year), months[0]], [int(year), months[1]]]}
        return {"date-parts": [[int(year), *months]]}

    def identifiers(self) -> dict[str, str]:
        """DOI (validated), PMID, PMCID, URL."""
        result: dict[str, str] = {}
        eprint_type = self.eprint_type()
        eprint = verbatim(self.fields.get("eprint", ""))
        doi_source = "doi" if "doi" in self.fields else ("eprint" if eprint_type == "doi" else None)
        if doi_source:
            doi = _normalize_doi(verbatim(self.fields[doi_source]))
            if doi is None:
                self.warn(
                    "invalid-doi",
                    f"entry '{self.entry.key}' has an invalid DOI"
                    f" {verbatim(self.fields[doi_source])!r}; it is left out",
                    hint="a DOI looks like 10.1056/NEJMoa2001017 (short DOIs: 10/abcd)",
                )
            else:
                result["DOI"] = doi
        pmid = verbatim(self.fields.get("pmid", ""))
        pmid = pmid or (eprint if eprint_type in {"pmid", "pubmed"} else "")
        if pmid:
            result["PMID"] = pmid
        pmcid = verbatim(self.fields.get("pmcid", ""))
        pmcid = pmcid or (eprint if eprint_type in {"pmcid", "pmc"} else "")
        if pmcid:
            result["PMCID"] = pmcid
        url = verbatim(self.fields.get("url", ""))
        howpublished = verbatim(self.fields.get("howpublished", ""))
        if not url and _looks_like_url(howpublished):
            url = howpublished
        if not url and eprint and eprint_type in EPRINT_URLS:
            url = EPRINT_URLS[eprint_type].format(eprint)
        if url:
            result["URL"] = url
        return result

    def eprint_type(self) -> str:
        """biblatex ``eprinttype`` or arXiv's ``archivePrefix``, lower case."""
        kind = self.fields.get("eprinttype") or self.fields.get("archiveprefix") or ""
        return kind.strip().lower()

    def notes(self) -> dict[str, str]:
        """note, with an arXiv identifier (CSL has no arXiv variable) appended."""
        parts = [self.text("note", Mode.TEXT) or ""]
        eprint = verbatim(self.fields.get("eprint", ""))
        kind = self.eprint_type()
        if eprint and kind == "arxiv":
            arxiv_class = verbatim(
                self.fields.get("eprintclass") or self.fields.get("primaryclass") or ""
            )
            parts.append(f"arXiv:{eprint}" + (f" [{arxiv_class}]" if arxiv_class else ""))
        elif eprint and kind and kind not in {"doi", "pmid", "pubmed", "pmcid", "pmc", *EPRINT_URLS}:
            parts.append(f"{kind}: {eprint}")
        note = ". ".join(p for p in parts if p)
        return {"note": note} if note else {}

    def language(self) -> dict[str, str]:
        """language as a locale code, from ``langid`` or ``language``."""
        raw = (self.fields.get("langid") or self.fields.get("language") or "").strip()
        if not raw:
            return {}
        code = _LANGUAGES.get(raw.lower())
        if code is None and _LANGUAGE_CODE.fullmatch(raw):
            code = raw
        return {"language": code} if code else {}

    def check_complete(self, item: Mapping[str, Any]) -> None:
        """``incomplete-entry`` when the title or every author and editor is missing."""
        if self.entry.damaged:
            return  # the syntax error explains it already
        missing = []
        if not item.get("title"):
            missing.append("no title")
        if not any(item.get(v) for v in ("author", "editor", "container-author", "translator")):
            missing.append("no author or editor")
        if missing:
            self.warn(
                "incomplete-entry",
                f"bibliography entry '{self.entry.key}' has {' and '.join(missing)}",
            )


#: The order of variables in an item: who, what, where in what, when, identifiers.
_VARIABLE_ORDER = (
    "id", "type", "casepress-et-al", "casepress-et-al-editor", "author", "editor", "translator",
    "container-author", "title", "volume-title", "title-short", "container-title", "container-title-short",
    "collection-title", "collection-number", "volume", "number-of-volumes", "issue",
    "chapter-number", "page", "number-of-pages", "number", "edition", "version", "genre",
    "event-title", "event-place",
    "publisher", "publisher-place", "issued", "original-date", "event-date", "accessed", "DOI",
    "PMID", "PMCID", "ISBN", "ISSN", "URL", "note", "language",
)
_VARIABLE_RANK = {name: rank for rank, name in enumerate(_VARIABLE_ORDER)}


def _in_reading_order(item: dict[str, Any]) -> dict[str, Any]:
    """``item`` with its variables in ``_VARIABLE_ORDER`` (stable JSON, easy to review)."""
    return dict(sorted(item.items(), key=lambda kv: _VARIABLE_RANK.get(kv[0], len(_VARIABLE_RANK))))


def _join_title(title: str | None, subtitle: str | None) -> str | None:
    """``Title: Subtitle``, as biblatex prints them."""
    if title and subtitle:
        return f"{title}: {subtitle}"
    return title or subtitle


def _normalize_pages(pages: str) -> str:
    """``12--19`` and ``12–19`` -> ``12-19``; ``134-8`` stays (CSL formats ranges)."""
    return re.sub(r"\s*[-\u2010-\u2015]+\s*", "-", pages)


def _looks_like_url(text: str) -> bool:
    """True for http(s), ftp and mailto addresses."""
    return bool(re.match(r"(https?|ftp)://|mailto:", text.strip(), re.IGNORECASE))


_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*|doi\s+)", re.IGNORECASE)
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_SHORT_DOI = re.compile(r"10/[A-Za-z0-9]+")


def _normalize_doi(raw: str) -> str | None:
    """The bare DOI of ``raw`` (prefixes ``https://doi.org/`` and ``doi:`` removed), or None."""
    match = _DOI_PREFIX.match(raw)
    doi = raw[match.end():] if match else raw
    if match and match.group().lower().startswith("http"):
        doi = urllib.parse.unquote(doi)  # a URL percent-encodes some DOI characters
    if _DOI.fullmatch(doi) or _SHORT_DOI.fullmatch(doi):
        return doi
    return None


#: YYYY, YYYY-MM, YYYY-MM-DD; a time of day (Zotero's urldate has one) is ignored.
_ISO_DATE = re.compile(
    r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?"
)


def _parse_iso_date(text: str) -> list[list[int]] | None:
    """CSL date-parts of an ISO date or closed range (``2020-03/2020-05``), or None."""
    halves = text.strip().split("/")
    if len(halves) > 2:
        return None
    parts: list[list[int]] = []
    for half in halves:
        match = _ISO_DATE.fullmatch(half.strip())
        if match is None:
            return None
        numbers = [int(g) for g in match.groups() if g is not None]
        if not _valid_date(numbers):
            return None
        parts.append(numbers)
    return parts


def _valid_date(numbers: list[int]) -> bool:
    """True when month and day (if any) exist in the calendar."""
    if len(numbers) >= 2 and not 1 <= numbers[1] <= 12:
        return False
    if len(numbers) == 3:
        return 1 <= numbers[2] <= calendar.monthrange(numbers[0], numbers[1])[1]
    return True


_MONTH_NUMBERS = {
    **{name.lower(): i for i, name in enumerate(calendar.month_name) if name},
    **{name.lower(): i for i, name in enumerate(calendar.month_abbr) if name},
    "sept": 9,
}


_MONTH_RANGE = re.compile(r"\s*[-/\u2013\u2014]+\s*")


def _parse_months(text: str) -> list[int] | None:
    """``March``, ``mar``, ``3``, ``Mar.`` -> [3]; ``Mar-Apr`` -> [3, 4]; None if not months."""
    halves = [h.rstrip(".").lower() for h in _MONTH_RANGE.split(text.strip())]
    if not 1 <= len(halves) <= 2:
        return None
    months: list[int] = []
    for half in halves:
        number = int(half) if half.isdigit() else _MONTH_NUMBERS.get(half)
        if number is None or not 1 <= number <= 12:
            return None
        months.append(number)
    return months
