"""The CARE case model: one typed home for every item of the CARE checklist.

The model is the single source of truth for the case format: the JSON Schema
(`casepress schema`) is exported from it, field docstrings become the schema's
descriptions and the scaffold's comments, and the loader validates against it.

Conventions:

* Every CARE item may be given as content or as ``{not_reported: "<reason>"}``;
  an item that is simply absent is reported as *missing* by the compliance check,
  never silently.
* Prose fields are Markdown (:class:`Markdown`) with pandoc-style citations
  (``[@key]``, ``[@a; @b]``) and Quarto-style cross-references (``@fig-id``,
  ``@fig-id[A-C]``, ``@tbl-id``); see :mod:`casepress.text.markup`.
* Dates are ISO 8601 strings; timeline events also accept month-only (``2013-01``),
  year-only (``2013``) and relative dates (``{after: excision, offset: 8 weeks}``).

The model lives in modules by part of the case (base, dates, front, abstract, timeline,
labs, sections, figures, case); this package re-exports their public names, so code imports
``from casepress.model import Case``.

The modules that declare models do not use ``from __future__ import annotations``, unlike the
rest of casepress: with it every field's annotation is a string that pydantic compiles and
evaluates when the class is created (about 180 of them, 10-15% of the model's import in a cold
``casepress check``); without it Python evaluates them once, as the class body runs. A method
that returns its own class says ``Self``.
"""

from __future__ import annotations

from casepress.model.base import (  # noqa: F401
    Doi,
    Email,
    FigureId,
    Markdown,
    Model,
    NotReported,
    Orcid,
    Prose,
    Reportable,
    SCHEMA_VERSION,
    Slug,
    TableId,
    Text,
)

from casepress.model.dates import (  # noqa: F401
    DateValue,
    IsoDate,
    parse_iso_date,
    PartialDate,
)

from casepress.model.front import (  # noqa: F401
    Affiliation,
    Attribution,
    Author,
    CREDIT_ROLES,
    CreditRole,
    Dates,
    License,
    PeerReview,
    Publication,
    Reviewer,
)

from casepress.model.abstract import (  # noqa: F401
    ABSTRACT_PARTS,
    AbstractPart,
    StructuredAbstract,
)

from casepress.model.timeline import (  # noqa: F401
    EventDate,
    EventKind,
    RelativeDate,
    Timeline,
    TimelineEvent,
)

from casepress.model.labs import (  # noqa: F401
    Immunohistochemistry,
    LabResult,
    MarkerResult,
    Numeral,
    ReferenceRange,
    Specimen,
)

from casepress.model.sections import (  # noqa: F401
    Consent,
    Declarations,
    Demographics,
    DiagnosticAssessment,
    Discussion,
    DiscussionItem,
    DiscussionParagraph,
    FollowUp,
    History,
    Intervention,
    PatientInformation,
    TherapeuticIntervention,
)

from casepress.model.figures import (  # noqa: F401
    Figure,
    Panel,
    PanelLabel,
    Table,
)

from casepress.model.case import (  # noqa: F401
    Acknowledgement,
    Case,
    Checks,
    is_reported,
    iter_prose,
)

__all__ = [
    "ABSTRACT_PARTS",
    "AbstractPart",
    "Acknowledgement",
    "Affiliation",
    "Attribution",
    "Author",
    "CREDIT_ROLES",
    "Case",
    "Checks",
    "Consent",
    "CreditRole",
    "DateValue",
    "Dates",
    "Declarations",
    "Demographics",
    "DiagnosticAssessment",
    "Discussion",
    "DiscussionItem",
    "DiscussionParagraph",
    "Doi",
    "Email",
    "EventDate",
    "EventKind",
    "Figure",
    "FigureId",
    "FollowUp",
    "History",
    "Immunohistochemistry",
    "Intervention",
    "IsoDate",
    "LabResult",
    "License",
    "Markdown",
    "MarkerResult",
    "Numeral",
    "Model",
    "NotReported",
    "Orcid",
    "Panel",
    "PanelLabel",
    "PartialDate",
    "PatientInformation",
    "PeerReview",
    "Prose",
    "Publication",
    "ReferenceRange",
    "RelativeDate",
    "Reportable",
    "Reviewer",
    "SCHEMA_VERSION",
    "Slug",
    "Specimen",
    "StructuredAbstract",
    "Table",
    "TableId",
    "Text",
    "TherapeuticIntervention",
    "Timeline",
    "TimelineEvent",
    "is_reported",
    "iter_prose",
    "parse_iso_date",
]
