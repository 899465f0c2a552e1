"""Reading the article in order: float numbers, citation order and float placement.

The walk follows the reading plan (:mod:`casepress.resolve.layout`) and keeps the rules the
journals print by:

* a figure or table is numbered (per kind) at its first mention; floats nobody mentions are
  numbered after the others, where they are set (figures first, then tables, in the order
  the case defines them);
* citations are numbered in reading order; those in a figure legend or a table's notes
  or cells are numbered where the float is first mentioned, not where the legend stands
  (ICMJE: "numbered in accordance with the sequence established by the first identification
  in the text of the particular table or figure");
* a float is set after the top-level block (paragraph, list) that first mentions it, unless
  a section sets it itself (the Timeline section and its table) or the journal puts floats
  at the end; a float first mentioned in a legend follows the float whose legend it is;
  whatever is left is set after the body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from casepress.cite.csl import CiteRef
from casepress.text.markup import CrossRef, Group
from casepress.model import Case, Figure, Table, Timeline, iter_prose
from casepress.stages.resolved import BlockSite, FieldPath, GroupId, Landmark, Prose
from casepress.resolve.groups import find_groups
from casepress.resolve.layout import FloatsRemaining, PlaceHere, Step, Visit, field_anchor

Site = BlockSite | Literal["section", "end"]
"""Where a float is set: after a block of prose, by a section, or after the body."""


@dataclass(frozen=True, slots=True)
class FloatRef:
    """A figure or table of the case."""

    kind: Literal["figure", "table"]
    """Which."""
    obj: Figure | Table
    """The model object."""
    path: FieldPath
    """Its field path."""


def case_floats(case: Case) -> dict[str, FloatRef]:
    """Every float of the case by id, figures first, each kind in the order the case defines it."""
    floats = {f.id: FloatRef("figure", f, ("figures", i)) for i, f in enumerate(case.figures)}
    floats.update({t.id: FloatRef("table", t, ("tables", i)) for i, t in enumerate(case.tables)})
    return floats


def float_prose(case: Case, ref: FloatRef) -> list[Prose]:
    """A float's prose in the order it is set: panel legends then the lead (figures); cells,
    title, notes (tables; a generated timeline table's cells are the events)."""
    path = ref.path
    if isinstance(ref.obj, Figure):
        panels = [Prose((*path, "panels", j, "caption"), p.caption) for j, p in enumerate(ref.obj.panels) if p.caption]
        lead = [Prose((*path, "caption"), ref.obj.caption)] if ref.obj.caption else []
        return panels + lead
    table = ref.obj
    cells: list[Prose] = []
    if table.generate == "timeline" and isinstance(case.timeline, Timeline):
        from casepress.check.timeline import resolve_events

        events = case.timeline.events
        cells = [Prose(("timeline", "events", events.index(r.event), "text"), r.event.text)
                 for r in resolve_events(case.timeline)]
    elif not table.generate:
        cells = [Prose((*path, "rows", r, c), cell) for r, row in enumerate(table.rows or []) for c, cell in enumerate(row)]
    notes = [Prose((*path, "notes"), table.notes)] if table.notes else []
    return [*cells, Prose((*path, "caption"), table.caption), *notes]


def legend(ref: FloatRef, own: list[Prose]) -> list[Prose]:
    """A float's prose in the case's order (lead, panels; title, cells, notes): what its first
    mention cites (``own`` is its :func:`float_prose`). A generated timeline table's cells are
    the events."""
    prose = [Prose(path, text) for path, text in iter_prose(ref.obj, ref.path)]
    if isinstance(ref.obj, Table) and ref.obj.generate == "timeline":
        events = [p for p in own if p.path[0] == "timeline"]
        prose[1:1] = events  # after the title, where an inline table has its rows
    return prose


@dataclass
class Walk:
    """The state of the reading: what is numbered, cited, pending and placed."""

    case: Case
    """The case."""
    floats: dict[str, FloatRef]
    """Every float by id."""
    labels: dict[str, str]
    """Caption label per kind, with ``{n}``: ``{"figure": "FIGURE {n}", ...}``."""
    at_end_only: bool
    """The journal sets every float after the body."""
    held: frozenset[str]
    """Floats that sections set themselves."""
    numbers: dict[str, int] = field(default_factory=dict)
    """Float id -> number, per kind, in order of first mention."""
    clusters: dict[GroupId, tuple[CiteRef, ...]] = field(default_factory=dict)
    """Citation clusters in reading order."""
    crossrefs: dict[GroupId, tuple[CrossRef, ...]] = field(default_factory=dict)
    """The cross-references of each group that has them."""
    pending: list[str] = field(default_factory=list)
    """Floats mentioned and not yet set."""
    sites: dict[str, Site] = field(default_factory=dict)
    """Float id -> where it is set, in the order they are set."""
    landmarks: list[Landmark] = field(default_factory=list)
    """Prose fields and floats in reading order."""
    own_prose: dict[str, list[Prose]] = field(default_factory=dict)
    """Float id -> its prose in the order it is set (computed once)."""

    def prose_of(self, float_id: str) -> list[Prose]:
        """A float's prose, as :func:`float_prose` gives it."""
        if float_id not in self.own_prose:
            self.own_prose[float_id] = float_prose(self.case, self.floats[float_id])
        return self.own_prose[float_id]

    # -- the plan ----------------------------------------------------------------------

    def run(self, steps: list[Step]) -> None:
        """Walk the plan, then every prose field no step printed (so a writer finds every group)."""
        seen: set[FieldPath] = set()
        for step in steps:
            if isinstance(step, Visit):
                seen.add(step.prose.path)
                self.visit(step.prose, step.block, step.label)
            elif isinstance(step, PlaceHere):
                for float_id in step.ids:
                    self.place(float_id, "section")
            elif isinstance(step, FloatsRemaining):
                self.floats_remaining()
        seen |= {p.path for float_id in self.floats for p in self.prose_of(float_id)}
        for path, text in iter_prose(self.case):
            if path not in seen:
                self.visit(Prose(path, text), True, None)
        for float_id in self.floats:  # only when the plan has no FloatsRemaining
            self.mention(float_id)

    def visit(self, prose: Prose, block: bool, label: str | None) -> None:
        """A reader meets a prose field: its groups, then (block prose) the floats after each block."""
        if label is not None:
            self.landmarks.append(Landmark(field_anchor(prose.path), label, prose.path))
        found, blocks = find_groups(prose.text, block)
        for index in range(blocks if block else 1):
            for item in (f for f in found if f.block == index):
                self.group(GroupId(prose.path, item.ordinal), item.group)
            if block:
                self.flush(BlockSite(prose.path, index))

    def group(self, ident: GroupId, group: Group) -> None:
        """A citation cluster is cited (once); each cross-referenced float is mentioned."""
        if group.citations:
            self.clusters.setdefault(ident, _refs(group))
        if group.crossrefs:
            self.crossrefs.setdefault(ident, tuple(group.crossrefs))
        for kind in ("figure", "table"):
            for ref in (r for r in group.crossrefs if r.kind == kind):
                self.mention(ref.id)
                if ref.id not in self.sites and ref.id not in self.pending:
                    self.pending.append(ref.id)

    # -- floats ------------------------------------------------------------------------

    def mention(self, float_id: str) -> None:
        """The first mention numbers a float and cites its legend's citations (ICMJE)."""
        ref = self.floats.get(float_id)
        if ref is None or float_id in self.numbers:
            return
        self.numbers[float_id] = 1 + sum(1 for i in self.numbers if self.floats[i].kind == ref.kind)
        for prose in legend(ref, self.prose_of(float_id)):
            for item in find_groups(prose.text, False)[0]:
                if item.group.citations:
                    self.clusters.setdefault(GroupId(prose.path, item.ordinal), _refs(item.group))

    def flush(self, site: Site) -> None:
        """Set the pending floats here (those a section sets itself wait for it)."""
        if self.at_end_only:
            return
        waiting: list[str] = []
        while self.pending:
            float_id = self.pending.pop(0)
            if float_id in self.held:
                waiting.append(float_id)
            else:
                self.place(float_id, site)
        self.pending.extend(waiting)

    def place(self, float_id: str, site: Site) -> None:
        """Set a float (once): it is numbered if it was not, and its own prose is read."""
        ref = self.floats.get(float_id)
        if ref is None or float_id in self.sites:
            return
        self.mention(float_id)
        self.sites[float_id] = site
        if float_id in self.pending:
            self.pending.remove(float_id)
        label = self.labels[ref.kind].format(n=self.numbers[float_id])
        self.landmarks.append(Landmark(float_id, label, None))
        for prose in self.prose_of(float_id):
            for item in find_groups(prose.text, False)[0]:
                self.group(GroupId(prose.path, item.ordinal), item.group)

    def floats_remaining(self) -> None:
        """After the body: the pending floats, then every float not yet set, figures first."""
        self.flush("end")
        order = sorted(self.floats, key=lambda i: (self.floats[i].kind, self.numbers.get(i, 10**6)))
        if self.at_end_only:
            order = [i for i in order if i in self.numbers] + [i for i in order if i not in self.numbers]
        for float_id in order:
            self.place(float_id, "end")
            self.flush("end")


def _refs(group: Group) -> tuple[CiteRef, ...]:
    return tuple(CiteRef(c.key, c.prefix, c.locator, c.suppress_author) for c in group.citations)
