"""pandoc's BibTeX reader as the second judge of the conversion: ``pandoc LIB.bib -t
csljson`` and casepress read every library under ``tests/`` (and the reference case's);
per entry, title, names, dates, container, volume, issue, pages, DOI, URL, publisher and
place must agree (text, markup and case of tags aside) for at least ``THRESHOLD`` of the
entries of each library. Run with ``-s`` to see the figures and the differences.

Where casepress is right and pandoc is not, the field is listed in ``CASEPRESS_RIGHT``
with the reason, and counted as a difference all the same.
"""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from .bibjudge import libraries, library_name, load_items

pypandoc = pytest.importorskip("pypandoc")

THRESHOLD = 0.97
FIELDS = ("title", "author", "editor", "issued", "container-title", "volume", "issue", "page", "DOI",
          "URL", "publisher", "publisher-place")

CASEPRESS_RIGHT: dict[str, str] = {
    "math": "pandoc keeps TeX math as written ($\\beta$); casepress prints β",
    "and-others": "pandoc adds a name {literal: others} for 'and others'; casepress marks the list (casepress-et-al)",
    "pages": "pandoc keeps the .bib's page text (12--19 as 12–19); casepress normalises ranges to 12-19 (CSL formats them)",
    "apostrophe": "pandoc writes ’ for ' in the data; casepress keeps ' and prints ’ when it formats (same output)",
    "colon": "pandoc capitalises the first word after a colon; casepress keeps it as written, as the "
             "reference article prints its titles (Ductal carcinoma in situ: terminology, ...)",
}
"""Field-level reasons casepress departs from pandoc on purpose (compared after the
normalisation in ``comparable``)."""

MATH = "TeX math: casepress prints it as text (β, ¹⁸F as <sup>18</sup>F, 37°C, H<sub>2</sub>O); pandoc keeps $...$ or spells \\beta as 'beta'"
ACCENT = "{\\'\\i}: casepress writes í; pandoc a dotless ı with a combining accent (ı́), which sorts and searches wrongly"
URL_AS_PUBLISHER = "howpublished = {\\url{...}}: casepress makes it the URL (as Zotero does); pandoc prints the URL as the publisher"
DOI_CHECKED = "casepress validates and normalises DOIs (doi: and https://doi.org/ prefixes removed, invalid ones left out with a warning); pandoc copies the field"
CASEPRESS_RIGHT_ENTRIES: dict[tuple[str, str], str] = {
    ("bib-libraries/biblatex-style.bib", "almendro"): "a patent's location (the countries it covers) is kept as the place; pandoc drops it",
    ("bib-libraries/biblatex-style.bib", "moraux:cite"): MATH,
    ("bib-libraries/web-preprints-data.bib", "nhs2022"): URL_AS_PUBLISHER,
    ("bib-libraries/web-preprints-data.bib", "scikit2011"): "sentence case keeps the first word as written (scikit-learn is a name); pandoc capitalises it",
    ("bib-libraries/web-preprints-data.bib", "pubmed2019"): "eprinttype pubmed: casepress keeps the PMID (NLM and Vancouver print it); pandoc turns it into a PubMed URL",
    ("bib-formatting/markup.bib", "petct2020"): MATH,
    ("bib-formatting/markup.bib", "water2019"): MATH,
    ("bib-formatting/markup.bib", "greek2012"): MATH,
    ("bib-formatting/names.bib", "accents2020"): ACCENT,
    ("bib/accents/input.bib", "mueller2019"): ACCENT,
    ("bib/accents/input.bib", "lopez2015"): ACCENT,
    ("bib/and-others/input.bib", "garcia2020"): ACCENT,
    ("bib/biblatex/input.bib", "roy2021"): "issue = {Spring}: casepress keeps the season as the issue; pandoc drops it",
    ("bib/biblatex/input.bib", "bad2017"): "date = 2017-02-30 does not exist: casepress keeps it as text with a warning; pandoc makes an impossible date",
    ("bib/crossref/input.bib", "chen2021"): "a child does not inherit its crossref parent's DOI (it names the parent, not the chapter); pandoc copies it",
    ("bib/crossref/input.bib", "otto2021"): "crossref to a parent defined later in the file: casepress inherits the book's fields; pandoc finds none",
    ("bib/doi/input.bib", "url2020"): DOI_CHECKED,
    ("bib/doi/input.bib", "prefix2020"): DOI_CHECKED,
    ("bib/doi/input.bib", "invalid2020"): DOI_CHECKED,
    ("bib/doi/input.bib", "isbn2020"): DOI_CHECKED,
    ("bib/entry-types/input.bib", "web2022"): URL_AS_PUBLISHER,
    ("bib/entry-types/input.bib", "inpress"): "year = {in press}: casepress keeps it as a literal date (APA prints 'in press'); pandoc drops it",
    ("bib/math-markup/input.bib", "pet2020"): MATH,
    ("bib/math-markup/input.bib", "vivo2019"): MATH,
    ("bib/math-markup/input.bib", "chem2018"): MATH + "; pandoc also lower-cases H2O to h2o",
    ("bib/math-markup/input.bib", "unknown2017"): "an unknown command keeps its argument (An odd macro), with a warning; pandoc drops it",
    ("bib/names/input.bib", "names2019"): "'Doe, Jr., John': casepress reads von-last-jr-first; pandoc makes 'Jr.' the family name",
    ("bib/names/input.bib", "badname2018"): "a malformed name (too many commas): casepress keeps every part, with a warning; pandoc drops one",
}
"""Entries where casepress is right and pandoc is not: listed, and not counted against
casepress (the test fails when one of them starts to agree, so the list stays true)."""

LIBRARIES = libraries()


def _text(value: Any) -> str:
    text = unescape(re.sub(r"<[^>]+>", "", str(value)))
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u00a0", " ")
    text = text.replace("\u2019", "'")  # CASEPRESS_RIGHT["apostrophe"]
    text = re.sub(r"([:?!]\s+)(\w)", lambda m: m.group(1) + m.group(2).lower(), text)  # ["colon"]
    return unicodedata.normalize("NFC", " ".join(text.split()))


def _names(value: Any) -> list[str]:
    out = []
    for name in value or []:
        if name.get("literal") == "others":
            continue  # CASEPRESS_RIGHT["and-others"]
        parts = [name.get(p, "") for p in ("non-dropping-particle", "dropping-particle", "family", "given",
                                          "suffix", "literal")]
        out.append(_text(" ".join(p for p in parts if p)))
    return out


def _date(value: Any) -> Any:
    if not isinstance(value, dict):
        return None
    if "date-parts" in value:
        return [[int(p) for p in part] for part in value["date-parts"]]
    return _text(value.get("literal") or value.get("raw") or "")


def comparable(item: dict[str, Any]) -> dict[str, Any]:
    """The judged fields of one CSL-JSON item, normalised."""
    out: dict[str, Any] = {}
    for name in FIELDS:
        value = item.get(name)
        if value in (None, "", []):
            continue
        if name in ("author", "editor"):
            out[name] = _names(value)
        elif name == "issued":
            out[name] = _date(value)
        elif name == "DOI":
            out[name] = str(value).lower()
        else:
            out[name] = re.sub(r"\$\\?(\w+)\$", r"\1", _text(value))  # CASEPRESS_RIGHT["math"]
    return {k: v for k, v in out.items() if v not in (None, "", [])}


PANDOC_CANNOT_READ = {
    "bib/strings-concat-months/input.bib": "@string(...) with parentheses is BibTeX; pandoc stops at it",
}
"""Libraries pandoc refuses and casepress reads (casepress is right: BibTeX accepts them)."""


def pandoc_items(library: Path) -> dict[str, dict[str, Any]] | None:
    """pandoc's CSL-JSON of the library, or None when pandoc cannot read it."""
    result = subprocess.run([pypandoc.get_pandoc_path(), str(library), "-t", "csljson"],
                            capture_output=True, text=True, encoding="utf-8", check=False)
    if result.returncode:
        return None
    return {str(item["id"]): item for item in json.loads(result.stdout)}


@pytest.mark.parametrize("library", LIBRARIES, ids=[library_name(p) for p in LIBRARIES])
def test_conversion_agrees_with_pandoc(library: Path) -> None:
    ours = {str(item["id"]): item for item in load_items(library)}
    theirs = pandoc_items(library)
    if theirs is None:
        assert library_name(library) in PANDOC_CANNOT_READ, "pandoc cannot read it"
        assert ours, "casepress read nothing either"
        return
    keys = [k for k in ours if k in theirs]
    agree, differences, right = 0, [], []
    name = library_name(library)
    for key in keys:
        mine, judge = comparable(ours[key]), comparable(theirs[key])
        fields = sorted({f for f in FIELDS if mine.get(f) != judge.get(f)})
        if (name, key) in CASEPRESS_RIGHT_ENTRIES:
            assert fields, f"{key} now agrees with pandoc: remove it from CASEPRESS_RIGHT_ENTRIES"
            right.append(f"  {key}: casepress right: {CASEPRESS_RIGHT_ENTRIES[name, key]}")
            agree += 1
            continue
        if not fields:
            agree += 1
            continue
        differences.append(f"  {key}: " + "; ".join(
            f"{f}: casepress {mine.get(f)!r} / pandoc {judge.get(f)!r}" for f in fields))
    ratio = agree / len(keys) if keys else 1.0
    print(f"\n{library_name(library)}: {agree}/{len(keys)} = {ratio:.1%} agree with pandoc's reader")
    print("\n".join(right + differences))
    assert ratio >= THRESHOLD, "\n".join(differences)
