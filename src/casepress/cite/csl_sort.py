"""``cs:sort`` with sort keys computed when a comparison needs them.

citeproc-py rendered every ``cs:key`` of the style for every item before sorting: APA's
bibliography has ten keys (author, date, title...), so 571 items meant 5,710 macro
renderings, though a later key only decides between items that tie on the ones before.
Here the comparison is citeproc-py's own, step for step, and each key of each item is
rendered the first time a comparison reaches it: the order is the same, because every
comparison gives the same result, and the keys are pure (the layout's ``repressed``
list is reset before each, as citeproc-py does).
"""

from __future__ import annotations

from functools import cmp_to_key
from typing import Any

from citeproc import model  # type: ignore[import-untyped]

from casepress.cite.csl_memo import Memoized


def _compare(left_key: Any, right_key: Any, descending: bool) -> int | None:
    """citeproc-py's comparison of one key (None: a tie, go on to the next key)."""
    if left_key is not None and right_key is not None:
        try:
            left_key = str(left_key.lower())
            right_key = str(right_key.lower())
        except AttributeError:
            pass
        try:
            left_key, right_key = (int(str(left_key)), int(str(right_key)))
        except ValueError:
            pass
        result = (left_key > right_key) - (left_key < right_key)
        if result:
            return -1 * result if descending else result
        return None
    if left_key is not None:
        return -1
    if right_key is not None:
        return 1
    return None


class Sort(Memoized, model.Sort):
    """``cs:sort``, its keys rendered lazily (see the module docstring)."""

    def sort(self, items: Any, context: Any) -> Any:
        keys = list(self.findall("cs:key", self.nsmap))
        descending = [key.get("sort", "ascending").lower() == "descending" for key in keys]
        found: dict[tuple[int, int], Any] = {}

        def value(position: int, index: int) -> Any:
            if (position, index) not in found:
                found[position, index] = keys[position].sort_keys([items[index]], context)[0]
            return found[position, index]

        def compare(left: int, right: int) -> int:
            for position in range(len(keys)):
                result = _compare(value(position, left), value(position, right), descending[position])
                if result is not None:
                    return result
            return 0

        return [items[i] for i in sorted(range(len(items)), key=cmp_to_key(compare))]
