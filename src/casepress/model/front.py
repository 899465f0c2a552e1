"""Front matter: authors, affiliations, dates, publication, licence, review, attribution."""

# No `from __future__ import annotations` in the model's modules: see casepress.model.

import re
from typing import Annotated, Self

from pydantic import AfterValidator, Field, StringConstraints, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from casepress.model.base import Doi, Email, Model, Orcid, Prose, Slug, Text
from casepress.model.dates import IsoDate, _publication_year


class Affiliation(Model):
    """An institution that authors belong to."""

    id: Slug
    """Short id that authors refer to, e.g. ``oncology``."""
    name: Text
    """The affiliation as printed: department, institution, city, country."""


CREDIT_ROLES = (
    "Conceptualization",
    "Data curation",
    "Formal analysis",
    "Funding acquisition",
    "Investigation",
    "Methodology",
    "Project administration",
    "Resources",
    "Software",
    "Supervision",
    "Validation",
    "Visualization",
    "Writing – original draft",
    "Writing – review & editing",
)
"""The 14 CRediT contributor roles (https://credit.niso.org)."""


def _credit_role(value: str) -> str:
    normalised = value.replace(" - ", " – ").replace("--", "–").strip()
    if normalised not in CREDIT_ROLES:
        raise PydanticCustomError(
            "unknown_role", "'{value}' is not a CRediT role", {"value": value}
        )
    return normalised


CreditRole = Annotated[
    str, AfterValidator(_credit_role), WithJsonSchema({"type": "string", "enum": list(CREDIT_ROLES)})
]


class Author(Model):
    """One author, in byline order."""

    given: Text
    """Given name(s), e.g. ``Shuting``."""
    family: Text
    """Family name, e.g. ``Zhang``."""
    initials: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Za-z.-]*$")] | None = None
    """Initials for the contributions statement (default: from the names, e.g. ``SZ``)."""
    affiliations: list[Slug] = Field(default_factory=list)
    """Ids of this author's affiliations, in order."""
    orcid: Orcid | None = None
    """ORCID iD."""
    email: Email | None = None
    """E-mail address (required for the corresponding author)."""
    corresponding: bool = False
    """True for the corresponding author(s)."""
    contributions: list[CreditRole] = Field(default_factory=list)
    """CRediT roles, e.g. ``Investigation``, ``Writing – original draft``."""

    @property
    def display_initials(self) -> str:
        """Initials as the contributions statement prints them."""
        if self.initials:
            return self.initials
        given = "".join(p[0] for p in re.split(r"[\s-]+", self.given) if p)
        return f"{given}{self.family[0]}".upper()

    @property
    def full_name(self) -> str:
        """Given then family name."""
        return f"{self.given} {self.family}"

    @model_validator(mode="after")
    def _corresponding_needs_email(self) -> Self:
        if self.corresponding and not self.email:
            raise PydanticCustomError(
                "missing_email", "the corresponding author needs an e-mail address"
            )
        return self


class Dates(Model):
    """The article's history."""

    received: IsoDate | None = None
    """Date the manuscript was received."""
    accepted: IsoDate | None = None
    """Date it was accepted."""
    published: IsoDate | None = None
    """Date of publication."""


class Publication(Model):
    """Where the article is (or will be) published, for the citation line and running heads."""

    journal: Text
    """Journal name, e.g. ``Frontiers in Oncology``."""
    abbreviation: Text | None = None
    """Abbreviated journal title as in the citation line, e.g. ``Front. Oncol.``."""
    year: Annotated[int, AfterValidator(_publication_year)] | None = None
    """Year of the volume."""
    volume: str | None = None
    """Volume."""
    issue: str | None = None
    """Issue."""
    elocation: str | None = None
    """Article number or page range, e.g. ``1473896``."""
    publisher: Text | None = None
    """Publisher, e.g. ``Frontiers Media SA``."""


class License(Model):
    """The licence under which the article is distributed."""

    id: Text
    """SPDX identifier, e.g. ``CC-BY-4.0``."""
    url: Text | None = None
    """Licence URL."""
    holder: Text | None = None
    """Copyright holder line, e.g. ``© 2024 Zhang, Du, Wu, Zhang and Dong``."""
    statement: Prose | None = None
    """The licence statement as printed."""


class Reviewer(Model):
    """An editor or reviewer named in the front matter."""

    name: Text
    """Full name."""
    affiliation: Text | None = None
    """Institution and country as printed."""


class PeerReview(Model):
    """The handling editor and reviewers, as some journals print them."""

    edited_by: list[Reviewer] = Field(default_factory=list)
    """Handling editor(s)."""
    reviewed_by: list[Reviewer] = Field(default_factory=list)
    """Reviewers who agreed to be named."""


class Attribution(Model):
    """Where the case comes from when it reproduces a published article."""

    citation: Text
    """Full citation of the original article."""
    doi: Doi | None = None
    """DOI of the original article."""
    license: Text
    """Licence of the original, e.g. ``CC BY 4.0``."""
    note: Prose | None = None
    """What was changed or added in this reproduction."""
