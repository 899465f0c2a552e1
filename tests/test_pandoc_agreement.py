"""Peer as judge: pandoc 3's citeproc formats the same CSL-JSON with the same .csl file,
and the two bibliographies must agree entry by entry (text, not markup).

The libraries: the reference case and every ``tests/bib-formatting/*.bib`` (hard cases
built for this: accents, particles, corporate authors, et al., every common entry type,
markup in titles, missing fields). Run with ``-s`` to see the figures and the list of
disagreements.

The disagreements left are known, and casepress is the one to keep in each:
* ``169-184.e7``: pandoc prints a page range with a suffix in full; Frontiers prints
  ``169–84.e7`` (the reference article), and so does casepress.
* an editor list cut short with "and others": pandoc writes ``Redactor R,et al.`` with
  the Frontiers style (no space); NLM and AMA styles whose ``cs:names`` has a label and
  no ``cs:name``: pandoc puts the label first (``In, editorEvans DH``).
* ``F.-A.`` with ``initialize-with-hyphen="false"`` (NLM, AMA): pandoc keeps ``F-A``,
  casepress prints ``FA`` as the option says.
"""

from __future__ import annotations

import json
import re
import subprocess
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from casepress.cite.bibtex import load_bibliography
from casepress.cite.csl import Bibliography, CiteRef, find_style, plain_text
from casepress.core.diagnostics import Diagnostics

pypandoc = pytest.importorskip("pypandoc")

REPO = Path(__file__).resolve().parents[1]
LIBRARIES = [REPO / "cases" / "dcis-bone-marrow" / "references.bib",
             *sorted((REPO / "tests" / "bib-formatting").glob("*.bib"))]
FRONTIERS = REPO / "templates" / "journals" / "frontiers" / "frontiers.csl"
OTHER_STYLES = ["nlm-citation-sequence", "bmj", "elsevier-vancouver", "american-medical-association", "ieee", "apa"]
"""Styles measured too (the journals' defaults and common medical and author-date
styles), with a lower bar: a regression guard, not the acceptance figure."""
THRESHOLD = 0.95
"""Agreement asked of the bundled Frontiers style."""
OTHER_THRESHOLD = 0.90


def normalise(text: str) -> str:
    """Text only, whitespace collapsed."""
    return re.sub(r"\s+", " ", text).strip()


class _Entries(HTMLParser):
    """The text of each ``<div id="ref-KEY">`` in pandoc's HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.entries: dict[str, list[str]] = {}
        self._key: str | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        ident = dict(attrs).get("id") or ""
        if self._key is None and tag == "div" and ident.startswith("ref-"):
            self._key, self._depth = ident[4:], 0
            self.entries[self._key] = []
        elif self._key is not None and tag == "div":
            self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self._key is not None and tag == "div":
            if self._depth == 0:
                self._key = None
            else:
                self._depth -= 1
                self.entries[self._key].append(" ")

    def handle_data(self, data: str) -> None:
        if self._key is not None:
            self.entries[self._key].append(data)


def for_pandoc(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items as pandoc reads them: casepress's "and others" marker becomes pandoc's
    own convention for it, a last name ``{"literal": "others"}`` (pandoc prints it as
    "et al.", or truncates as the style says when the list is long enough)."""
    out = []
    for item in items:
        item = dict(item)
        for role, marker in (("author", "casepress-et-al"), ("editor", "casepress-et-al-editor")):
            if item.get(marker) and item.get(role):
                item[role] = [*item[role], {"literal": "others"}]
        out.append({k: v for k, v in item.items() if not k.startswith("casepress-")})
    return out


def pandoc_entries(items: list[dict[str, Any]], style: Path, folder: Path) -> dict[str, str]:
    """pandoc's bibliography, every key cited once in the given order."""
    bib_json = folder / "items.json"
    bib_json.write_text(json.dumps(for_pandoc(items)), encoding="utf-8")
    document = " ".join(f"[@{{{item['id']}}}]" for item in items) + "\n"
    result = subprocess.run(
        [pypandoc.get_pandoc_path(), "--citeproc", "--csl", str(style), "--bibliography", str(bib_json),
         "-f", "markdown", "-t", "html", "--wrap=none"],
        input=document, capture_output=True, text=True, check=True, encoding="utf-8",
    )
    parser = _Entries()
    parser.feed(result.stdout)
    return {key: normalise(unescape("".join(parts))) for key, parts in parser.entries.items()}


def our_entries(items: list[dict[str, Any]], style: Path) -> dict[str, str]:
    bibliography = Bibliography(items, style, locale=None, use_cache=False)
    bibliography.cite([[CiteRef(str(item["id"]))] for item in items])
    return {e.key: normalise(f"{e.label or ''} {plain_text(e.html)}") for e in bibliography.entries()}


def compare(style: Path, tmp_path: Path) -> tuple[int, int, list[str]]:
    agree, total, differences = 0, 0, []
    for library in LIBRARIES:
        items = [e.item for e in load_bibliography([library], Diagnostics()).values()]
        ours, theirs = our_entries(items, style), pandoc_entries(items, style, tmp_path)
        assert set(ours) == set(theirs), f"{library.name}: not the same entries"
        if list(ours) != list(theirs):
            differences.append(f"{library.name}: order differs\n    casepress: {list(ours)}\n    pandoc:    {list(theirs)}")
        for key in ours:
            total += 1
            if ours[key] == theirs[key]:
                agree += 1
            else:
                differences.append(f"{library.name} {key}\n    casepress: {ours[key]}\n    pandoc:    {theirs[key]}")
    return agree, total, differences


def test_frontiers_agrees_with_pandoc(tmp_path: Path) -> None:
    agree, total, differences = compare(FRONTIERS, tmp_path)
    print(f"\npandoc agreement (frontiers.csl): {agree}/{total} = {agree / total:.1%}")
    for difference in differences:
        print(difference)
    assert agree / total >= THRESHOLD


@pytest.mark.parametrize("name", OTHER_STYLES)
def test_other_styles_agreement_is_measured(name: str, tmp_path: Path) -> None:
    agree, total, differences = compare(find_style(name), tmp_path)
    print(f"\npandoc agreement ({name}): {agree}/{total} = {agree / total:.1%}")
    for difference in differences:
        print(difference)
    assert agree / total >= OTHER_THRESHOLD
