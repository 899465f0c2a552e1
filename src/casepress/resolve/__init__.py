"""The resolve stage: a checked case arranged for a journal, every number and citation decided,
as format-neutral data (:class:`casepress.stages.resolved.ResolvedCase`) that every writer prints.

Modules: ``layout`` (sections and statements from journal.yaml, the reading plan), ``groups``
(the citation and cross-reference groups of a field), ``walk`` (numbering and float placement
in reading order), ``citations`` (the CSL style's output as inline data), ``tables`` (generated
and inline tables as plain cells), ``stage`` (the stage itself).
"""

from __future__ import annotations

from casepress.resolve.stage import resolve

__all__ = ["resolve"]
