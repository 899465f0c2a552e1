"""The CARE sections: patient information, diagnostic assessment, interventions, follow-up,
discussion, consent and declarations."""

# No `from __future__ import annotations` in the model's modules: see casepress.model.

from typing import Annotated, Literal

from pydantic import Field

from casepress.model.base import Model, Prose, Reportable, Text
from casepress.model.dates import DateValue
from casepress.model.labs import Immunohistochemistry, LabResult


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
    """9a/9b: the interventions as structured records, printed as a table after the treatment prose."""
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
