"""Sentence case for BibTeX titles, as BibTeX's styles and pandoc's reader make it:
a capitalised word (``Framework``) becomes lower case outside braces; protected text
(``<span class="nocase">``), words with capitals inside or in capitals only (mRNA, DNA,
V), the first word, and the first word after ``:``, ``.``, ``?`` or ``!`` stay as
written. CSL styles cannot lower-case a title; they expect sentence case in the data.
"""

from __future__ import annotations

import re

_PIECES = re.compile(r'(<span class="nocase">.*?</span>|<[^>]+>)', re.DOTALL)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")

ENGLISH = frozenset({
    "english", "american", "british", "canadian", "australian", "newzealand", "usenglish",
    "ukenglish", "en", "eng",
})
"""``langid``/``language`` values of English entries (codes ``en-*`` are English too)."""


def is_english(language: str) -> bool:
    """True for an English or unmarked entry."""
    value = language.strip().lower()
    return not value or value in ENGLISH or value.startswith("en-")


def sentence_case(text: str) -> str:
    """``text`` (CSL rich text) in sentence case; see the module docstring."""
    out: list[str] = []
    state = {"first": True, "keep": True}
    for piece in _PIECES.split(text):
        if piece.startswith("<span class=\"nocase\">"):
            out.append(piece)
            state["first"], state["keep"] = False, False
        elif piece.startswith("<"):
            out.append(piece)
        else:
            out.append(_plain(piece, state))
    return "".join(out)


def _plain(text: str, state: dict[str, bool]) -> str:
    out: list[str] = []
    pos = 0
    for match in _WORD.finditer(text):
        between = text[pos:match.start()]
        out.append(between)
        if re.search(r"[:.?!]\s+$", between) or (state["first"] and not between.strip()):
            state["keep"] = True
        word = match.group()
        capitalised = word[0].isupper() and (len(word) == 1 or word[1:] == word[1:].lower())
        if capitalised and len(word) > 1 and not state["keep"]:
            word = word.lower()
        out.append(word)
        state["first"], state["keep"] = False, False
        pos = match.end()
    out.append(text[pos:])
    if re.search(r"[:.?!]\s+$", text):
        state["keep"] = True
    return "".join(out)
