"""Personal names: capitalised words after a title or a cue, unless an author or a cited one."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from casepress.text import markup
from casepress.check.deid.findings import KnownPeople
from casepress.check.deid.patterns import _STOPWORDS, compiled, unanchored


# Words after a name that make it an eponym ('Paget disease', 'Virchow's node').
_EPONYM_AFTER = (
    r"(?i)(?:'s|’s|')?[\s-]+(?:disease|syndrome|disorder|sign|test|score|scale|criteria|criterion|"
    r"classification|stage|staging|grade|grading|node|nodes|triad|phenomenon|procedure|"
    r"operation|technique|method|reaction|cells?|bod(?:y|ies)|tumou?r|lymphoma|sarcoma|"
    r"carcinoma|thyroiditis|anomaly|malformation|palsy|fracture|ulcer|ratio|index|law|"
    r"protocol|regimen|trial|study|equation|formula|approach|manoeuvre|maneuver|incision|"
    r"position|line|membrane|duct|capsule|stain|staining|hernia|cyst|effect|proteins?|nodules?|curves?|analysis|et\s+al)\b"
)

_WORD = r"[^\W\d_](?:[\w'’-]*[^\W\d_])?\.?"


def name_at(text: str, pos: int, max_words: int = 3) -> tuple[int, int] | None:
    """The span of a personal name starting at ``pos``: capitalised words (initials allowed).

    Returns None when the first word is not capitalised, is a stopword or an
    acronym (``ECOG``), or when the name is an eponym (``Paget disease``).
    """
    words: list[tuple[int, int, bool]] = []  # (start, end, is an initial)
    cursor = pos
    while len(words) < max_words:
        match = compiled(_WORD).match(text, cursor)
        if match is None:
            break
        word = match.group(0)
        bare = word.rstrip(".")
        possessive = bare.endswith(("'s", "’s"))
        bare = bare[:-2] if possessive else bare
        initial = len(bare) == 1 and bare.isupper()
        if not initial:
            # A name word is capitalised, has lower-case letters (not an acronym) and no digits.
            if (
                not bare[0].isupper()
                or bare.lower() in _STOPWORDS
                or not any(c.islower() for c in bare)
            ):
                break
            end = match.start() + len(bare)  # a full stop after a word ends the sentence
            if re.match(r"-?\d", text[end : end + 2]):
                break  # 'Ki-67', 'Ki67': a marker, not a name
        else:
            end = match.end()
        words.append((match.start(), end, initial))
        gap = re.match(r"[ \t]+|\n(?!\n)", text[end:])  # a name never spans paragraphs
        if gap is None or possessive:
            break
        cursor = end + len(gap.group(0))
    while words and words[-1][2]:
        words.pop()  # a trailing initial belongs to the next sentence more often than to the name
    if not words or all(initial for _, _, initial in words):
        return None
    end = words[-1][1]
    if compiled(_EPONYM_AFTER).match(text, end):
        return None
    return pos, end


_LAY_TITLE = r"\b(?:Mr|Mrs|Ms|Miss|Mx|Mister|Madam|Master)\b\.?\s+"
_ACADEMIC_TITLE = r"\b(?:Dr|Doctor|Prof|Professor)\b\.?\s+"
_PATIENT_CUE = r"\bpatient,?\s+"
_RELATIVE_CUE = (
    r"\b(?:husband|wife|son|daughter|mother|father|brother|sister|sibling|partner|spouse|"
    r"fianc[ée]e?|boyfriend|girlfriend|grandson|granddaughter|grandmother|grandfather|"
    r"grandparent|niece|nephew|aunt|uncle|cousin|friend|neighbou?r|employer|colleague|"
    r"caregiver|carer|guardian),?\s+"
)
_NAME_CUES: tuple[tuple[str, str, bool], ...] = (
    # (cue, what every text it matches holds (see Detector.needs), whether that is lower case)
    (_PATIENT_CUE, unanchored(_PATIENT_CUE), False),
    # 'named', 'called' and 'known as' name drugs and techniques as often as people: only
    # after a person ('a girl named', 'she was called').
    (
        r"(?i:\b(?:man|woman|lady|boy|girl|patient|person|child|infant|baby|husband|wife|son|"
        r"daughter|mother|father|brother|sister|friend|neighbou?r|he|she|who)\b(?:\s+\w+){0,3}?"
        r",?\s+(?:named|nicknamed|surnamed|called|known\s+as|alias)\s+)",
        r"(?:named|called|known\s+as|alias)\s",
        True,
    ),
    (
        r"(?i:\b(?:his|her|their|patient'?s)\s+(?:full\s+|first\s+|last\s+|given\s+|family\s+)?"
        r"(?:sur)?name\s+(?:is|was)\s+)",
        r"name\s+(?:is|was)\s",
        True,
    ),
    # 'Name: ...' as in a form; 'trade name:', 'brand name:' name products.
    (
        r"(?i:(?<![\w-])(?<!trade\s)(?<!brand\s)(?<!generic\s)(?<!drug\s)(?<!gene\s)"
        r"(?<!product\s)(?<!common\s)(?<!scientific\s)(?<!file\s)(?<!user\s)"
        r"(?:patient'?s\s+)?(?:full\s+|first\s+|last\s+|given\s+|family\s+)?(?:sur)?name\s*[:=]\s*)",
        r"name\s*[:=]",
        True,
    ),
    (_RELATIVE_CUE, unanchored(_RELATIVE_CUE), False),
)


def _name_finder(
    cue: str, include_cue: bool, academic: bool
) -> Callable[[str, KnownPeople], Iterator[tuple[int, int]]]:
    def find(text: str, known: KnownPeople) -> Iterator[tuple[int, int]]:
        for match in compiled(cue).finditer(text):
            span = name_at(text, match.end())
            if span is None:
                continue
            name = text[span[0] : span[1]]
            if _is_known_person(name, text, span[1], known, academic):
                continue
            yield (match.start() if include_cue else span[0]), span[1]

    return find


def _name_words(name: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[^\W\d_][\w'’-]*[^\W\d_]", name)]


def _is_known_person(name: str, text: str, end: int, known: KnownPeople, academic: bool) -> bool:
    """True when the name is an author, editor or reviewer, or a cited author.

    'Dr Zhang' is most likely an author or a cited colleague when Zhang is one of
    theirs; 'Mrs Zhang' or 'patient Zhang' is the patient unless a citation in the
    same sentence names a Zhang, so lay titles and cues need that stronger evidence.
    """
    words = _name_words(name)
    if not words:
        return True
    if " ".join(words) in known.full_names:
        return True
    if academic and any(w in known.surnames for w in words):
        return True
    sentence_end = re.search(r"[.!?](?:\s|$)", text[end:])
    stop = end + (sentence_end.start() if sentence_end else len(text) - end)
    for group in markup.scan(text[end:stop]):
        for item in group.items:
            key = getattr(item, "key", None)
            if key and known.cited and any(w in known.cited.get(key, frozenset()) for w in words):
                return True
    return False
