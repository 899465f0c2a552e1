"""The JATS building blocks: DTD-valid front matter and reference list for the reference case,
a DTD-valid article with every kind of block, and the pieces one by one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from casepress.cite.csl import Bibliography, CiteRef, find_style, plain_text
from casepress.core.diagnostics import Diagnostics
from casepress.outputs.jats import article as A
from casepress.outputs.jats import back as K
from casepress.outputs.jats import body as B
from casepress.outputs.jats import front as F
from casepress.outputs.jats import inline as I
from casepress.outputs.jats import refs as R
from casepress.build.pipeline import CheckedCase, check_case
from casepress.core.project import Project

from .conftest import REPO
from .judges import jats_errors, pandoc_references, pandoc_text


# Neutral inline nodes shaped as the resolve stage's (matched by shape, not by class).
@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Styled:
    style: str
    children: tuple[Any, ...]


@dataclass(frozen=True)
class Link:
    href: str
    children: tuple[Any, ...]


@dataclass(frozen=True)
class CitationLink:
    key: str
    children: tuple[Any, ...]


@dataclass(frozen=True)
class Cluster:
    text: tuple[Any, ...]


@dataclass(frozen=True)
class Part:
    text: str
    target: str


@dataclass(frozen=True)
class Label:
    kind: str
    word: str
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Group:
    citation: Cluster | None
    crossrefs: tuple[Label, ...]


@cache
def reference_case() -> CheckedCase:
    checked = check_case(REPO / "cases/dcis-bone-marrow/case.yaml", Project(REPO), Diagnostics())
    assert checked is not None
    return checked


def formatted_entries(checked: CheckedCase) -> list[R.RefEntry]:
    """The reference list in the frontiers style; the printed text as one text node each
    (the resolve stage will hand over the styled nodes)."""
    keys = checked.library.cited_keys
    style = find_style("frontiers", [REPO / "templates/journals/frontiers"])
    bibliography = Bibliography([checked.library.entries[k].item for k in keys], style, locale="en-US")
    bibliography.cite([[CiteRef(k)] for k in keys])
    return [R.RefEntry(checked.library.entries[e.key].item, plain_text(e.label) if e.label else None,
                       (Text(plain_text(e.html)),)) for e in bibliography.entries()]


def wrap(front: etree._Element, body: list[etree._Element], back: etree._Element | None) -> bytes:
    return A.to_bytes(A.article(front, body, back))


def test_reference_case_front_and_48_refs_are_dtd_valid(tmp_path: Path) -> None:
    checked = reference_case()
    case = checked.case
    meta = F.journal_meta_for(case, "frontiers", issn="2234-943X")
    front = F.front(case, meta, F.FrontParts(abstract=B.abstract(case), build_day=date(2025, 1, 1),
                                             article_id=checked.slug))
    refs = R.ref_list(formatted_entries(checked))
    data = wrap(front, [B.sec("Introduction", [etree.fromstring("<p>Text.</p>")], sec_type="intro", care=["4"])],
                K.back([], refs))
    assert jats_errors(data) == []
    root = etree.fromstring(data)
    assert root.get("article-type") == "case-report" and root.get("dtd-version") == "1.1"
    assert len(root.findall("back/ref-list/ref")) == 48
    assert root.findtext("front/article-meta/article-id[@pub-id-type='doi']") == "10.3389/fonc.2024.1473896"
    contribs = root.findall("front/article-meta/contrib-group/contrib")
    assert [c.findtext("name/surname") for c in contribs] == ["Zhang", "Du", "Wu", "Zhang", "Dong"]
    assert [c.get("corresp") for c in contribs] == [None, "yes", None, None, None]
    assert [x.get("rid") for x in contribs[0].findall("xref[@ref-type='aff']")] == ["aff1", "aff2"]
    assert root.findtext("front/article-meta/author-notes/corresp/email") == "13573603087@163.com"
    assert [d.get("iso-8601-date") for d in root.findall("front/article-meta/history/date")] == ["2024-07-31", "2024-12-09"]
    license_el = root.find("front/article-meta/permissions/license")
    assert license_el is not None and license_el.findtext("{http://www.niso.org/schemas/ali/1.0/}license_ref") == \
        "https://creativecommons.org/licenses/by/4.0/"
    assert len(root.findall("front/article-meta/kwd-group/kwd")) == 7
    first = root.find("back/ref-list/ref")
    assert first is not None and first.get("id") == "ref1" and first.findtext("label") == "1."
    assert first.findtext("citation-alternatives/element-citation/person-group/name/surname") == "Allred"
    assert first.findtext("citation-alternatives/element-citation/fpage") == "134"
    assert first.findtext("citation-alternatives/element-citation/pub-id[@pub-id-type='doi']") == "10.1093/jncimonographs/lgq035"
    assert "Allred DC" in "".join(first.find("citation-alternatives/mixed-citation").itertext())
    text = pandoc_text(data, "jats", tmp_path)
    assert "Bone marrow metastasis and bone marrow necrosis" in text and "Zhonghai Du" in text
    # pandoc, an independent reader, finds every structured reference with its parts.
    read = pandoc_references(data, tmp_path)
    items = [checked.library.entries[k].item for k in checked.library.cited_keys]
    assert len(read) == len(items) == 48
    for ours, theirs in zip(items, read):
        assert untagged(theirs["title"]) == untagged(ours["title"])
        assert theirs["DOI"] == ours["DOI"] and theirs["volume"] == ours["volume"]
        assert [a["family"] for a in theirs["author"]] == [a["family"] for a in ours["author"]]
        assert theirs["issued"] == ours["issued"]
        if "-" in ours["page"]:
            assert theirs["page"] == ours["page"].replace("–", "-")


def untagged(title: str) -> str:
    return re.sub(r"<[^>]+>", "", title)


def test_an_article_with_every_block_is_dtd_valid(tmp_path: Path) -> None:
    case = reference_case().case
    ids = {"allred2010": "ref1", "bray2024": "ref2"}
    group = Group(Cluster((Text("("), CitationLink("allred2010", (Text("1"),)), Text("–"),
                           CitationLink("bray2024", (Text("2"),)), Text(")"))),
                  (Label("figure", "Figures", (Part("1A–C", "fig-histology"),)),))

    def groups(path: B.FieldPath) -> I.GroupRenderer:
        return lambda g, ordinal: B.group_content(group, ids)

    figure = B.fig(B.FigureSpec(
        "fig-histology", "Figure 1", "Hematoxylin-eosin staining", ("figures", 0, "caption"),
        (B.PanelCaption("A–C", "Breast, *2013*", ("figures", 0, "panels", 0, "caption")),),
        (B.Graphic(("Figure-1.svg", "Figure-1.png"), "Three panels"), B.Graphic(("Figure-1D.jpg",), "Marrow", "D")),
        placeholder=True), groups)
    table = B.table_wrap(B.TableSpec(
        "tbl-labs", "Table 1", B.inline_markdown("Laboratory *results*"),
        (B.TableCell(("Analyte",)), B.TableCell(("Value",))),
        ((B.TableCell(("Platelets",), header=True), B.TableCell(("16",), attrs={"content-type": "low"})),),
        (("L, below the reference range.",),)))
    body = [B.sec("Case description", [*I.markdown_blocks("She had pain [@allred2010].\n\n- one\n- two", groups(())),
                                       figure, table], sec_id="s1", sec_type="cases", care=["5a", "5b"], label="2")]
    statements = [K.Statement("acknowledgements", "Acknowledgments", ((("declarations", "acknowledgements"), "Thanks."),)),
                  K.Statement("competing-interests", "Conflict of interest", ((("x",), "None."),)),
                  K.Statement("consent", "Patient consent", ((("y",), "Obtained."),))]
    front = F.front(case, F.journal_meta_for(case, "frontiers"), F.FrontParts(build_day=date(2025, 1, 1)))
    refs = R.ref_list([R.RefEntry({"id": "allred2010", "type": "article-journal", "title": "A"}, "1"),
                       R.RefEntry({"id": "bray2024", "type": "book", "title": "B"}, "2")])
    data = wrap(front, body, K.back(statements, refs))
    assert jats_errors(data) == []
    root = etree.fromstring(data)
    section = root.find("body/sec")
    assert section is not None and section.get("specific-use") == "care:5a care:5b" and section.get("sec-type") == "cases"
    assert [x.get("rid") for x in section.iter("xref")][:3] == ["ref1", "ref2", "fig-histology"]
    assert [x.get("rid") for x in section.iter("xref") if x.get("ref-type") == "fig"] == ["fig-histology"]
    graphics = root.findall(".//fig/alternatives/graphic")
    assert [g.get("mime-subtype") for g in graphics] == ["svg+xml", "png"]
    assert root.find(".//fig").get("specific-use") == "placeholder"
    assert [c.tag for c in root.find(".//table-wrap/table/tbody/tr")] == ["th", "td"]
    assert root.find("back/ack/title").text == "Acknowledgments"
    assert [s.get("sec-type") for s in root.findall("back/sec")] == ["coi-statement", "consent-statement"]
    text = pandoc_text(data, "jats", tmp_path, to="commonmark")
    for expected in ("Case description", "She had pain (1–2)", "Platelets", "Conflict of interest", "1A–C</a>",
                     "Hematoxylin-eosin staining", "(A–C)", "Breast", 'alt="Marrow"'):
        assert expected in text


def test_the_validator_sees_a_builder_mistake() -> None:
    # The same article with the label after the title (the DTD wants label, title): rejected.
    front = F.front(reference_case().case, F.journal_meta_for(reference_case().case, "x"), F.FrontParts())
    section = B.sec("Intro", [etree.fromstring("<p>x</p>")], label="1")
    section.insert(0, section[1])
    assert any("sec" in e for e in jats_errors(wrap(front, [section], None)))


@pytest.mark.parametrize(("page", "expected"), [
    ("134-138", [("fpage", "134"), ("lpage", "138")]),
    ("169-184.e7", [("fpage", "169"), ("lpage", "184.e7")]),
    ("e356–e364", [("fpage", "e356"), ("lpage", "e364")]),
    ("458", [("fpage", "458")]),
    ("1390361", [("elocation-id", "1390361")]),
    ("e4181", [("elocation-id", "e4181")]),
])
def test_pages(page: str, expected: list[tuple[str, str]]) -> None:
    assert [(e.tag, e.text) for e in R.pages({"type": "article-journal", "page": page})] == expected


def test_element_citation_fields() -> None:
    item = {
        "id": "k", "type": "chapter", "casepress-et-al": True,
        "author": [{"family": "Gogh", "non-dropping-particle": "van", "given": "V."}, {"literal": "WHO"}],
        "editor": [{"family": "Ed", "given": "A."}],
        "title": "On <i>BRCA1</i> <span class=\"nocase\">DCIS</span>", "container-title": "Book",
        "publisher": "Pub", "publisher-place": "Here", "issued": {"date-parts": [[2020, 3]]},
        "DOI": "10.1/x", "PMID": "123", "PMCID": "PMC9",
    }
    citation = R.element_citation(item)
    assert citation.get("publication-type") == "book"
    authors, editors = citation.findall("person-group")
    assert authors.get("person-group-type") == "author" and editors.get("person-group-type") == "editor"
    assert authors.findtext("name/surname") == "van Gogh" and authors.findtext("collab") == "WHO"
    assert authors[-1].tag == "etal" and editors.find("etal") is None
    title = citation.find("chapter-title")
    assert etree.tostring(title, encoding="unicode") == "<chapter-title>On <italic>BRCA1</italic> DCIS</chapter-title>"
    assert citation.find("year").get("iso-8601-date") == "2020-03" and citation.findtext("month") == "03"
    assert [(p.get("pub-id-type"), p.text) for p in citation.findall("pub-id")] == [
        ("doi", "10.1/x"), ("pmid", "123"), ("pmcid", "PMC9")]


def test_neutral_inlines() -> None:
    nodes = (Styled("italic", (Text("a"),)), Text(" "), CitationLink("k", (Text("1"),)), Text(" "),
             Link("https://doi.org/10.1/x", (Text("doi"),)), Styled("light", (Text("l"),)),
             CitationLink("unknown", (Text("9"),)))
    p = I.append_inlines(etree.Element("p"), nodes, {"k": "ref1"})
    assert etree.tostring(p, encoding="unicode").replace(' xmlns:ns0="http://www.w3.org/1999/xlink"', "").replace("ns0:", "xlink:") == (
        '<p><italic>a</italic> <xref ref-type="bibr" rid="ref1">1</xref> '
        '<ext-link ext-link-type="uri" xlink:href="https://doi.org/10.1/x">doi</ext-link>l9</p>')
    with pytest.raises(TypeError):
        I.append_inlines(etree.Element("p"), [42], {})


def test_markdown_blocks_floats_and_group_ordinals() -> None:
    seen: list[int] = []

    def groups(group: Any, ordinal: int) -> list[str]:
        seen.append(ordinal)
        return [f"<{ordinal}>"]

    blocks = I.markdown_blocks("One [@a] and @fig-x.\n\n1. *two* [@b]\n2. three",
                               groups, after_block=lambda i: [etree.Element("fig", id=f"after{i}")])
    assert [b.tag for b in blocks] == ["p", "fig", "list", "fig"]
    assert seen == [0, 1, 2]
    assert blocks[2].get("list-type") == "order"
    assert etree.tostring(blocks[2][0], encoding="unicode") == "<list-item><p><italic>two</italic> &lt;2&gt;</p></list-item>"
    assert "".join(blocks[0].itertext()) == "One <0> and <1>."


def test_a_collapsed_range_tags_every_entry_inside() -> None:
    ids = {"a": "ref1", "b": "ref2", "c": "ref3", "d": "ref4"}
    cluster = Cluster((Text("("), CitationLink("a", (Text("1"),)), Text("–"), CitationLink("c", (Text("3"),)),
                       Text(", "), CitationLink("d", (Text("4"),)), Text(")")))
    content = B.group_content(Group(cluster, ()), ids)
    assert [x.get("rid") for x in content if isinstance(x, etree._Element)] == ["ref1", "ref2 ref3", "ref4"]
    assert "".join(x if isinstance(x, str) else x.text for x in content) == "(1–3, 4)"
