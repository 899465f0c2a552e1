"""Laboratory results and immunohistochemistry (CARE 8a)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from casepress.model.base import Model, Slug, Text
from casepress.model.dates import DateValue


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
