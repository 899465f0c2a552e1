"""CARE item 3: the structured abstract.

Two forms are accepted: CARE's own four parts (3a ``introduction``, 3b ``findings``,
3c ``management``, 3d ``conclusion``), and the three-part form some journals print (J Med
Case Rep: ``introduction``, ``case_presentation``, ``conclusion``), whose case presentation
reports 3b and 3c together. :data:`ABSTRACT_PARTS` is the one list of parts and their items
that the checklist, the resolve stage and every writer read.
"""

# No `from __future__ import annotations` in the model's modules: see casepress.model.

from dataclasses import dataclass

from pydantic import ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from casepress.model.base import Markdown, Model, Prose, Reportable


@dataclass(frozen=True, slots=True)
class AbstractPart:
    """One part of a structured abstract."""

    name: str
    """The field of :class:`StructuredAbstract` that holds it."""
    care: tuple[str, ...]
    """The CARE items it reports."""
    three_part: bool | None
    """True for a part of the three-part form only, False for CARE's four-part form only,
    None for a part both forms share."""


ABSTRACT_PARTS: tuple[AbstractPart, ...] = (
    AbstractPart("introduction", ("3a",), None),
    AbstractPart("findings", ("3b",), False),
    AbstractPart("management", ("3c",), False),
    AbstractPart("case_presentation", ("3b", "3c"), True),
    AbstractPart("conclusion", ("3d",), None),
)
"""Every part of either form, in reading order."""

_FOUR_PART_ONLY = [p.name for p in ABSTRACT_PARTS if p.three_part is False]


class StructuredAbstract(Model):
    """An abstract in CARE's four parts (items 3a-3d), or in the three-part form
    (introduction, case presentation, conclusion)."""

    # Editors that read the schema flag the mixed form as the build does.
    model_config = ConfigDict(json_schema_extra={"not": {"anyOf": [
        {"required": ["case_presentation", name]} for name in _FOUR_PART_ONLY]}})

    introduction: Reportable(Prose) | None = None
    """3a: what is unique about the case and what it adds."""
    findings: Reportable(Prose) | None = None
    """3b: the patient's main symptoms and the important clinical findings (CARE's four-part form)."""
    management: Reportable(Prose) | None = None
    """3c: the main diagnoses, therapeutic interventions and outcomes (CARE's four-part form)."""
    case_presentation: Reportable(Prose) | None = None
    """3b and 3c together, in the three-part form: instead of ``findings`` and ``management``."""
    conclusion: Reportable(Prose) | None = None
    """3d: the main take-away lessons."""

    @field_validator("case_presentation")
    @classmethod
    def _one_form(cls, value: object, info: ValidationInfo) -> object:
        # On case_presentation (declared after findings and management, so it sees them): the
        # diagnostic points at the key that brings in the second form.
        four = [name for name in _FOUR_PART_ONLY if info.data.get(name) is not None]
        if value is not None and four:
            raise PydanticCustomError(
                "abstract_form",
                "the abstract mixes its two forms: 'case_presentation' (the three-part form, 3b and 3c "
                "together) cannot go with {parts} (CARE's four-part form); use CARE's four parts "
                "(introduction, findings, management, conclusion) or the three parts (introduction, "
                "case_presentation, conclusion)",
                {"parts": " and ".join(f"'{name}'" for name in four)},
            )
        return value

    @property
    def three_part(self) -> bool:
        """True when the abstract is in the three-part form (it has a ``case_presentation``)."""
        return self.case_presentation is not None

    def parts(self) -> tuple[AbstractPart, ...]:
        """The parts of this abstract's form, in reading order (CARE's four when it has neither
        form's own parts)."""
        return tuple(p for p in ABSTRACT_PARTS if p.three_part in (None, self.three_part))

    def written(self) -> list[tuple[AbstractPart, Markdown]]:
        """The parts that hold text (not absent, not 'not reported'), with their text, in order."""
        return [(p, text) for p in self.parts() if isinstance(text := getattr(self, p.name), Markdown)]
