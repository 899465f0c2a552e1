"""CARE item 7: the timeline of dated events."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Discriminator, Field, StringConstraints, Tag, model_validator
from pydantic_core import PydanticCustomError

from casepress.model.base import Model, Prose, Slug
from casepress.model.dates import DateValue, _offset_in_range


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
