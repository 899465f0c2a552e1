"""``<back>``: acknowledgements, the statements after the body, the reference list.

Each statement is a ``sec`` of ``back`` with its heading as printed and a ``sec-type`` from
the values JATS users agree on (``data-availability``, ``coi-statement``, ...), rather than an
``fn`` of an ``fn-group``: a footnote has no title, so the journal's heading would be lost to
readers such as pandoc, and JATS4R's data-availability recommendation already asks for a
``sec``. Acknowledgements are ``ack``; the funding statement is also given as
``funding-group`` in article-meta (see :mod:`casepress.outputs.jats.front`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

from casepress.outputs.jats.body import FieldPath, GroupsFor, sec
from casepress.outputs.jats.inline import markdown_blocks, no_groups
from casepress.outputs.jats.xml import el

STATEMENT_TYPES = {
    "ethics": "ethics-statement",
    "ethics-and-consent": "ethics-statement",
    "consent": "consent-statement",
    "data-availability": "data-availability",
    "contributions": "author-contributions",
    "author-contributions": "author-contributions",
    "funding": "funding-information",
    "competing-interests": "coi-statement",
}
"""Statement ids (journal.yaml's, ``_`` read as ``-``) -> ``sec-type``."""

STATEMENT_CARE = {"consent": ("13",), "ethics-and-consent": ("13",)}
"""Statements that report a CARE item."""


@dataclass(frozen=True)
class Statement:
    """A statement after the body, as the journal heads it."""

    id: str
    """The statement's id (``ethics``, ``data-availability``, ``competing-interests``, ...)."""
    heading: str
    """Its heading."""
    fields: tuple[tuple[FieldPath, str], ...] = ()
    """Its prose: (field path, Markdown) in order."""
    paragraphs: tuple[etree._Element, ...] = ()
    """Content built elsewhere (the author contributions generated from CRediT roles)."""


def statement(item: Statement, groups_for: GroupsFor = lambda path: no_groups) -> etree._Element:
    """One statement: ``ack`` for acknowledgements, else a ``sec`` with its ``sec-type``."""
    blocks: list[etree._Element] = list(item.paragraphs)
    for path, text in item.fields:
        blocks.extend(markdown_blocks(text, groups_for(path)))
    name = item.id.replace("_", "-")
    if name == "acknowledgements":
        return el("ack", {"id": "ack"}, el("title", {}, item.heading), blocks)
    return sec(item.heading, blocks, sec_id=f"stmt-{name}", sec_type=STATEMENT_TYPES.get(name),
               care=STATEMENT_CARE.get(name, ()))


def back(statements: Sequence[Statement], ref_list: etree._Element | None,
         groups_for: GroupsFor = lambda path: no_groups,
         extra: Iterable[etree._Element] = ()) -> etree._Element:
    """``<back>``: acknowledgements first (as JATS orders them), the other statements, then the
    reference list."""
    acks = [statement(s, groups_for) for s in statements if s.id == "acknowledgements"]
    others = [statement(s, groups_for) for s in statements if s.id != "acknowledgements"]
    return el("back", {}, acks, others, extra, ref_list)
