"""The outputs registry: every output format ``casepress build`` writes, in one list.

The pipeline runs the selected outputs' writers in this order, the manifest records their
files, the CLI's ``--outputs`` accepts their names, and watch asks it which outputs make a
preview. A new format is one module under :mod:`casepress.outputs.formats` defining its
:class:`~casepress.outputs.spec.Output`, and one line in :data:`OUTPUTS`.

The order is a dependency order: an output comes after every output it requires or uses
(checked when this module is imported).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from casepress.outputs.formats import checklist, collection, docx, html, jats, pdf, submission
from casepress.outputs.spec import Output

__all__ = ["BY_NAME", "NAMES", "NO_PDF", "OUTPUTS", "Output", "SelectionError", "case_files", "closure",
           "depends_on", "named_files", "owner_of", "pulled_in", "select"]

OUTPUTS: tuple[Output, ...] = (
    html.OUTPUT,
    pdf.OUTPUT,
    checklist.OUTPUT,
    jats.OUTPUT,
    docx.OUTPUT,
    submission.OUTPUT,
    collection.OUTPUT,
)
"""Every output, in the order they are made."""

BY_NAME: Mapping[str, Output] = {o.name: o for o in OUTPUTS}
"""Outputs by name."""
NAMES: tuple[str, ...] = tuple(BY_NAME)
"""Their names, in order."""
NO_PDF: tuple[str, ...] = ("html", "checklist", "collection")
"""What ``--no-pdf`` (``BuildOptions(pdf=False)``) makes without ``--outputs``: a preview."""


def _check_order() -> None:
    seen: set[str] = set()
    for output in OUTPUTS:
        missing = [d for d in (*output.requires, *output.uses) if d not in seen]
        assert not missing, f"output '{output.name}' comes before {missing} in OUTPUTS"
        seen.add(output.name)
    assert len(seen) == len(OUTPUTS), "two outputs share a name"


_check_order()


class SelectionError(ValueError):
    """``--outputs`` names an unknown output, or one that needs the PDF under ``--no-pdf``."""


def closure(names: Iterable[str]) -> frozenset[str]:
    """``names`` and everything they require, transitively."""
    todo, found = list(names), set[str]()
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo.extend(BY_NAME[name].requires)
    return frozenset(found)


def select(names: Iterable[str] | None, pdf: bool = True) -> tuple[Output, ...]:
    """The outputs to make, in order: ``names`` and what they require (every output when
    None; without ``pdf``, :data:`NO_PDF`). Raises :class:`SelectionError` with the message
    the CLI prints."""
    from casepress.core.diagnostics import did_you_mean

    if names is None:
        chosen = frozenset(NAMES if pdf else NO_PDF)
    else:
        asked = [n.strip() for n in names if n.strip()]
        if not asked:
            raise SelectionError(f"name at least one output (outputs: {', '.join(NAMES)})")
        for name in asked:
            if name not in BY_NAME:
                hint = did_you_mean(name, NAMES)
                raise SelectionError(f"unknown output '{name}' (outputs: {', '.join(NAMES)})"
                                     + (f"; {hint}" if hint else ""))
        chosen = closure(asked)
        if not pdf and "pdf" in chosen:
            needs = sorted(n for n in asked if "pdf" in closure([n]))
            raise SelectionError(f"--no-pdf turns off the PDF, which {', '.join(needs)} "
                                 f"{'needs' if len(needs) == 1 else 'need'}")
    return tuple(o for o in OUTPUTS if o.name in chosen)


def pulled_in(names: Iterable[str]) -> tuple[str, ...]:
    """The outputs :func:`select` adds to ``names`` (their dependencies), in order."""
    asked = set(names)
    return tuple(n for n in NAMES if n in closure(asked) and n not in asked)


def case_files(slug: str, selected: Iterable[Output]) -> dict[str, str]:
    """Kind -> case-folder-relative path of every file the case outputs among ``selected`` write."""
    chosen = list(selected)
    names = frozenset(o.name for o in chosen)
    files: dict[str, str] = {}
    for output in chosen:
        if output.scope == "case":
            files.update(output.files(slug, names))
    return files


def owner_of(kind: str) -> Output | None:
    """The output that writes files of ``kind`` (whatever the selection; a kind it names from
    the case by its ``named`` prefix), or None."""
    every = frozenset(NAMES)
    return next((o for o in OUTPUTS if kind in o.files("x", every) or (o.named and kind.startswith(o.named))), None)


def named_files(slug: str, recorded: Mapping[str, str], selected: Iterable[Output]) -> dict[str, str]:
    """Kind -> case-folder-relative path of the files the case outputs among ``selected`` named
    from the case, as a manifest entry recorded them (``recorded``: kind -> output-relative path)."""
    prefixes = tuple(o.named for o in selected if o.scope == "case" and o.named)
    return {kind: path.removeprefix(f"{slug}/") for kind, path in recorded.items()
            if prefixes and kind.startswith(prefixes) and path.startswith(f"{slug}/")}


def depends_on(output: Output) -> frozenset[str]:
    """Every output ``output`` requires or uses, transitively."""
    todo, found = [*output.requires, *output.uses], set[str]()
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo.extend((*BY_NAME[name].requires, *BY_NAME[name].uses))
    return frozenset(found)
