"""The CARE checklist: where each of its 30 items lives in the case model, and its status."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

from casepress.core.diagnostics import FieldPath
from casepress.model import Case, Discussion, History, NotReported, StructuredAbstract, is_reported


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One item of the CARE checklist."""

    id: str
    """Item number, e.g. ``5a``."""
    topic: str
    """Checklist topic, e.g. ``Patient information``."""
    item: str
    """What the item asks for."""


@cache
def checklist() -> tuple[ChecklistItem, ...]:
    """The 30 CARE items, in checklist order."""
    # Read beside the package, as casepress's other data files are: importlib.resources (and the
    # zipfile module its readers import) cost a cold `check` ~5 ms for one file.
    text = (Path(__file__).parents[1] / "data" / "care-checklist.yaml").read_text("utf-8")
    # libyaml's loader when PyYAML has it (as journal.yaml is read): the pure-Python one takes ~10x longer.
    entries = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return tuple(ChecklistItem(str(e["id"]), e["topic"], e["item"]) for e in entries)


@dataclass(frozen=True, slots=True)
class ItemStatus:
    """Whether and where one CARE item is reported."""

    item_id: str
    """Checklist item number."""
    topic: str
    """Checklist topic."""
    state: Literal["reported", "not_reported", "missing"]
    """Reported, explicitly not reported (with a reason), or missing."""
    home: FieldPath
    """The field where the item belongs (for 'add it here' hints)."""
    paths: tuple[FieldPath, ...] = ()
    """Fields that report it (empty unless reported)."""
    reason: str | None = None
    """The author's reason when not reported."""


def _field(case: Any, path: FieldPath) -> Any:
    node: Any = case
    for part in path:
        if node is None:
            return None
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            node = node.__dict__.get(part) if hasattr(node, "__dict__") else None
    return node


# Each item: its home field, then the fields that can report it (first reported wins).
_HOMES: dict[str, tuple[FieldPath, ...]] = {
    "1": (("title",),),
    "2": (("keywords",),),
    "4": (("introduction",),),
    "5a": (("patient_information", "demographics"), ("patient_information", "presentation")),
    "5b": (("patient_information", "concerns"), ("patient_information", "presentation")),
    "5c": (
        ("patient_information", "history"),
        ("patient_information", "history", "medical"),
        ("patient_information", "history", "family"),
        ("patient_information", "history", "psychosocial"),
        ("patient_information", "history", "genetic"),
    ),
    "5d": (("patient_information", "past_interventions"),),
    "6": (("clinical_findings",),),
    "7": (("timeline",),),
    "8a": (
        ("diagnostic_assessment", "methods"),
        ("diagnostic_assessment", "laboratory"),
        ("diagnostic_assessment", "imaging"),
        ("diagnostic_assessment", "pathology"),
        ("diagnostic_assessment", "immunohistochemistry"),
    ),
    "8b": (("diagnostic_assessment", "challenges"),),
    "8c": (("diagnostic_assessment", "reasoning"), ("diagnostic_assessment", "differential_diagnosis")),
    "8d": (("diagnostic_assessment", "prognosis"),),
    "9a": (("therapeutic_intervention", "types"), ("therapeutic_intervention", "interventions")),
    "9b": (("therapeutic_intervention", "administration"), ("therapeutic_intervention", "interventions")),
    "9c": (("therapeutic_intervention", "changes"),),
    "10a": (("follow_up", "outcomes"),),
    "10b": (("follow_up", "tests"),),
    "10c": (("follow_up", "adherence"),),
    "10d": (("follow_up", "adverse_events"),),
    "11d": (("discussion", "conclusion"),),
    "12": (("patient_perspective",),),
    "13": (("informed_consent",),),
}


def _present(value: Any) -> bool:
    if isinstance(value, (list, dict)):
        return bool(value)
    if isinstance(value, History):  # reported when any of its four parts is
        return any(is_reported(v) for v in value.__dict__.values())
    return is_reported(value)


def _abstract_status(case: Case, item_id: str) -> ItemStatus | None:
    abstract = case.__dict__.get("abstract")
    if not isinstance(abstract, StructuredAbstract):
        return None
    # The item's one part in the abstract's form (3b and 3c share the three-part form's case presentation).
    homes = tuple(("abstract", p.name) for p in abstract.parts() if item_id in p.care)
    return _status_of(item_id, homes, case)


def _discussion_status(case: Case, item_id: str) -> ItemStatus:
    discussion: Discussion | None = case.__dict__.get("discussion")
    topic = _topic(item_id)
    home: FieldPath = ("discussion", "paragraphs")
    if discussion is None:
        return ItemStatus(item_id, topic, "missing", home)
    paths = tuple(
        ("discussion", "paragraphs", i) for i, p in enumerate(discussion.paragraphs) if item_id in p.care
    )
    if paths:
        return ItemStatus(item_id, topic, "reported", home, paths)
    if item_id in discussion.not_reported:
        return ItemStatus(item_id, topic, "not_reported", home, reason=discussion.not_reported[item_id])  # type: ignore[index]
    return ItemStatus(item_id, topic, "missing", home)


def _topic(item_id: str) -> str:
    return next(i.topic for i in checklist() if i.id == item_id)


def _status_of(item_id: str, homes: tuple[FieldPath, ...], case: Case) -> ItemStatus:
    topic = _topic(item_id)
    reported = tuple(p for p in homes if _present(_field(case, p)))
    if reported:
        return ItemStatus(item_id, topic, "reported", homes[0], reported)
    for path in homes:
        value = _field(case, path)
        if isinstance(value, NotReported):
            return ItemStatus(item_id, topic, "not_reported", path, reason=value.not_reported)
    return ItemStatus(item_id, topic, "missing", homes[0])


_SPECIAL: dict[str, Callable[[Case, str], ItemStatus | None]] = {
    "3a": _abstract_status, "3b": _abstract_status, "3c": _abstract_status, "3d": _abstract_status,
    "11a": _discussion_status, "11b": _discussion_status, "11c": _discussion_status,
}


def care_status(case: Case) -> list[ItemStatus]:
    """The status of every CARE item for ``case``, in checklist order."""
    statuses: list[ItemStatus] = []
    for item in checklist():
        special = _SPECIAL.get(item.id)
        status = special(case, item.id) if special else None
        if status is None:
            status = _status_of(item.id, _HOMES.get(item.id, (("abstract",),)), case)
        statuses.append(status)
    return statuses
