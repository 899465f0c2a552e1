"""The filled CARE checklist: for each of the 30 items, its status and where it is reported.

Locations come from the resolved case, never from reading a writer's output back: its
landmarks list every prose field and float in reading order with the heading it stands
under (or the float's label) and its element id (``resolve.walk.field_anchor``); the HTML
writer says which of them its templates printed, and WeasyPrint's laid-out pages say on
which page each element starts and ends. Nothing is guessed.
"""

from __future__ import annotations

import json
from typing import Any

from casepress.model.care import care_status, checklist
from casepress.core.diagnostics import Diagnostics
from casepress.model import Case
from casepress.stages.resolved import ResolvedCase
from casepress.stages.checklist import ItemReport, Place, page_ranges
from casepress.journals.template_files import CHECKLIST_TEMPLATE

__all__ = ["ItemReport", "Place", "as_json", "as_text", "dumps", "locate", "page_ranges", "render_checklist_html"]

_GENERATED_HOMES = {
    ("timeline",): "timeline",
    ("diagnostic_assessment", "laboratory"): "laboratory",
    ("diagnostic_assessment", "immunohistochemistry"): "immunohistochemistry",
}


def locate(resolved: ResolvedCase, printed: frozenset[str], anchor_pages: dict[str, int] | None) -> list[ItemReport]:
    """Every CARE item with its status and places: the landmarks of the fields that report it
    (and of the tables generated from them) that the article printed, in reading order."""
    case = resolved.case
    position = {mark.anchor: i for i, mark in enumerate(resolved.landmarks)}
    labels = {mark.anchor: mark.label for mark in resolved.landmarks}
    fields = [(mark.field, mark.anchor) for mark in resolved.landmarks if mark.field is not None]
    generated = {t.generate: t.id for t in case.tables if t.generate}
    reports: list[ItemReport] = []
    statuses = {s.item_id: s for s in care_status(case)}
    for item in checklist():
        status = statuses[item.id]
        anchors: list[str] = []
        for path in status.paths:
            anchors += [a for p, a in fields if p[: len(path)] == tuple(path)]
            kind = _GENERATED_HOMES.get(tuple(path))
            if kind and kind in generated:
                anchors.append(generated[kind])
        places = []
        for anchor in sorted(set(anchors), key=lambda a: position.get(a, 10**9)):
            if anchor not in printed or anchor not in position:
                continue  # the template did not print this field
            pages: tuple[int, ...] = ()
            if anchor_pages is not None and anchor in anchor_pages:
                first = anchor_pages[anchor]
                last = anchor_pages.get(f"{anchor}--end", first)
                pages = tuple(range(first, max(first, last) + 1))
            places.append(Place(anchor, labels[anchor] or "Front matter", pages))
        reports.append(ItemReport(item, status, tuple(places)))
    return reports


def as_json(reports: list[ItemReport]) -> list[dict[str, Any]]:
    """The machine-readable checklist."""
    return [
        {
            "id": r.item.id,
            "topic": r.item.topic,
            "item": r.item.item,
            "status": r.status.state.replace("_", " "),
            "reason": r.status.reason,
            "pages": r.pages,
            "places": [{"anchor": p.anchor, "section": p.label, "pages": list(p.pages)} for p in r.places],
        }
        for r in reports
    ]


def as_text(reports: list[ItemReport], title: str) -> str:
    """A compact terminal table."""
    lines = [title]
    for r in reports:
        state = r.status.state.replace("_", " ")
        if r.status.state == "reported":
            sections = "; ".join(p.label for p in r.sections) or "(not printed by this template)"
            where = f"p. {r.pages_text}" if r.pages else "—"
            detail = sections
        else:
            where, detail = "—", r.status.reason or "neither reported nor marked not_reported"
        lines.append(f"  {r.item.id:<4} {r.item.topic[:24]:<24} {state:<13} {where:<10} {detail}")
    return "\n".join(lines)


def dumps(reports: list[ItemReport]) -> str:
    """JSON text of :func:`as_json`."""
    return json.dumps(as_json(reports), indent=2, ensure_ascii=False)


def render_checklist_html(
    env: Any, case: Case, reports: list[ItemReport], context: dict[str, Any], diagnostics: Diagnostics,
    article: str | None = "index.html",
) -> str | None:
    """The checklist page, from the journal's (or base) ``care-checklist.html.j2``; ``article`` is the
    file its locations link to (None for the PDF, where such links would not resolve). None (with a
    located error) when the template fails."""
    from casepress.journals.template_errors import render_or_report

    values = {**context, "case": case, "reports": reports, "article": article}
    return render_or_report(env, CHECKLIST_TEMPLATE, values, diagnostics)
