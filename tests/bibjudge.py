"""The judges of casepress's citations: citeproc-js (the reference CSL processor) and
pandoc's BibTeX reader, run on the same inputs, and the comparison of their output with
casepress's, entry by entry (text, not markup; whitespace collapsed).

Helpers only; the tests are ``test_citeproc_agreement.py`` and ``test_pandoc_agreement.py``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from casepress.cite.bibtex import load_bibliography
from casepress.cite.csl import Bibliography, CiteRef, StyleInfo, find_style, plain_text
from casepress.core.diagnostics import Diagnostics

REPO = Path(__file__).resolve().parents[1]
JUDGE = REPO / "tests" / "bib-judge" / "citeproc.js"
CITEPROC_JS = REPO / ".cache" / "citeproc" / "node_modules" / "citeproc"
FRONTIERS_DIR = REPO / "templates" / "journals" / "frontiers"
STYLES = ("nlm-citation-sequence", "apa", "bmj", "american-medical-association", "frontiers")
"""The styles the issue names; ``frontiers`` is the one bundled with the journal template."""


def libraries() -> list[Path]:
    """Every library under ``tests/`` that loads without errors, and the reference case's."""
    found = [REPO / "cases" / "dcis-bone-marrow" / "references.bib"]
    found += sorted((REPO / "tests" / "bib-libraries").glob("*.bib"))
    found += sorted((REPO / "tests" / "bib-formatting").glob("*.bib"))
    for path in sorted((REPO / "tests" / "bib").glob("*/input.bib")):
        diagnostics = Diagnostics()
        load_bibliography([path], diagnostics)
        if not diagnostics.has_errors:
            found.append(path)
    return found


def library_name(path: Path) -> str:
    """``bib-libraries/theses.bib``: the path below ``tests/`` (or the case's)."""
    for root in (REPO / "tests", REPO / "cases"):
        if path.is_relative_to(root):
            return str(path.relative_to(root))
    return path.name


def normalise(text: str) -> str:
    """Text only, whitespace (no-break spaces too) collapsed."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def load_items(path: Path) -> list[dict[str, Any]]:
    """The library's CSL-JSON items, as casepress converts them."""
    return [entry.item for entry in load_bibliography([path], Diagnostics()).values()]


def style_path(name: str) -> Path:
    return find_style(name, [FRONTIERS_DIR])


def locale_of(style: Path) -> str:
    return StyleInfo.read(style).default_locale or "en-US"


@cache
def locales_dir() -> Path:
    """citeproc-py's locale files, which both processors read."""
    from importlib.util import find_spec

    spec = find_spec("citeproc")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent / "data" / "locales"


UNLISTED = "Zz-unlisted"
"""Family name of the stand-ins for the names an ``and others`` leaves out."""
_ET_AL_MARKERS = {"casepress-et-al": "author", "casepress-et-al-editor": "editor"}


def for_citeproc_js(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items as CSL-JSON without casepress's own ``casepress-*`` keys.

    CSL-JSON cannot say "and others"; casepress reads it as "the list goes on past any
    truncation" and prints what the style prints for a long list. For the judge, such a
    list gets stand-in names up to 25 (more than any common style's et-al-min): citeproc-js
    then truncates it as casepress does. Where the style shows more names than the source
    lists, the stand-ins print and the entry cannot be judged (see ``unjudgeable``)."""
    out = []
    for item in items:
        item = dict(item)
        for marker, role in _ET_AL_MARKERS.items():
            if item.get(marker) and item.get(role):
                listed = item[role]
                item[role] = [*listed, *({"family": f"{UNLISTED}{n}", "given": "Q"}
                                         for n in range(max(1, 25 - len(listed))))]
        out.append({k: v for k, v in item.items() if not k.startswith("casepress-")})
    return out


def citeproc_js_available() -> bool:
    return shutil.which("node") is not None and CITEPROC_JS.is_dir()


@dataclass
class Formatted:
    """One processor's output for one library in one style."""

    entries: dict[str, str]
    """Bibliography entries by key, in the processor's order (label included)."""
    citations: dict[str, str]
    """Each item's in-text citation (every item cited once, in library order)."""


def citeproc_js(items: list[dict[str, Any]], style: Path) -> Formatted:
    request = {"style": str(style), "locales": str(locales_dir()), "lang": locale_of(style),
               "items": for_citeproc_js(items), "format": "text"}
    env = {**os.environ, "CITEPROC_JS_MODULES": str(CITEPROC_JS.parent)}
    result = subprocess.run(["node", str(JUDGE)], input=json.dumps(request), capture_output=True,
                            text=True, encoding="utf-8", check=True, env=env)
    data = json.loads(result.stdout)
    return Formatted({k: normalise(t) for k, t in data["entries"]},
                     {k: normalise(t) for k, t in data["citations"]})


def casepress(items: list[dict[str, Any]], style: Path) -> Formatted:
    bibliography = Bibliography(items, style, locale=locale_of(style), use_cache=False)
    keys = [str(item["id"]) for item in items]
    cites = bibliography.cite([[CiteRef(key)] for key in keys])
    entries = {e.key: normalise(f"{e.label or ''} {plain_text(e.html)}") for e in bibliography.entries()}
    return Formatted(entries, {k: normalise(plain_text(c)) for k, c in zip(keys, cites, strict=True)})


@dataclass
class Agreement:
    """How many entries (and citations) of one library agree, and the others."""

    library: str
    style: str
    total: int = 0
    agree: int = 0
    differences: dict[str, tuple[str, str]] = field(default_factory=dict)
    """key -> (casepress, judge) for entries that differ (a citation is keyed ``cite:KEY``)."""
    unjudgeable: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Entries whose source says "and others" where the style lists more names than the
    source has: citeproc-js prints the stand-ins, casepress the listed names and "et al."."""

    @property
    def ratio(self) -> float:
        return self.agree / self.total if self.total else 1.0

    def report(self) -> str:
        lines = [f"{self.library} / {self.style}: {self.agree}/{self.total} = {self.ratio:.1%}"
                 + (f" ({len(self.unjudgeable)} not judgeable)" if self.unjudgeable else "")]
        for key, (ours, theirs) in self.differences.items():
            lines.append(f"  {key}\n    casepress:   {ours}\n    citeproc-js: {theirs}")
        return "\n".join(lines)


def compare(library: Path, style_name: str) -> Agreement:
    items = load_items(library)
    style = style_path(style_name)
    ours, theirs = casepress(items, style), citeproc_js(items, style)
    result = Agreement(library_name(library), style_name)
    pairs = [(k, ours.entries.get(k, ""), theirs.entries.get(k, "")) for k in theirs.entries]
    pairs += [(f"cite:{k}", ours.citations.get(k, ""), theirs.citations.get(k, "")) for k in theirs.citations]
    if list(ours.entries) != list(theirs.entries):
        # with stand-in names in the judge's items, its sort keys differ: not judgeable then
        stand_ins = any(UNLISTED in text for text in theirs.entries.values())
        pairs.append(("order", " ".join(ours.entries), " ".join(theirs.entries)
                      + (f" [{UNLISTED}]" if stand_ins else "")))
    for key, mine, judge in pairs:
        if UNLISTED in judge:
            result.unjudgeable[key] = (mine, judge)
            continue
        result.total += 1
        if mine == judge:
            result.agree += 1
        else:
            result.differences[key] = (mine, judge)
    return result
