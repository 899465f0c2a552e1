"""Pieces of pattern the text detectors share: units, stopwords, regex-backed finders.

Every pattern of the detectors is compiled on first use (:func:`compiled`), not at import:
``casepress check`` of a case without, say, any telephone cue never compiles the telephone
patterns, and importing the lint costs little.

Each detector also names a cheap necessary condition of its pattern (``Detector.needs``,
searched in the text itself or in :func:`fold`'s lower-cased copy): most texts hold none
of a detector's cue words, and searching for those words alone is many times faster than
running the detector, whose patterns start with a word boundary or a lookbehind and are
therefore tried at every position of the text.
"""

from __future__ import annotations

import functools
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


@functools.cache
def compiled(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``pattern`` compiled, once per process (``re``'s own cache is bounded and slower to ask)."""
    return re.compile(pattern, flags)


def unanchored(pattern: str) -> str:
    """``pattern`` without its leading ``\\b``: a necessary condition of it that ``re`` finds by
    a fast scan for its first characters (it tries a pattern that starts with ``\\b`` at
    every position)."""
    if not pattern.startswith("\\b"):
        raise ValueError(f"not anchored at a word boundary: {pattern[:20]}")
    return pattern[2:]


_FOLD = str.maketrans({"ı": "i", "ſ": "s", "\u0307": None})
"""What lower() leaves that IGNORECASE equates with i and s: re matches the dotless ı and
the long ſ as i and s, and İ (whose lower case is i and a combining dot above) as i."""


def fold(text: str) -> str:
    """``text`` lower-cased so that wherever a case-insensitive pattern matches ``text``, the
    same pattern written in lower case matches the result, case-sensitively (and faster)."""
    lower = text.lower()
    return lower if lower.isascii() else lower.translate(_FOLD)


def _regex_finder(
    pattern: str, flags: int = 0, group: str | int = 0, check: Callable[[str], bool] | None = None
) -> Callable[[str, KnownPeople], Iterator[tuple[int, int]]]:
    def find(text: str, known: KnownPeople) -> Iterator[tuple[int, int]]:
        for match in compiled(pattern, flags).finditer(text):
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
