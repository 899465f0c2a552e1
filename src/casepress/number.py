"""Stage 4, number: figures, tables and citations in reading order; reference labels.

Reading order is the order in which the journal template renders the prose, so it
is taken from a first rendering pass (see :mod:`casepress.render_html`): a
:class:`Numbering` records the first mention of each float and each citation
cluster, and the second pass renders with the numbers known.

Citations in a figure legend or a table note are numbered where the figure or
table is first referenced in the text, not where the legend stands, as the
ICMJE recommendations ask ("numbered in accordance with the sequence established
by the first identification in the text of the particular table or figure").
A float that is never referenced has its legend's citations numbered where it
stands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from . import markup
from .csl import CiteRef
from .journal import Labels
from .model import Case, Figure, Table, iter_prose

ClusterId = tuple[Any, ...]
"""Identity of a citation cluster: the prose's field path plus the group's offset."""


@dataclass(frozen=True, slots=True)
class Float:
    """A figure or a table of the case."""

    kind: Literal["figure", "table"]
    """Which."""
    obj: Figure | Table
    """The model object."""
    path: tuple[str | int, ...]
    """Its field path, e.g. ("figures", 2)."""

    @property
    def id(self) -> str:
        """The float's id."""
        return self.obj.id


@dataclass
class Numbering:
    """Float numbers and citation order, as established by reading order."""

    floats: dict[str, Float]
    """Every float of the case by id."""
    numbers: dict[str, int] = field(default_factory=dict)
    """Float id -> number (per kind), in order of first mention."""
    clusters: dict[ClusterId, list[CiteRef]] = field(default_factory=dict)
    """Citation clusters in reading order (insertion order)."""
    counters: dict[str, int] = field(default_factory=lambda: {"figure": 0, "table": 0})
    """Last number given per kind."""

    @classmethod
    def for_case(cls, case: Case) -> Numbering:
        """An empty numbering knowing the case's floats."""
        floats = {f.id: Float("figure", f, ("figures", i)) for i, f in enumerate(case.figures)}
        floats.update({t.id: Float("table", t, ("tables", i)) for i, t in enumerate(case.tables)})
        return cls(floats)

    def mention(self, float_id: str) -> bool:
        """Record a mention; True the first time (the float gets its number and its legend's citations)."""
        if float_id in self.numbers or float_id not in self.floats:
            return False
        item = self.floats[float_id]
        self.counters[item.kind] += 1
        self.numbers[float_id] = self.counters[item.kind]
        for path, text in iter_prose(item.obj, item.path):
            for group in markup.scan(text):
                self.cite(path, group)
        return True

    def cite(self, key: tuple[Any, ...], group: markup.Group) -> ClusterId | None:
        """Record a citation cluster (once) and return its id; None when the group cites nothing."""
        if not group.citations:
            return None
        cluster_id = (*key, group.start)
        if cluster_id not in self.clusters:
            self.clusters[cluster_id] = [
                CiteRef(c.key, c.prefix, c.locator, c.suppress_author) for c in group.citations
            ]
        return cluster_id

    def finish(self) -> None:
        """Number floats that were never mentioned, after the others, in the order they are defined."""
        for float_id in self.floats:
            if float_id not in self.numbers:
                self.mention(float_id)


def letter_runs(letters: tuple[str, ...] | list[str]) -> str:
    """Panel letters as journals print them: A–C for three or more in a row, else A, B."""
    ordered = sorted(set(letters), key=ord)
    runs: list[list[str]] = []
    for letter in ordered:
        if runs and ord(letter) == ord(runs[-1][-1]) + 1:
            runs[-1].append(letter)
        else:
            runs.append([letter])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{run[0]}–{run[-1]}")
        else:
            parts.extend(run)
    return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class RefPart:
    """One linked piece of a cross-reference label, e.g. '1A–C' pointing at #fig-histology."""

    text: str
    """The printed text (number and panel letters)."""
    target: str
    """The anchor it links to."""


def crossref_label(refs: list[markup.CrossRef], numbers: dict[str, int], labels: Labels) -> tuple[str, list[RefPart]]:
    """The word ('Figure'/'Figures'/'Table'/'Tables') and the linked parts of a reference group."""
    kind = refs[0].kind
    by_float: dict[str, list[str]] = {}
    for ref in refs:
        by_float.setdefault(ref.id, []).extend(ref.panels)
    plural = len(by_float) > 1 or any(len(set(p)) > 1 for p in by_float.values())
    word = (labels.figures if plural else labels.figure) if kind == "figure" else (labels.tables if plural else labels.table)
    parts: list[RefPart] = []
    ids = sorted(by_float, key=lambda i: numbers[i])
    nums = [numbers[i] for i in ids]
    if len(ids) >= 3 and all(not by_float[i] for i in ids) and nums == list(range(nums[0], nums[0] + len(nums))):
        return word, [RefPart(f"{nums[0]}–{nums[-1]}", ids[0])]  # 'Figures 1–3'
    for float_id, panels in sorted(by_float.items(), key=lambda kv: numbers[kv[0]]):
        # Panels link to their figure: the legend names them right under the image.
        parts.append(RefPart(f"{numbers[float_id]}{letter_runs(panels) if panels else ''}", float_id))
    return word, parts
