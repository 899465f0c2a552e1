"""How figure and table references print: panel letter runs and reference labels.

Which number each float gets, and in which order citations are numbered, is decided by
the resolve stage (:mod:`casepress.resolve.walk`), in the journal's reading order.
"""

from __future__ import annotations

from dataclasses import dataclass

from casepress.text import markup
from casepress.journals.journal import Labels


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
