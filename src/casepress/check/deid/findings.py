"""What the check reports: findings, acknowledgements, the people it knows, and how it quotes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from casepress.core.diagnostics import Location


@dataclass(frozen=True, slots=True)
class Finding:
    """One possible identifier, before acknowledgements and disabled kinds are applied."""

    kind: str
    """The kind, e.g. ``phone``; the diagnostic's code is ``deid-<kind>``."""
    text: str
    """The matched text in full (an acknowledgement may name it, or ``shown``)."""
    shown: str
    """How the message quotes it: masked for numbers, e-mail addresses and metadata values."""
    message: str
    """The diagnostic's message."""
    location: Location
    """Where it is: the character in case.yaml, or the figure's ``file`` field."""
    field: str | None
    """The field path in case.yaml (``figures[2].file``); None for a file no field names."""
    hint: str | None = None
    """What to do about it."""
    scope: str | None = None
    """What an acknowledgement's ``field`` is compared with: the field path, or for a file
    no field names (a DICOM file), its path in the case folder (``scans/ct.dcm``)."""

    @property
    def code(self) -> str:
        """The diagnostic code, ``deid-<kind>``."""
        return f"deid-{self.kind}"


@dataclass(frozen=True, slots=True)
class Acknowledged:
    """One entry of ``checks.acknowledge``, read from the YAML as written."""

    index: int
    """Its position in the list (for the location of an unused acknowledgement)."""
    text: str
    """The acknowledged text: a finding's matched text or its quoted (masked) form."""
    field: str | None
    """The field path it is limited to, or None for anywhere."""

    def covers(self, finding: Finding) -> bool:
        """True when this acknowledgement accepts ``finding``."""
        if self.text not in (finding.text, finding.shown):
            return False
        if self.field is None:
            return True
        # A section or an item covers its fields: 'figures[2]' covers 'figures[2].file'.
        where = finding.scope or finding.field or ""
        return where == self.field or where.startswith((self.field + ".", self.field + "["))


@dataclass(frozen=True, slots=True)
class KnownPeople:
    """People (and their addresses) the text may name without identifying the patient."""

    emails: frozenset[str] = frozenset()
    """The authors' e-mail addresses, lower-cased."""
    full_names: frozenset[str] = frozenset()
    """Authors', editors' and reviewers' full names, lower-cased (``shuting zhang``)."""
    surnames: frozenset[str] = frozenset()
    """Name words of authors, editors, reviewers and cited authors, lower-cased."""
    cited: Mapping[str, frozenset[str]] | None = None
    """For each bibliography key, the lower-cased family-name words of its authors."""

    def digest(self) -> str:
        """A stable digest of these people: part of the key of every cached finding."""
        from casepress.core.cache import digest

        cited = sorted([key, sorted(names)] for key, names in (self.cited or {}).items())
        return digest(sorted(self.emails), sorted(self.full_names), sorted(self.surnames), cited)


def mask(text: str) -> str:
    """Keep a few characters at each end: ``13573603087`` -> ``135…087``, ``Jane`` -> ``J…e``."""
    if len(text) <= 3:
        return text[:1] + "…"
    keep = 3 if len(text) >= 10 else 2 if len(text) >= 6 else 1
    return f"{text[:keep]}…{text[-keep:]}"


def mask_digits(text: str) -> str:
    """Mask a number by its digits alone, so spacing and punctuation do not count."""
    digits = re.sub(r"\D", "", text)
    return mask(digits or text)


def mask_email(text: str) -> str:
    """``jane.doe@hospital.org`` -> ``j…@hospital.org``: the domain says where, not who."""
    local, _, domain = text.partition("@")
    return f"{local[:1]}…@{domain}"


def show_url(text: str) -> str:
    """A URL by its host only: ``https://example.org/…``."""
    match = re.match(r"((?:[a-z][a-z0-9+.-]*://)?[^/?#]+)(.*)", text, re.IGNORECASE)
    if match is None:
        return mask(text)
    return match.group(1) + ("/…" if match.group(2).strip("/") else "")


def as_is(text: str) -> str:
    """Names, places and ages are quoted in full: the author needs to see which one."""
    return text
