"""BibTeX -> CSL-JSON (:mod:`casepress.cite.bibtex`), tested against the scenarios in tests/bib/.

Each folder of ``tests/bib/`` is one scenario, found by listing the folder:

* one or more ``*.bib`` files, loaded together in name order (``input.bib``; or
  ``1-main.bib``, ``2-extra.bib`` for scenarios spanning files);
* ``expected.json``: the CSL-JSON list :func:`casepress.cite.bibtex.to_csl_json` must return;
* ``expected-diagnostics.txt``: the diagnostics, sorted, one ``Diagnostic.format()``
  per line (hints on their indented line), paths relative to the repository root.
  No file means that no diagnostic at all is expected.

Both comparisons are exact. After an intended change of behaviour, regenerate with::

    CASEPRESS_REGEN=1 pytest tests/test_bibtex.py

Regenerated scenarios are reported as skipped, not passed. The expected files are
the specification: read every regenerated file (``git diff tests/bib``) before
committing it.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from casepress.cite.bibtex import BibEntry, load_bibliography, parse_bibtex_text, to_csl_json
from casepress.core.diagnostics import Diagnostics, Severity

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = Path(__file__).resolve().parent / "bib"
REGENERATE = os.environ.get("CASEPRESS_REGEN") == "1"


def _scenario_names() -> list[str]:
    return sorted(p.name for p in SCENARIOS.iterdir() if p.is_dir())


def _load(name: str) -> tuple[list[dict[str, object]], str]:
    """CSL-JSON and formatted diagnostics of one scenario, loaded from the repository root."""
    folder = SCENARIOS / name
    files = sorted(p.relative_to(ROOT) for p in folder.glob("*.bib"))
    diagnostics = Diagnostics()
    entries = load_bibliography(files, diagnostics)
    text = "\n".join(d.format() for d in diagnostics.sorted())
    return to_csl_json(entries), text


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the repository root, so that diagnostics show repository-relative paths."""
    monkeypatch.chdir(ROOT)
    return ROOT


def test_scenarios_are_complete() -> None:
    """Every scenario folder has input and expectations (guards against an empty parametrize)."""
    names = _scenario_names()
    assert len(names) >= 15
    for name in names:
        folder = SCENARIOS / name
        assert list(folder.glob("*.bib")), f"{name}: no .bib file"
        assert (folder / "expected.json").is_file(), f"{name}: no expected.json"


@pytest.mark.parametrize("name", _scenario_names())
def test_scenario(name: str, at_root: Path) -> None:
    folder = SCENARIOS / name
    items, diagnostics = _load(name)
    expected_json = folder / "expected.json"
    expected_diagnostics = folder / "expected-diagnostics.txt"
    if REGENERATE:
        expected_json.write_text(json.dumps(items, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if diagnostics:
            expected_diagnostics.write_text(diagnostics + "\n", encoding="utf-8")
        elif expected_diagnostics.exists():
            expected_diagnostics.unlink()
        pytest.skip(f"regenerated tests/bib/{name}/: review the diff")
    assert items == json.loads(expected_json.read_text(encoding="utf-8"))
    wanted = expected_diagnostics.read_text(encoding="utf-8").rstrip("\n") if expected_diagnostics.exists() else ""
    assert diagnostics == wanted


def test_inline_string() -> None:
    text = """
@string{bmj = "BMJ"}
@Article{Doe2021,
  AUTHOR = {Doe, Jane and von Au, A. and Smith, Jr., John and {The CARE Group} and others},
  TITLE = {A {CARE}-compliant report of $\\alpha$-thalassaemia in S\\~{a}o Paulo},
  journal = bmj # " Case Rep",
  year = 2021, month = feb,
  pages = {e240--e245},
  doi = {https://doi.org/10.5555/abc.123},
}
"""
    diagnostics = Diagnostics()
    entries = parse_bibtex_text(text, Path("inline.bib"), diagnostics)
    assert list(diagnostics) == []
    entry = entries["Doe2021"]
    assert isinstance(entry, BibEntry)
    assert entry.line == 3
    assert entry.location.file == "inline.bib" and entry.location.line == 3
    item = entry.item
    assert item["id"] == "Doe2021"
    assert item["type"] == "article-journal"
    assert item["casepress-et-al"] is True
    assert item["author"] == [
        {"family": "Doe", "given": "Jane"},
        {"family": "Au", "given": "A.", "non-dropping-particle": "von"},
        {"family": "Smith", "given": "John", "suffix": "Jr."},
        {"literal": "The CARE Group"},
    ]
    assert item["title"] == 'A <span class="nocase">CARE</span>-compliant report of α-thalassaemia in são paulo'  # unbraced: sentence case, as BibTeX
    assert item["container-title"] == "BMJ Case Rep"
    assert item["issued"] == {"date-parts": [[2021, 2]]}
    assert item["page"] == "e240-e245"
    assert item["DOI"] == "10.5555/abc.123"
    # to_csl_json hands out copies: the entries stay as they were.
    to_csl_json(entries)[0]["title"] = "changed"
    assert entry.item["title"].startswith("A <span")


def test_syntax_error_line_is_one_based() -> None:
    text = "\n\n@article{broken,\n  title = {Unclosed,\n}\n"
    diagnostics = Diagnostics()
    assert parse_bibtex_text(text, Path("x.bib"), diagnostics) == {}
    [error] = diagnostics.errors
    assert error.code == "bibtex-syntax"
    assert error.location is not None and error.location.line == 3
    assert "'broken'" in error.message


def test_libraries_log_nothing(caplog: pytest.LogCaptureFixture) -> None:
    """Problems are diagnostics: bibtexparser's and pylatexenc's log lines must not leak."""
    caplog.set_level(logging.DEBUG)
    diagnostics = Diagnostics()
    text = "@article{a,\n title = {x\n@book{b, title={\\\"\\url y}, author={Z, Z}}\n"
    parse_bibtex_text(text, Path("x.bib"), diagnostics)
    assert [d.code for d in diagnostics] == ["bibtex-syntax"]
    assert caplog.records == []
    assert logging.getLogger("bibtexparser").level == logging.NOTSET
    assert logging.getLogger("pylatexenc").level == logging.NOTSET


def test_unreadable_file_is_an_encoding_error(tmp_path: Path) -> None:
    diagnostics = Diagnostics()
    assert load_bibliography([tmp_path], diagnostics) == {}  # a directory: unreadable
    [error] = diagnostics.items
    assert (error.severity, error.code) == (Severity.ERROR, "encoding")
    assert error.location is not None and error.location.file.endswith(tmp_path.name)


@pytest.mark.parametrize(
    ("raw", "doi"),
    [
        ("10.5555/12345678", "10.5555/12345678"),
        ("https://doi.org/10.5555/a%2Fb", "10.5555/a/b"),
        ("http://dx.doi.org/10.5555/x", "10.5555/x"),
        ("doi:10.5555/x", "10.5555/x"),
        ("DOI: 10.5555/x", "10.5555/x"),
        ("10/dvzd5z", "10/dvzd5z"),
        ("10.5555/a\\_b", "10.5555/a_b"),
        ("5555/x", None),
        ("10.55/x", None),
        ("https://example.org/10.5555/x", None),
    ],
)
def test_doi_forms(raw: str, doi: str | None) -> None:
    text = f"@article{{k, author={{A, B}}, title={{T}}, doi={{{raw}}}}}"
    diagnostics = Diagnostics()
    item = parse_bibtex_text(text, Path("d.bib"), diagnostics)["k"].item
    assert item.get("DOI") == doi
    assert [d.code for d in diagnostics] == ([] if doi else ["invalid-doi"])


def _library(size: int) -> str:
    """A library shaped like a Zotero export: accents, braces, math, long abstracts."""
    entries = []
    for i in range(size):
        authors = " and ".join(
            f"M{{\\\"u}}ller{i % 7}-{j}, J{{\\\"o}}rg and von Au{j}, A. and Garc{{\\'\\i}}a, Jos{{\\'e}}"
            for j in range(1 + i % 4)
        )
        entries.append(
            f"""@article{{key{i},
  title = {{{{DNA}} repair case {i} with $\\alpha$-interferon and $^{{18}}$F-FDG in \\emph{{E. coli}}}},
  author = {{{authors}}},
  date = {{2020-0{1 + i % 9}-1{i % 10}}},
  journaltitle = {{J Med Case Rep {i % 40}}},
  volume = {{{i % 80}}}, number = {{{i % 12 + 1}}}, pages = {{{i}--{i + 7}}},
  doi = {{10.5555/jmcr.{i}}}, url = {{https://example.org/{i}?q=a%20b}}, urldate = {{2024-01-15}},
  langid = {{english}}, keywords = {{case report,rare disease}},
  abstract = {{{"Background and case presentation. " * 40}}},
  eprint = {{{30000000 + i}}}, eprinttype = {{pmid}},
}}"""
        )
    return "\n\n".join(entries)


def test_large_library_converts_every_entry() -> None:
    """570 entries convert whole (their speed is measured by `benchmarks/run.py bib`, not here:
    a wall-clock bound in a test fails on a loaded machine and proves nothing on a fast one)."""
    text = _library(570)
    entries = parse_bibtex_text(text, Path("big.bib"), Diagnostics())
    assert len(entries) == 570
    assert entries["key7"].item["author"][0] == {"family": "Müller0-0", "given": "Jörg"}
