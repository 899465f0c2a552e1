"""CSL text-case, initials, sort keys and the numeric test, as citeproc-js does them
(pure functions: no citeproc-py needed except to read its strings' nocase segments)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from casepress.cite.csl_markup import PUA

_STOP_WORDS = frozenset("""
    about above across afore after against al along alongside amid amidst among amongst anenst
    apropos apud around as aside astride at athwart atop barring before behind below beneath
    beside besides between beyond but by circa despite down during et except for forenenst from
    given in inside into lest like modulo near next notwithstanding of off on onto out over per
    plus pro qua sans since than through thru throughout thruout till to toward towards under
    underneath until unto up upon versus vs v via with within without or yet so and nor a an
    the de d von van c ca
""".split())
"""Words title case leaves alone: citeproc-js's list (CSL.SKIP_WORDS; its phrases such as
"according to" are not matched), which includes the name particles."""
_CHUNK = re.compile(r"[^\W\d_]+")
"""A run of letters: the unit case changes work on."""


def protected_chars(text: Any) -> tuple[str, list[bool]]:
    """A citeproc-py (Mixed)String as its characters, and per character whether a nocase
    span protects it from case changes."""
    from citeproc.string import MixedString, NoCase

    segments = list(text) if isinstance(text, MixedString) else [text]
    chars: list[str] = []
    protected: list[bool] = []
    for segment in segments:
        value = str(segment)
        chars.append(value)
        protected.extend([isinstance(segment, NoCase)] * len(value))
    return "".join(chars), protected


def change_case(text_case: str, text: str, protected: list[bool]) -> str:
    """CSL text-case on ``text``, word by word (runs of letters) as pandoc's citeproc does
    it; characters marked ``protected`` (nocase) never change.

    Title case capitalises a lower-case word that starts the text or a sentence, or
    follows a space or hyphen and is neither a stop word nor one letter (so ``p < 0.05``
    and ``12th`` stay), and the last word; words with capitals (mRNA, DNA) are left
    as they are."""
    chunks = list(_CHUNK.finditer(text))
    out = list(text)
    for n, match in enumerate(chunks):
        start, end = match.span()
        if any(protected[start:end]):
            continue
        word = match.group(0)
        state = _chunk_state(text, start, n == 0)
        last = n == len(chunks) - 1
        out[start:end] = _case_word(text_case, word, state, last)
    return "".join(out)


def _chunk_state(text: str, start: int, first: bool) -> str:
    """Where a word stands: at the ``start``, starting a ``sentence`` (after ``:`` ``.``
    ``?`` ``!`` and a space), after a word ``end`` (space, hyphen, dash, slash, opening
    bracket or quote), or glued to a ``char`` (a digit, an apostrophe)."""
    before = PUA.sub("", text[:start])
    if first and not re.search(r"[\w]", before):
        return "start"
    stripped = before.rstrip()
    if stripped != before and stripped.endswith((":", ".", "?", "!")):
        return "sentence"
    if not before or before[-1].isspace() or before[-1] in "-\u2013\u2014/([{\"“‘":
        return "end"
    return "char"


def _case_word(text_case: str, word: str, state: str, last: bool) -> str:
    mixed = any(c.isupper() for c in word) and any(c.islower() for c in word)
    if text_case == "lowercase":
        return word.lower()
    if text_case == "uppercase":
        return word.upper()
    if text_case == "capitalize-first":
        return word[0].upper() + word[1:] if state == "start" and word.islower() else word
    if text_case == "capitalize-all":
        return word[0].upper() + word[1:] if state != "char" and word.islower() else word
    if text_case == "sentence":
        capitalised = word[0].isupper() and word[1:].islower()
        if state in ("start", "sentence") and (capitalised or word.islower()):
            return word[0].upper() + word[1:].lower()
        return word.lower() if capitalised else word
    if text_case != "title" or mixed or word.isupper():
        return word
    if state in ("start", "sentence"):
        return word[0].upper() + word[1:]
    if state == "end" and len(word) > 1 and (last or word.lower() not in _STOP_WORDS):
        return word[0].upper() + word[1:]
    return word


@lru_cache(maxsize=8192)  # pure; a library repeats its authors' names (8,212 calls for 571 entries)
def initials(given: str, mark: str, hyphen: bool = True) -> str:
    """Given names as initials, as citeproc-js forms them: ``Jean-Pierre`` J.-P., a
    lower-case part after a hyphen belongs to its word (``Pei-hua`` P.), particles stay
    (``Maria de`` M. de), ``J.R.`` J. R.; without initialize-with-hyphen a hyphen is a
    space (``Xiao-Ming`` XM, ``Pei-hua`` P hua). citeproc-py printed ``P.-. hua .``."""
    if not hyphen:
        given = given.replace("-", " ")
    given = re.sub(r"\s*-\s*", "-", given.strip())
    given = re.sub(r"-(?=[^\W\d_])(?=[^A-Z\W])", "\u2013", given)  # -hua: part of the word
    given = re.sub(r"\.(?=[^\s.-])", ". ", given)
    tokens = re.split(r"(\s+|-)", given)
    out: list[str] = []
    for index in range(0, len(tokens), 2):
        word = tokens[index]
        separator = tokens[index + 1] if index + 1 < len(tokens) else ""
        if word[:1].isupper():
            out.append(word[0] + (mark.rstrip() + "-" if separator == "-" else mark))
        elif word:
            out.append(f" {word.replace(chr(0x2013), '-')} ")
    text = re.sub(r"\s*-\s*", "-", "".join(out))
    return re.sub(r"\s+", " ", text).strip()


def sort_text(key: str) -> str:
    """A rendered sort key as text to compare: no placeholders, no quotation marks, and
    punctuation and "&" between words as one space, as citeproc-js compares names (its
    keys are the name parts: "Wang, P., & Zhou" no longer sorts before "Wang, P., Lin")."""
    key = re.sub("[\"“”‘’«»]", "", PUA.sub("", key))
    return " ".join(re.sub(r"[^\w\s]+", " ", key).split())


def is_numeric(value: str) -> bool:
    """CSL's numeric test: every part of a list or range is a number, possibly with
    letters around it (``12``, ``2nd``, ``S1``, ``12-15``, ``2, 4``; not ``2020:14``)."""
    parts = re.split(r"\s*[,&\-\u2013]\s*", value.strip())
    return all(re.fullmatch(r"[A-Za-z]*\d+[A-Za-z]*", part) for part in parts)
