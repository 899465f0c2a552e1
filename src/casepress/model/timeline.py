"""CARE item 7: the timeline of dated events."""

# No `from __future__ import annotations` in the model's modules: see casepress.model.

from typing import Annotated, Any, Literal, Self

from pydantic import Discriminator, Field, Tag, model_validator
from pydantic_core import PydanticCustomError

from casepress.model.base import Model, Prose, Slug
from casepress.model.dates import DateValue, OffsetValue


class RelativeDate(Model):
    """A date given relative to another timeline event."""

    after: Slug | None = None
    """Id of the event this one follows."""
    before: Slug | None = None
    """Id of the event this one precedes."""
    offset: OffsetValue
    """How long after (or before), e.g. ``8 weeks``, ``1 day``, ``3 hours``, ``30 minutes``."""
    approximate: bool = False
    """True when the article says 'about' or 'approximately'."""

    @model_validator(mode="after")
    def _one_anchor(self) -> Self:
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
    """When: ``2024-02-24``, ``2013-01``, ``2013``, ``2025-03-14T06:40`` or ``{after: <id>, offset: 3 hours}``."""
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
    elapsed_from: Slug | None = None
    """Id of an event (e.g. arrival) to count time from: the timeline table adds a column of elapsed
    time such as ``Hour 0``, ``+30 min``, ``Day 2``, ``Month 6``."""
