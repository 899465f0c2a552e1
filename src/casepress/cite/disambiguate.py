"""CSL disambiguation (CSL 1.0.2, "Disambiguation") for author-date styles, decided
before citeproc-py renders: given names (the global rules ``all-names``,
``all-names-with-initials``, ``primary-name``, ``primary-name-with-initials``, and
``by-cite``) and year suffixes (``2019a``, ``2019b``, assigned in bibliography order).

citeproc-py does neither: two works by one author in one year both printed ``(2019)``.
The result is plain data (per key: expand the given names, which suffix), so it can be
cached with the formatted entries and applied to citeproc-py's references.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

GLOBAL_RULES = frozenset({"all-names", "all-names-with-initials", "primary-name", "primary-name-with-initials"})


@dataclass(frozen=True)
class Options:
    """The style's disambiguation attributes on ``cs:citation``."""

    add_givenname: bool = False
    """``disambiguate-add-givenname``."""
    givenname_rule: str = "by-cite"
    """``givenname-disambiguation-rule``."""
    add_year_suffix: bool = False
    """``disambiguate-add-year-suffix``."""

    @property
    def any(self) -> bool:
        """True when the style asks for any disambiguation casepress performs."""
        return self.add_givenname or self.add_year_suffix


Name = tuple[str, str]
"""(family, given) of one person as the item lists them."""


def year_suffix(index: int) -> str:
    """``a`` .. ``z``, then ``aa``, ``ab``... (citeproc-js's sequence)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def _initials(given: str) -> str:
    return "".join(part[0] for part in given.replace("-", " ").replace(".", " ").split() if part)


def expanded_by_rule(keys: Sequence[str], names: Callable[[str], list[Name]], options: Options) -> set[str]:
    """Keys whose cited names need given names under a global rule: a family name that
    stands for two different persons among all cited items (``W. Chen`` and ``R. Chen``)."""
    if not options.add_givenname or options.givenname_rule not in GLOBAL_RULES:
        return set()
    primary = options.givenname_rule.startswith("primary")
    with_initials = options.givenname_rule.endswith("with-initials")
    persons: dict[str, set[str]] = {}
    shown: dict[str, list[Name]] = {}
    for key in keys:
        listed = names(key)[:1] if primary else names(key)
        shown[key] = listed
        for family, given in listed:
            persons.setdefault(family, set()).add(_initials(given) if with_initials else given)
    clashing = {family for family, givens in persons.items() if len(givens) > 1}
    return {key for key, listed in shown.items() if any(family in clashing for family, _ in listed)}


def decide(
    keys: Sequence[str],
    names: Callable[[str], list[Name]],
    render: Callable[[Sequence[tuple[str, bool]]], list[str]],
    options: Options,
) -> dict[str, tuple[bool, str]]:
    """Per key in bibliography order: (expand given names, year suffix). ``render`` takes
    (key, expand) pairs and returns each item's citation as text, in order (a batch, so
    the caller can share it out among the cores); items whose citations still read the
    same after the given-name step are ambiguous and get suffixes in ``keys`` order."""
    expand = expanded_by_rule(keys, names, options)
    texts = dict(zip(keys, render([(key, key in expand) for key in keys]), strict=True))
    if options.add_givenname and options.givenname_rule == "by-cite":
        again = [key for group in _ambiguous(keys, texts) for key in group]
        expand.update(again)
        texts.update(zip(again, render([(key, True) for key in again]), strict=True))
    suffixes: dict[str, str] = {}
    if options.add_year_suffix:
        for group in _ambiguous(keys, texts):
            for index, key in enumerate(group):
                suffixes[key] = year_suffix(index)
    return {key: (key in expand, suffixes.get(key, "")) for key in keys if key in expand or key in suffixes}


def _ambiguous(keys: Sequence[str], texts: dict[str, str]) -> list[list[str]]:
    """Groups (in ``keys`` order) of two or more keys whose citations read the same."""
    groups: dict[str, list[str]] = {}
    for key in keys:
        groups.setdefault(texts[key], []).append(key)
    return [group for group in groups.values() if len(group) > 1]
