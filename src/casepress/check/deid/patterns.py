"""Pieces of pattern the text detectors share: units, stopwords, regex-backed finders."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from casepress.check.deid.findings import KnownPeople


# Units after a number make it a measurement, not an identifier.
_UNIT_AFTER = (
    r"(?!\s*(?:/|%|‰|°|×|x\s*10|[µμ]|[a-zA-Z]{1,5}/|(?:IU|U|copies|cells|mg|g|kg|ng|pg|mL|ml|"
    r"L|dL|cGy|Gy|mm|cm|m|bp|kb|Mb|Da|kDa|mmol|mol|h|min|s|days?|weeks?|months?|years?)\b))"
)


# Capitalised words that follow a cue without being a name or a place (a word list reads
# best as text, hence the split).
_STOPWORDS = frozenset(
    """
    a an the this that these those she he her his hers him they their them it its we our us i
    you your and or but nor with without in on at of for from to by into onto after before
    during since until when while where whom whose who which what was were is are be been had
    has have did does do not no yes none also then later however therefore thus initially
    subsequently finally here there patient patients case cases group groups figure fig table
    tbl day days week weeks month months year years grade stage type class score level informed
    written consent information perspective history care health hospital hospitals clinic
    department university medical medicine center centre school central general national
    state province country region area one two three four five six seven eight nine ten
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday spring summer autumn winter
    mr mrs ms miss mx dr prof professor doctor et al ward unit room bed intensive emergency
    surgery theatre english chinese
    """.split()  # noqa: SIM905
)


def _regex_finder(
    pattern: str, flags: int = 0, group: str | int = 0, check: Callable[[str], bool] | None = None
) -> Callable[[str, KnownPeople], Iterator[tuple[int, int]]]:
    compiled = re.compile(pattern, flags)

    def find(text: str, known: KnownPeople) -> Iterator[tuple[int, int]]:
        for match in compiled.finditer(text):
            start, end = match.span(group)
            if start == -1 or start == end:
                continue
            if check is None or check(text[start:end]):
                yield start, end

    return find


def _digits_between(low: int, high: int) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        return low <= sum(c.isdigit() for c in value) <= high

    return check
