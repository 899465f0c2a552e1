"""BibTeX name lists to CSL names: ``and``-separated persons, ``and others``, the
"First von Last", "von Last, First" and "von Last, Jr, First" forms, braced literals."""

from __future__ import annotations

import functools
import re

from casepress.cite.bibtex_blocks import delimited_text
from casepress.cite.bibtex_latex import Mode, decode_latex


# -- names ------------------------------------------------------------------

_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def parse_names(raw: str) -> tuple[list[dict[str, str]], bool, list[str]]:
    """CSL names of a BibTeX name list, whether it ended in ``and others``, and problems."""
    names: list[dict[str, str]] = []
    truncated = False
    problems: list[str] = []
    for person in split_persons(raw):
        if person == "others":
            truncated = True
            continue
        name, problem = _parse_name(person)
        if problem:
            problems.append(problem)
        if name:
            names.append(dict(name))  # a copy: the cached dict must not be shared by items
    return names, truncated, problems


_PERSON_MARKS = re.compile(r"(?<!\\)[{}]|\s+and\s+", re.IGNORECASE)


def split_persons(raw: str) -> list[str]:
    """The persons of a name list, cut at ``and`` outside braces.

    Not bibtexparser's ``split_multiple_persons_names``: it drops a command that
    starts a name after ``and`` (``A and \\"Ozt\\"urk, B`` gives ``Ozt\\"urk``).
    """
    persons: list[str] = []
    depth, start = 0, 0
    for mark in _PERSON_MARKS.finditer(raw):
        text = mark.group()
        if text == "{":
            depth += 1
        elif text == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            persons.append(raw[start : mark.start()])
            start = mark.end()
    persons.append(raw[start:])
    return [p.strip() for p in persons if p.strip()]


@functools.lru_cache(maxsize=4096)
def _parse_name(person: str) -> tuple[dict[str, str] | None, str | None]:
    """One CSL name (family, given, non-dropping-particle, suffix, or literal) and a problem.

    Cached because the same people recur across a library.
    """
    from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts

    inner = delimited_text(person)
    if inner is not None and person.startswith("{"):
        literal = decode_latex(inner, Mode.PLAIN)[0]  # {World Health Organization}
        return ({"literal": literal} if literal else None), None
    problem = None
    try:
        parts = parse_single_name_into_parts(person, strict=True)
    except InvalidNameError as exc:
        problem = f"name {person!r} is malformed ({exc.reason.lower()})"
        parts = parse_single_name_into_parts(person, strict=False)
    suffix = list(parts.jr)
    trailing_suffix = len(parts.last) == 1 and parts.last[0].lower() in _SUFFIXES
    if not suffix and "," not in person and parts.first and trailing_suffix:
        # "John Smith Jr." -- BibTeX would make "Jr." the family name.
        suffix = parts.last
        parts = parse_single_name_into_parts(person[: person.rstrip().rfind(" ")], strict=False)
    name: dict[str, str] = {}
    for key, words in (
        ("family", parts.last),
        ("given", parts.first),
        ("non-dropping-particle", parts.von),
        ("suffix", suffix),
    ):
        value = decode_latex(" ".join(words), Mode.PLAIN)[0]
        if value:
            name[key] = value
    return (name or None), problem
