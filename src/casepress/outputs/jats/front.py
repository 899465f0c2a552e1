"""``<front>``: journal-meta and article-meta from the case.

Follows the JATS4R recommendations where they apply: ORCID iDs as ``contrib-id`` with the
full ``https://orcid.org/`` URI; affiliations as ``aff`` elements with ids, linked from each
contributor by ``xref ref-type="aff"``; the corresponding author marked ``corresp="yes"``
with an ``xref ref-type="corresp"`` to the ``corresp`` note holding the e-mail address; the
licence as ``ali:license_ref`` (and ``xlink:href`` on ``license``) with the statement as
``license-p``; history dates with ``iso-8601-date``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from lxml import etree

from casepress.model import Author, Case
from casepress.outputs.jats.inline import GroupRenderer, append_inline_markdown, no_groups
from casepress.outputs.jats.xml import ALI, HREF, el


@dataclass(frozen=True)
class JournalMeta:
    """What ``journal-meta`` says about the journal (from the journal template and the case)."""

    journal_id: str
    """The journal's id, e.g. the template name ``frontiers`` or the NLM TA ``Front Oncol``."""
    journal_id_type: str = "publisher-id"
    """What kind of id: ``publisher-id``, ``nlm-ta``, ``iso-abbrev``."""
    title: str | None = None
    """The journal's full title, e.g. ``Frontiers in Oncology``."""
    abbreviation: str | None = None
    """The abbreviated title, e.g. ``Front. Oncol.``."""
    issn: str | None = None
    """The (electronic) ISSN. The Publishing DTD requires an ``issn``: without one an empty
    ``issn`` is written, which a journal's production replaces."""
    publisher: str | None = None
    """The publisher's name."""


def journal_meta_for(case: Case, journal_id: str, issn: str | None = None,
                     publisher: str | None = None) -> JournalMeta:
    """The journal metadata the case itself gives (its ``publication``), under ``journal_id``;
    ``publisher`` (the journal template's) when the case names none."""
    pub = case.publication
    return JournalMeta(
        journal_id=journal_id,
        title=pub.journal if pub else None,
        abbreviation=pub.abbreviation if pub else None,
        issn=issn,
        publisher=(pub.publisher if pub else None) or publisher,
    )


def journal_meta(meta: JournalMeta) -> etree._Element:
    """``<journal-meta>``."""
    titles = None
    if meta.title or meta.abbreviation:
        titles = el("journal-title-group", {},
                    el("journal-title", {}, meta.title) if meta.title else None,
                    el("abbrev-journal-title", {"abbrev-type": "pubmed"}, meta.abbreviation)
                    if meta.abbreviation else None)
    return el(
        "journal-meta", {},
        el("journal-id", {"journal-id-type": meta.journal_id_type}, meta.journal_id),
        titles,
        el("issn", {"publication-format": "electronic"}, meta.issn or ""),
        el("publisher", {}, el("publisher-name", {}, meta.publisher)) if meta.publisher else None,
    )


def affiliation_numbers(case: Case) -> dict[str, int]:
    """Affiliation id -> number, in order of first appearance in the byline (then the rest)."""
    numbers: dict[str, int] = {}
    for author in case.authors:
        for aff in author.affiliations:
            numbers.setdefault(aff, len(numbers) + 1)
    for aff in case.affiliations:
        numbers.setdefault(aff.id, len(numbers) + 1)
    return numbers


def _contrib(author: Author, index: int, numbers: Mapping[str, int]) -> etree._Element:
    contrib = el(
        "contrib", {"contrib-type": "author", "corresp": "yes" if author.corresponding else None},
        el("contrib-id", {"contrib-id-type": "orcid", "authenticated": "false"},
           f"https://orcid.org/{author.orcid}") if author.orcid else None,
        el("name", {"name-style": "western"}, el("surname", {}, author.family),
           el("given-names", {}, author.given)),
    )
    for aff in author.affiliations:
        contrib.append(el("xref", {"ref-type": "aff", "rid": f"aff{numbers[aff]}"}, el("sup", {}, str(numbers[aff]))))
    if author.corresponding:
        contrib.append(el("xref", {"ref-type": "corresp", "rid": f"c{index}"}, el("sup", {}, "*")))
    for role in author.contributions:
        contrib.append(el("role", {"content-type": credit_uri(role)}, role))
    return contrib


def credit_uri(role: str) -> str:
    """The CRediT term's URI, as JATS4R's CRediT recommendation puts it in ``role/@content-type``
    for JATS before 1.2 (which has no ``vocab`` attributes)."""
    slug = "-".join("".join(c if c.isalnum() else " " for c in role.lower()).split())
    return f"https://credit.niso.org/contributor-roles/{slug}/"


def contrib_group(case: Case, numbers: Mapping[str, int]) -> list[etree._Element]:
    """``<contrib-group>`` of the authors, then one ``<aff>`` per affiliation in number order."""
    group = el("contrib-group", {"content-type": "author"},
               (_contrib(a, i, numbers) for i, a in enumerate(case.authors, 1)))
    names = {a.id: a.name for a in case.affiliations}
    affs = [el("aff", {"id": f"aff{n}"}, el("label", {}, str(n)), names[aff])
            for aff, n in sorted(numbers.items(), key=lambda kv: kv[1]) if aff in names]
    return [group, *affs]


def author_notes(case: Case) -> etree._Element | None:
    """``<author-notes>`` with a ``corresp`` per corresponding author."""
    notes = [
        el("corresp", {"id": f"c{i}"}, el("label", {}, "*"), "Correspondence: ", a.full_name, ", ",
           el("email", {}, a.email))
        for i, a in enumerate(case.authors, 1) if a.corresponding and a.email
    ]
    return el("author-notes", {}, notes) if notes else None


def date_el(tag: str, day: date, attrs: dict[str, str | None]) -> etree._Element:
    """A JATS date (``pub-date``, ``date``) with day, month, year and ``iso-8601-date``."""
    return el(tag, {**attrs, "iso-8601-date": day.isoformat()},
              el("day", {}, f"{day.day:02d}"), el("month", {}, f"{day.month:02d}"), el("year", {}, str(day.year)))


def pub_date(case: Case, build_day: date) -> etree._Element:
    """``<pub-date>``: the publication date, or (the DTD requires one) the build day marked
    ``date-type="manuscript"`` for a manuscript not yet published."""
    if case.dates.published:
        return date_el("pub-date", case.dates.published, {"publication-format": "electronic", "date-type": "pub"})
    return date_el("pub-date", build_day, {"date-type": "manuscript"})


def history(case: Case) -> etree._Element | None:
    """``<history>`` with the received and accepted dates."""
    dates = [date_el("date", d, {"date-type": kind}) for kind, d in
             (("received", case.dates.received), ("accepted", case.dates.accepted)) if d]
    return el("history", {}, dates) if dates else None


def permissions(case: Case, groups: GroupRenderer = no_groups) -> etree._Element | None:
    """``<permissions>``: copyright statement, year and holder, and the licence."""
    lic = case.license
    if lic is None:
        return None
    year = case.dates.published.year if case.dates.published else (case.publication.year if case.publication else None)
    license_el = None
    if lic.url or lic.statement:
        license_el = el("license", {HREF: lic.url}, el(f"{{{ALI}}}license_ref", {}, lic.url) if lic.url else None)
        if lic.statement:
            license_el.append(append_inline_markdown(el("license-p"), lic.statement, groups))
        else:
            license_el.append(el("license-p", {}, lic.id))
    return el(
        "permissions", {},
        el("copyright-statement", {}, lic.holder) if lic.holder else None,
        el("copyright-year", {}, str(year)) if year else None,
        el("copyright-holder", {}, _holder_names(lic.holder)) if lic.holder else None,
        license_el,
    )


def _holder_names(holder: str) -> str:
    """``© 2024 Zhang, Du and Dong`` -> ``Zhang, Du and Dong``."""
    words = holder.replace("©", " ").replace("(c)", " ").split()
    while words and words[0].isdigit():
        words.pop(0)
    return " ".join(words) or holder


def kwd_group(case: Case, groups: GroupRenderer = no_groups) -> etree._Element | None:
    """``<kwd-group kwd-group-type="author">``."""
    if not isinstance(case.keywords, list) or not case.keywords:
        return None
    return el("kwd-group", {"kwd-group-type": "author"},
              (append_inline_markdown(el("kwd"), k, groups) for k in case.keywords))


def funding_group(case: Case, groups: GroupRenderer = no_groups) -> etree._Element | None:
    """``<funding-group>`` with the funding statement."""
    funding = case.declarations.funding
    if not funding:
        return None
    return el("funding-group", {}, append_inline_markdown(el("funding-statement"), funding, groups))


def title_group(case: Case, groups: GroupRenderer = no_groups) -> etree._Element:
    """``<title-group>``: the title, and the short title as the running head."""
    return el("title-group", {}, append_inline_markdown(el("article-title"), case.title, groups),
              el("alt-title", {"alt-title-type": "running-head"}, case.short_title) if case.short_title else None)


@dataclass(frozen=True)
class FrontParts:
    """The parts of article-meta that other builders make."""

    abstract: etree._Element | None = None
    """``<abstract>`` (see :func:`casepress.outputs.jats.body.abstract`)."""
    build_day: date = date(1970, 1, 1)
    """The day of the build (``SOURCE_DATE_EPOCH``), for an unpublished manuscript's ``pub-date``."""
    article_id: str | None = None
    """A publisher id for the article (the case's slug), besides its DOI."""


def article_meta(case: Case, parts: FrontParts, groups: GroupRenderer = no_groups) -> etree._Element:
    """``<article-meta>``, its children in the order the DTD requires."""
    pub = case.publication
    numbers = affiliation_numbers(case)
    return el(
        "article-meta", {},
        el("article-id", {"pub-id-type": "publisher-id"}, parts.article_id) if parts.article_id else None,
        el("article-id", {"pub-id-type": "doi"}, case.doi) if case.doi else None,
        el("article-categories", {}, el("subj-group", {"subj-group-type": "heading"},
                                        el("subject", {}, case.article_type))),
        title_group(case, groups),
        contrib_group(case, numbers),
        author_notes(case),
        pub_date(case, parts.build_day),
        el("volume", {}, pub.volume) if pub and pub.volume else None,
        el("issue", {}, pub.issue) if pub and pub.issue else None,
        el("elocation-id", {}, pub.elocation) if pub and pub.elocation else None,
        history(case),
        permissions(case, groups),
        parts.abstract,
        kwd_group(case, groups),
        funding_group(case, groups),
    )


def front(case: Case, meta: JournalMeta, parts: FrontParts, groups: GroupRenderer = no_groups) -> etree._Element:
    """``<front>``."""
    return el("front", {}, journal_meta(meta), article_meta(case, parts, groups))

