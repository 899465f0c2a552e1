"""The section blocks a journal arranges its article from, as data.

A journal's ``journal.yaml`` lists the body's sections (``sections:``) and the statements
after it (``statements:``) by the ids below, in its reading order, and may rename their
headings. The resolve stage expands that list for a case (only what the case reports is
printed) and numbers figures, tables and citations in that order; the writers print the
expanded list. So reordering sections never means copying a template.

A block holds prose fields, in order, and may have subsections (``children``), printed one
level down after its own content. A subsection that the journal lists as a section of its
own, or whose fields a listed section holds, is left out of its parent (generic prints the
conclusion under Discussion; frontiers lists ``conclusion`` as a section; bmj-case-reports
prints it as ``learning-points``). Two listed blocks that hold the same field are an error:
every field is printed once.

This module is plain data (no imports from the rest of casepress), so that the journal
settings can check a layout as they are read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

Path = tuple[str, ...]
"""A field path in the case model, e.g. ("patient_information", "history", "medical")."""


@dataclass(frozen=True, slots=True)
class Field:
    """A prose field, printed as block Markdown when reported."""

    path: Path
    """Where it is in the case."""


@dataclass(frozen=True, slots=True)
class FieldOrDemographics:
    """The opening narrative, or, when it is not reported, the structured demographics as one line."""

    path: Path
    """The narrative field (``patient_information.presentation``)."""


@dataclass(frozen=True, slots=True)
class Paragraphs:
    """The discussion's paragraphs."""


@dataclass(frozen=True, slots=True)
class Differential:
    """The differential diagnosis as a list."""

    follows: Path | None = None
    """Print it right after this field when that is reported, else at the end of the block;
    None: where it stands."""


@dataclass(frozen=True, slots=True)
class TimelineContent:
    """The timeline: the generated timeline tables, or else the events as a list."""


@dataclass(frozen=True, slots=True)
class Interventions:
    """The structured interventions (``therapeutic_intervention.interventions``) as a table,
    after the prose about them."""


Content = Field | FieldOrDemographics | Paragraphs | Differential | TimelineContent | Interventions


@dataclass(frozen=True, slots=True)
class BlockSpec:
    """One section block of the base."""

    id: str
    """Its id in ``journal.yaml`` and, unless the journal says otherwise, its heading's element id."""
    heading: str
    """The default heading."""
    content: tuple[Content, ...]
    """What it prints, in order."""
    children: tuple[str, ...] = ()
    """Ids of its subsections, printed one level down after the content."""
    boxed: bool = False
    """Printed as a box (a ``<section>`` of its own, e.g. BMJ's learning points)."""


@dataclass(frozen=True, slots=True)
class StatementSpec:
    """One statement after the body."""

    id: str
    """Its id in ``journal.yaml``."""
    heading: str
    """The default heading."""
    anchor: str
    """The statement's element id."""
    fields: tuple[Path, ...]
    """The prose it prints, in order (printed when any is given)."""
    contributions: bool = False
    """The author contributions: generated from the CRediT roles unless the case writes its own."""


_PI = ("patient_information",)
_HISTORY = ("medical", "family", "psychosocial", "genetic")
_DA = ("diagnostic_assessment",)
_TI = ("therapeutic_intervention",)
_FU = ("follow_up",)
_DIFFERENTIAL = Differential()
_INTERVENTIONS = Interventions()

_CASE_PRESENTATION = (
    Field((*_PI, "presentation")), Field((*_PI, "concerns")),
    *(Field((*_PI, "history", h)) for h in _HISTORY),
    Field((*_PI, "past_interventions")), Field(("clinical_findings",)),
)
_INVESTIGATIONS = tuple(Field((*_DA, n)) for n in ("methods", "imaging", "pathology", "challenges", "prognosis"))

BLOCKS: dict[str, BlockSpec] = {b.id: b for b in (
    # The CARE sections (generic, in checklist order).
    BlockSpec("introduction", "Introduction", (Field(("introduction",)),)),
    BlockSpec("patient-information", "Patient information", (FieldOrDemographics((*_PI, "presentation")),),
              ("presenting-concerns", "history", "past-interventions")),
    BlockSpec("presenting-concerns", "Presenting concerns", (Field((*_PI, "concerns")),)),
    BlockSpec("history", "History", tuple(Field((*_PI, "history", h)) for h in _HISTORY)),
    BlockSpec("past-interventions", "Past interventions", (Field((*_PI, "past_interventions")),)),
    BlockSpec("clinical-findings", "Clinical findings", (Field(("clinical_findings",)),)),
    BlockSpec("timeline", "Timeline", (TimelineContent(),)),
    BlockSpec("diagnostic-assessment", "Diagnostic assessment",
              tuple(Field((*_DA, n)) for n in ("methods", "imaging", "pathology")),
              ("diagnostic-challenges", "diagnostic-reasoning", "prognosis")),
    BlockSpec("diagnostic-challenges", "Diagnostic challenges", (Field((*_DA, "challenges")),)),
    BlockSpec("diagnostic-reasoning", "Diagnostic reasoning", (Field((*_DA, "reasoning")), _DIFFERENTIAL)),
    BlockSpec("prognosis", "Prognosis", (Field((*_DA, "prognosis")),)),
    BlockSpec("therapeutic-intervention", "Therapeutic intervention",
              (Field((*_TI, "types")), Field((*_TI, "administration")), _INTERVENTIONS), ("intervention-changes",)),
    BlockSpec("intervention-changes", "Changes in the intervention", (Field((*_TI, "changes")),)),
    BlockSpec("follow-up", "Follow-up and outcomes", (Field((*_FU, "outcomes")), Field((*_FU, "tests"))),
              ("adherence", "adverse-events")),
    BlockSpec("adherence", "Adherence and tolerability", (Field((*_FU, "adherence")),)),
    BlockSpec("adverse-events", "Adverse and unanticipated events", (Field((*_FU, "adverse_events")),)),
    BlockSpec("discussion", "Discussion", (Paragraphs(),), ("conclusion",)),
    BlockSpec("conclusion", "Conclusion", (Field(("discussion", "conclusion")),)),
    BlockSpec("patient-perspective", "Patient perspective", (Field(("patient_perspective",)),)),
    BlockSpec("informed-consent", "Informed consent", (Field(("informed_consent", "statement")),)),
    # Frontiers: the case as one continuous narrative, in checklist order.
    BlockSpec("case-description", "Case description", (
        *_CASE_PRESENTATION,
        *(Field((*_DA, n)) for n in ("methods", "imaging", "pathology", "challenges", "reasoning")),
        Differential(follows=(*_DA, "reasoning")),
        Field((*_DA, "prognosis")),
        *(Field((*_TI, n)) for n in ("types", "administration", "changes")),
        _INTERVENTIONS,
        *(Field((*_FU, n)) for n in ("outcomes", "tests", "adherence", "adverse_events")),
    )),
    # BMJ Case Reports.
    BlockSpec("case-presentation", "Case presentation", _CASE_PRESENTATION),
    BlockSpec("investigations", "Investigations", _INVESTIGATIONS),
    BlockSpec("differential-diagnosis", "Differential diagnosis", (Field((*_DA, "reasoning")), _DIFFERENTIAL)),
    BlockSpec("treatment", "Treatment",
              (*(Field((*_TI, n)) for n in ("types", "administration", "changes")), _INTERVENTIONS)),
    BlockSpec("outcome-and-follow-up", "Outcome and follow-up",
              tuple(Field((*_FU, n)) for n in ("outcomes", "tests", "adherence", "adverse_events"))),
    BlockSpec("learning-points", "Learning points", (Field(("discussion", "conclusion")),), boxed=True),
)}
"""Every section block a journal can list, by id."""

_DECL = ("declarations",)
_CONSENT = ("informed_consent", "statement")

STATEMENTS: dict[str, StatementSpec] = {s.id: s for s in (
    StatementSpec("ethics", "Ethics statement", "ethics", ((*_DECL, "ethics"),)),
    StatementSpec("consent", "Consent for publication", "consent", (_CONSENT,)),
    StatementSpec("ethics-and-consent", "Ethics statement", "ethics", (_CONSENT, (*_DECL, "ethics"))),
    StatementSpec("data-availability", "Data availability statement", "data-availability",
                  ((*_DECL, "data_availability"),)),
    StatementSpec("contributions", "Author contributions", "contributions", ((*_DECL, "author_contributions"),),
                  contributions=True),
    StatementSpec("funding", "Funding", "funding", ((*_DECL, "funding"),)),
    StatementSpec("competing-interests", "Competing interests", "competing-interests",
                  ((*_DECL, "competing_interests"),)),
    StatementSpec("acknowledgements", "Acknowledgements", "acknowledgements", ((*_DECL, "acknowledgements"),)),
)}
"""Every statement a journal can list, by id."""

DEFAULT_SECTIONS = (
    "introduction", "patient-information", "clinical-findings", "timeline", "diagnostic-assessment",
    "therapeutic-intervention", "follow-up", "discussion", "patient-perspective", "informed-consent",
)
"""The base's order: the CARE checklist's."""

DEFAULT_STATEMENTS = ("ethics", "data-availability", "contributions", "funding", "competing-interests",
                      "acknowledgements")
"""The base's statements (the consent is a section of the body)."""


def content_fields(content: Content) -> Iterator[Path]:
    """The case fields one content item prints."""
    if isinstance(content, Field):
        yield content.path
    elif isinstance(content, FieldOrDemographics):
        yield content.path
        yield (*_PI, "demographics")
    elif isinstance(content, Paragraphs):
        yield ("discussion", "paragraphs")
    elif isinstance(content, Differential):
        yield (*_DA, "differential_diagnosis")
    elif isinstance(content, Interventions):
        yield (*_TI, "interventions")
    else:
        yield ("timeline",)


def own_fields(block: BlockSpec) -> set[Path]:
    """The fields a block prints itself (not its subsections)."""
    return {path for content in block.content for path in content_fields(content)}


def kept_children(block: BlockSpec, listed: Iterable[str]) -> list[BlockSpec]:
    """The subsections a block keeps, recursively flattened order aside: those neither listed
    by the journal nor holding a field that a listed block holds itself."""
    listed = list(listed)
    taken = set().union(*(own_fields(BLOCKS[i]) for i in listed if i in BLOCKS))
    return [BLOCKS[c] for c in block.children if c not in listed and not own_fields(BLOCKS[c]) & taken]


def _all_fields(block: BlockSpec, listed: list[str]) -> set[Path]:
    fields = own_fields(block)
    for child in kept_children(block, listed):
        fields |= _all_fields(child, listed)
    return fields


def check_ids(kind: str, ids: list[str]) -> str | None:
    """Why a journal's list of sections (or statements) is wrong (an unknown id, a repeat), or None."""
    known = BLOCKS if kind == "section" else STATEMENTS
    for ident in ids:
        if ident not in known:
            return f"no {kind} '{ident}'; known: {', '.join(sorted(known))}"
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    return f"{kind} '{repeated[0]}' is listed twice" if repeated else None


def check_overlaps(sections: list[str], statements: list[str]) -> str | None:
    """Why a journal's layout prints a field twice, or None (the ids are known)."""
    holders: dict[Path, str] = {}
    owners = [(i, _all_fields(BLOCKS[i], sections)) for i in sections]
    owners += [(i, set(STATEMENTS[i].fields)) for i in statements]
    for ident, fields in owners:
        for path in sorted(fields):
            if path in holders:
                return f"'{holders[path]}' and '{ident}' both print {'.'.join(path)}"
            holders[path] = ident
    return None
