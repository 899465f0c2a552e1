"""The first stage's value: a case that passed every check."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from casepress.cite.library import Library
    from casepress.load.source import SourceDocument
    from casepress.model import Case


@dataclass(frozen=True)
class CheckedCase:
    """A case that passed every check: its source, its model and its resolved references."""

    doc: SourceDocument
    """The loaded YAML with positions."""
    case: Case
    """The validated model."""
    library: Library
    """The bibliography, resolved against the case's citations."""

    @property
    def slug(self) -> str:
        """The case folder's name."""
        return self.doc.path.parent.name

    @property
    def case_dir(self) -> Path:
        """The case folder."""
        return self.doc.path.parent
