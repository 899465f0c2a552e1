"""Laboratory results and immunohistochemistry (CARE 8a)."""

# No `from __future__ import annotations` in the model's modules: see casepress.model.

import math
from typing import Annotated, Any, Literal

from pydantic import Field, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from casepress.model.base import DECIMAL, DECIMAL_TEXT, Model, Slug, SourceFloat, Text, non_blank
from casepress.model.dates import DateValue



class Numeral(str):
    """A number kept as the case writes it (``0.10`` stays ``0.10``), compared by its value.

    A quoted number (``"0.10"``) is its text; a YAML number is the text the loader recovered
    from the file (see :class:`~casepress.model.base.SourceFloat`); a float from elsewhere
    (Python, not YAML) is its shortest exact text (``repr``).
    """

    __slots__ = ()

    @property
    def number(self) -> float:
        """Its value."""
        return float(self)


def numeral(value: Any) -> Numeral | None:
    """``value`` as a :class:`Numeral`, None when it is not a finite number or a number's text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, SourceFloat):
        return Numeral(value.text)
    if isinstance(value, int):
        return Numeral(str(value))
    if isinstance(value, float):
        return Numeral(repr(value)) if math.isfinite(value) else None
    if isinstance(value, str) and DECIMAL_TEXT.fullmatch(value.strip()):
        return Numeral(value.strip())
    return None


def _lab_value(value: Any) -> str:
    number = numeral(value)
    if number is not None:
        return number
    if isinstance(value, float):
        raise PydanticCustomError("invalid_value", "'{value}' is not a finite number", {"value": value})
    if not isinstance(value, str):
        raise PydanticCustomError("number_or_text_type", "must be a number or text", {})
    return non_blank(value)


def _limit(value: Any) -> str:
    number = numeral(value)
    if number is None:
        raise PydanticCustomError(
            "invalid_value", "'{value}' is not a number; write it as the report does, e.g. 0.10 or -2.0 "
            "(a range such as < 0.5 goes in text)", {"value": value},
        )
    return number


LabValue = Annotated[
    str,
    PlainValidator(_lab_value),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string", "minLength": 1}]}),
]
"""A laboratory result: a number, kept as written (a :class:`Numeral`), or text such as ``positive``."""

Limit = Annotated[
    str,
    PlainValidator(_limit),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string", "pattern": f"^{DECIMAL}$"}]}),
]
"""A reference limit: a number, kept as written (a :class:`Numeral`)."""


class ReferenceRange(Model):
    """The reference interval a laboratory value is judged against."""

    low: Limit | None = None
    """Lower limit, printed as written (``0.10`` keeps its zero)."""
    high: Limit | None = None
    """Upper limit, printed as written."""
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
    value: LabValue
    """The result, a number where possible, printed as written: ``0.10`` keeps its zero, quoted
    (``"0.10"``) or not."""
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
        if rr is None or not isinstance(self.value, Numeral):
            return None
        if rr.low is not None and self.value.number < float(rr.low):
            return "low"
        if rr.high is not None and self.value.number > float(rr.high):
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
