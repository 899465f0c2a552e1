"""The building blocks of the case model: prose and text types, ids, the base model, not-reported."""

# No `from __future__ import annotations` in the model's modules: see casepress.model.

import re
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    StringConstraints,
    Tag,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

#: The case format version this code reads. Bump on incompatible changes.
SCHEMA_VERSION = 1


class Markdown(str):
    """A string that holds Markdown prose (with citations and cross-references).

    Validated prose fields hold instances of this class, so code that walks a
    case can find every piece of prose by type alone (see :func:`iter_prose`).
    """

    __slots__ = ()


DECIMAL = r"[-+]?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?"
"""A number as a report writes it: ``7.19``, ``-11.4``, ``0.10``, ``16``, ``1.2e3``."""
DECIMAL_TEXT = re.compile(DECIMAL)
""":data:`DECIMAL`, compiled (the loader and the laboratory values match whole texts with it)."""


class SourceFloat(float):
    """A YAML float with the text it was written as (``0.10``, ``-11.4``).

    YAML reads ``0.10`` as the float 0.1; the loader (:mod:`casepress.load.source`) gives such
    floats their source text, so that a field printing numbers as written (a laboratory value,
    see :class:`casepress.model.labs.Numeral`) keeps the author's digits. A ``float`` field gets
    a plain float.
    """

    __slots__ = ("text",)

    text: str
    """The scalar's text in the file, e.g. ``0.10``."""

    def __new__(cls, value: float, text: str) -> Self:
        number = super().__new__(cls, value)
        number.text = text
        return number

    def __reduce__(self) -> tuple[type[float], tuple[float, str]]:
        return (SourceFloat, (float(self), self.text))


def non_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "must not be empty")
    return value


Prose = Annotated[
    str,
    AfterValidator(non_blank),
    AfterValidator(Markdown),
    WithJsonSchema({"type": "string", "minLength": 1, "contentMediaType": "text/markdown"}),
]
"""Markdown prose: paragraphs, emphasis, lists, citations and cross-references."""

Text = Annotated[str, AfterValidator(non_blank)]
"""Plain text: no Markdown, no citations (names, labels, units)."""

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
"""Lowercase words joined by hyphens, e.g. ``dcis-bone-marrow``."""

FigureId = Annotated[str, StringConstraints(pattern=r"^fig-[a-z0-9]+(?:-[a-z0-9]+)*$")]
"""A figure id: ``fig-`` then lowercase words joined by hyphens (as in Quarto)."""

TableId = Annotated[str, StringConstraints(pattern=r"^tbl-[a-z0-9]+(?:-[a-z0-9]+)*$")]
"""A table id: ``tbl-`` then lowercase words joined by hyphens (as in Quarto)."""

_DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$|^10/[a-z0-9]+$", re.IGNORECASE)


def _doi(value: str) -> str:
    value = value.strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if value.lower().startswith(prefix):
            value = value[len(prefix):]
    if not _DOI_RE.match(value):
        raise PydanticCustomError(
            "invalid_doi", "'{value}' is not a DOI (expected 10.NNNN/suffix)", {"value": value}
        )
    return value


Doi = Annotated[str, AfterValidator(_doi)]
"""A DOI such as ``10.3389/fonc.2024.1473896`` (a ``https://doi.org/`` prefix is removed)."""


def _orcid(value: str) -> str:
    value = value.strip().removeprefix("https://orcid.org/")
    if not re.fullmatch(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]", value):
        raise PydanticCustomError(
            "invalid_orcid", "'{value}' is not an ORCID iD (0000-0000-0000-000X)", {"value": value}
        )
    # ISO 7064 11,2 check digit, as ORCID specifies.
    total = 0
    for char in value.replace("-", "")[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    if value[-1] != expected:
        raise PydanticCustomError(
            "invalid_orcid", "ORCID iD '{value}' has a wrong check digit", {"value": value}
        )
    return value


Orcid = Annotated[str, AfterValidator(_orcid)]
"""An ORCID iD, e.g. ``0000-0002-1825-0097``."""


def _email(value: str) -> str:
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value.strip()):
        raise PydanticCustomError("invalid_email", "'{value}' is not an e-mail address", {"value": value})
    return value.strip()


Email = Annotated[str, AfterValidator(_email)]
"""An e-mail address."""


class Model(BaseModel):
    """Base for every part of the case: unknown keys are errors, docstrings document fields.

    The docstring under each field is its documentation, but pydantic does not read it
    (``use_attribute_docstrings`` parses every class's source at import, a sixth of a cold
    ``casepress check``): :func:`field_docs` reads it when the JSON Schema or the scaffold
    needs it. Validators are built on first use (``defer_build``), once for the whole case.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        defer_build=True,
        str_strip_whitespace=False,
    )


def field_docs(cls: type[BaseModel]) -> dict[str, str]:
    """The docstrings of a model's fields, its bases' first (the string literal under each
    annotated name, cleaned as :func:`inspect.cleandoc` does), read from the classes' source."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if issubclass(klass, BaseModel) and klass is not BaseModel:
            docs.update(_own_field_docs(klass))
    return docs


def _own_field_docs(cls: type) -> dict[str, str]:
    """The docstrings of the fields a class itself declares."""
    import ast
    import inspect
    import textwrap

    tree = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0]
    assert isinstance(tree, ast.ClassDef)
    docs: dict[str, str] = {}
    for node, following in zip(tree.body, tree.body[1:]):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)):
            docs[node.target.id] = inspect.cleandoc(following.value.value)
    return docs


class NotReported(Model):
    """An explicit statement that a CARE item is not reported, with the reason."""

    not_reported: Text
    """Why this item is not reported (shown in the CARE checklist)."""


def _reported_or_not(value: Any) -> str:
    if isinstance(value, NotReported) or (isinstance(value, dict) and "not_reported" in value):
        return "not_reported"
    return "reported"


def Reportable(inner: Any) -> Any:
    """``inner`` or an explicit :class:`NotReported` statement."""
    return Annotated[
        Annotated[inner, Tag("reported")] | Annotated[NotReported, Tag("not_reported")],
        Discriminator(_reported_or_not),
    ]
