"""What an output is: a name, the files it writes, what it depends on, and its writer.

Kept apart from :mod:`casepress.outputs.registry` (the list of outputs) so that each output's
module can import this type without importing the registry that imports it. Importing this
module imports nothing heavy: writers import their libraries when they run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from casepress.core.diagnostics import Diagnostics
    from casepress.stages.work import CaseWork

Writer = Callable[["CaseWork", "Diagnostics"], bool]
"""Makes an output from the typed values in the :class:`~casepress.stages.work.CaseWork` (the slots
of the outputs it depends on are filled), fills its own slot and the files it writes; False
when it reported an error (then nothing of the case is written)."""

FilesOf = Callable[[str, frozenset[str]], Mapping[str, str]]
"""(slug, the outputs being made) -> kind -> path of each file the output writes (relative to
the case's folder; for a collection output, to the output folder)."""


@dataclass(frozen=True)
class Output:
    """One output format of ``casepress build``."""

    name: str
    """Its name on the command line (``--outputs html,pdf``)."""
    summary: str
    """One line for ``--help`` and the README."""
    files: FilesOf
    """The files it writes, by kind (the kinds the manifest's ``files`` record)."""
    requires: tuple[str, ...] = ()
    """Outputs it cannot be made without (selected with it)."""
    uses: tuple[str, ...] = ()
    """Outputs it reads when they are made too (it runs after them), e.g. the checklist reads
    the PDF's page numbers."""
    write: Writer | None = None
    """Its writer, run once per case; None for an output of the whole collection."""
    scope: Literal["case", "collection"] = "case"
    """Written into each case's folder, or once into the output folder after every case."""
    named: str | None = None
    """The kind prefix of files its writer names from the case itself, besides ``files``
    (``figure:`` for the generated figures: kind ``figure:fig-course``), which the writer
    records in :attr:`casepress.stages.work.CaseWork.named` for the manifest."""


def one_file(kind: str, name: Callable[[str], str]) -> FilesOf:
    """The :data:`FilesOf` of an output that writes one file, named from the slug."""
    return lambda slug, selected: {kind: name(slug)}
