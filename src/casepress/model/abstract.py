"""CARE item 3: the structured abstract."""

from __future__ import annotations

from casepress.model.base import Model, Prose, Reportable


class StructuredAbstract(Model):
    """An abstract in the four parts CARE item 3 asks for."""

    introduction: Reportable(Prose) | None = None
    """3a: what is unique about the case and what it adds."""
    case_presentation: Reportable(Prose) | None = None
    """3b and 3c: main symptoms, findings, diagnoses, interventions and outcomes."""
    conclusion: Reportable(Prose) | None = None
    """3d: the main take-away lessons."""
