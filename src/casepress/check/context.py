"""The context of the cross-field checks: what they need besides the case itself.

Its own module so that the checks (de-identification, timeline) and validation can all
name it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from casepress.core.diagnostics import FieldPath
from casepress.core.project import Project
from casepress.load.source import SourceDocument


@dataclass
class CaseContext:
    """What the cross-field checks need besides the case itself."""

    doc: SourceDocument
    """The loaded YAML, for locations."""
    project: Project
    """The project, for journal templates."""
    partial: bool = False
    """True when some sections failed validation and are missing from the case being checked."""
    indexes: dict[str, list[int]] = field(default_factory=dict)
    """For salvaged lists (see check.validate._salvage): the original index of each item that survived."""
    case_dir: Path = field(init=False)
    """The case folder (relative file paths start here)."""

    def __post_init__(self) -> None:
        self.case_dir = self.doc.path.parent

    def at(self, path: FieldPath, *, key: bool = False):
        """Location of a field."""
        return self.doc.location(path, key=key)


__all__ = ["CaseContext"]
