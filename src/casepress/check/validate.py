"""Stage 2, validate: the loaded YAML against the CARE case model, then checks across fields.

Pydantic reports every type error at once; we translate each into a located
diagnostic with a message a clinician can act on. When some sections are
invalid, the valid ones are still checked (cross-references, files, timeline),
so one run shows every problem.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from casepress.text import markup
from casepress.check.context import CaseContext
from casepress.check.deid import check_deidentification
from casepress.core.diagnostics import Diagnostics, FieldPath, did_you_mean, format_path, warning_code
from casepress.model import Case, Figure, Markdown, Table, Timeline, iter_prose
from casepress.model.prebuilt import part_validator, validator_for
from casepress.core.project import Project
from casepress.load.source import SourceDocument

_TYPE_NAMES = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "number_or_text_type": "a number or text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
    "literal_error": None,
}

_PATTERN_NAMES = {
    "^fig-": "a figure id: 'fig-' then lowercase words joined by hyphens, e.g. fig-histology",
    "^tbl-": "a table id: 'tbl-' then lowercase words joined by hyphens, e.g. tbl-labs",
    "^[a-z0-9]+(?:": "lowercase words joined by hyphens, e.g. right-breast-2013",
    "^[A-Z](-[A-Z])?$": "a panel letter or range, e.g. A or A-C",
    "^[a-z]{2,3}": "a language tag such as en or en-GB",
    "^[A-Z][A-Za-z.-]*$": "initials such as SZ",
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _data_path(doc: SourceDocument, loc: tuple[Any, ...]) -> FieldPath:
    """Drop pydantic's union tags from an error location, keeping real keys and indexes."""
    path: list[str | int] = []
    node: Any = doc.data
    for part in loc:
        if isinstance(node, dict) and part in node or isinstance(node, list) and isinstance(part, int) and part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and part not in _TAGS:
            path.append(part)  # a missing key: keep it, it names what to add
            node = None
    return tuple(path)


_TAGS = {"reported", "not_reported", "absolute", "relative", "text", "structured"}


def _model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that owns the last key of ``loc`` (for 'did you mean' hints)."""
    current: Any = root
    for part in loc[:-1]:
        current = _step(current, part)
        if current is None:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _step(tp: Any, part: Any) -> Any:
    tp = _unwrap(tp)
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        members = [_unwrap(a) for a in typing.get_args(tp) if a is not type(None)]
        tagged = {
            getattr(m, "tag", None): m
            for m in (
                next((x for x in typing.get_args(a)[1:] if hasattr(x, "tag")), None)
                for a in typing.get_args(tp)
                if typing.get_origin(a) is typing.Annotated
            )
            if m is not None
        }
        if isinstance(part, str) and part in tagged:
            for a in typing.get_args(tp):
                if typing.get_origin(a) is typing.Annotated and any(
                    getattr(x, "tag", None) == part for x in typing.get_args(a)[1:]
                ):
                    return typing.get_args(a)[0]
        for member in members:
            stepped = _step(member, part)
            if stepped is not None:
                return stepped
        return None
    if origin in (list, tuple):
        return typing.get_args(tp)[0] if isinstance(part, int) else None
    if origin is dict:
        return typing.get_args(tp)[1]
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        info = tp.model_fields.get(part) if isinstance(part, str) else None
        return info.annotation if info is not None else None
    return None


def report_validation_error(
    error: ValidationError, doc: SourceDocument, diagnostics: Diagnostics, root: type[BaseModel] = Case,
    prefix: tuple[Any, ...] = (),
) -> set[FieldPath]:
    """Translate pydantic's errors into located diagnostics; returns the failing paths."""
    failed: set[FieldPath] = set()
    for err in error.errors(include_url=False):
        loc = prefix + tuple(err["loc"])
        path = _data_path(doc, loc)
        failed.add(path)
        kind = err["type"]
        value = err.get("input")
        if kind == "extra_forbidden":
            key = path[-1] if path else "?"
            owner = _model_at(root, loc)
            hint = did_you_mean(str(key), list(owner.model_fields)) if owner else None
            diagnostics.error(
                "unknown-key", f"unknown key '{key}'", doc.location(path, key=True), path, hint
            )
        elif kind == "missing":
            name = path[-1] if path else "?"
            diagnostics.error(
                "missing-field",
                f"missing required field '{name}'",
                doc.location(path[:-1], key=True) if len(path) > 1 else doc.location(()),
                path,
            )
        elif kind == "literal_error":
            expected = err.get("ctx", {}).get("expected", "")
            options = [o.strip().strip("'") for o in expected.replace(" or ", ", ").split(",")]
            shown = ", ".join(options)
            diagnostics.error(
                "invalid-value", f"'{value}' is not one of: {shown}", doc.location(path), path,
                did_you_mean(str(value), options),
            )
        elif kind == "string_pattern_mismatch":
            pattern = err.get("ctx", {}).get("pattern", "")
            wanted = next((d for p, d in _PATTERN_NAMES.items() if pattern.startswith(p)), f"text matching {pattern}")
            diagnostics.error("invalid-value", f"'{value}' is not {wanted}", doc.location(path), path)
        elif kind in _TYPE_NAMES:
            diagnostics.error(
                "wrong-type", f"expected {_TYPE_NAMES[kind]}, got {_describe(value)}", doc.location(path), path
            )
        elif kind in ("too_short", "too_long"):
            diagnostics.error("invalid-value", _length_message(err), doc.location(path), path)
        elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            diagnostics.error("invalid-value", f"{value} is out of range: {err['msg'].lower()}", doc.location(path), path)
        else:
            code = {"invalid_date": "invalid-date"}.get(kind, kind.replace("_", "-"))
            message = err["msg"].removeprefix("Value error, ")
            diagnostics.error(code, message, doc.location(path), path)
    return failed


def _length_message(err: Any) -> str:
    ctx = err.get("ctx", {})
    if err["type"] == "too_short":
        n = ctx.get("min_length", 1)
        return f"needs at least {n} item{'s' if n != 1 else ''}"
    n = ctx.get("max_length", 0)
    return f"takes at most {n} item{'s' if n != 1 else ''}"


CASE_MODEL = ("casepress.model",)
"""The package whose source shapes the case's validator (the key of its cached schema)."""


def validate(doc: SourceDocument, project: Project, diagnostics: Diagnostics) -> Case | None:
    """Validate a loaded case; every problem goes to ``diagnostics``; None when invalid."""
    ctx = CaseContext(doc, project)
    if not isinstance(doc.data, dict):
        diagnostics.error(
            "wrong-type",
            f"a case file must be a mapping of sections (title:, authors:, ...), got {_describe(doc.data)}",
            doc.location(()),
        )
        return None
    case: Case | None
    try:
        # Case.model_validate, with the validator rebuilt from the cache (see model.prebuilt).
        case = validator_for(Case, CASE_MODEL).validate_python(doc.data)
    except ValidationError as error:
        failed = report_validation_error(error, doc, diagnostics)
        partial = _salvage(doc.data, failed, ctx)
        ctx.partial = True
        for check in CHECKS:
            if check not in NEEDS_VALID_CASE:
                check(partial, ctx, diagnostics)
        return None
    for check in CHECKS:
        check(case, ctx, diagnostics)
    return case


def _salvage(data: dict[str, Any], failed: set[FieldPath], ctx: CaseContext) -> Case:
    """A partial case built from the top-level sections that validated on their own."""
    bad_sections = {path[0] for path in failed if path}
    parts: dict[str, Any] = {}
    for name, info in Case.model_fields.items():
        if name not in data:
            continue
        value = data[name]
        if name not in bad_sections:
            try:
                parts[name] = _part(name, info.annotation).validate_python(value)
            except ValidationError:
                continue
        elif name in ("figures", "tables") and isinstance(value, list):
            # Keep the valid items, so that one bad figure does not hide the others.
            item_type = typing.get_args(info.annotation)[0]
            bad_items = {p[:2] for p in failed}
            ctx.indexes[name] = [i for i in range(len(value)) if (name, i) not in bad_items]
            parts[name] = [_part(name, item_type, item=True).validate_python(value[i]) for i in ctx.indexes[name]]
    return Case.model_construct(**parts)


def _part(name: str, annotation: Any, item: bool = False) -> Any:
    """A validator of a field of the case (or of an item of a list field) on its own: cut from the
    case's validator (a millisecond), else a TypeAdapter of its type (pydantic builds a schema)."""
    return part_validator(Case, CASE_MODEL, name, item) or TypeAdapter(annotation)


# --------------------------------------------------------------------------- cross-field checks

Check = Callable[[Case, CaseContext, Diagnostics], None]


def _get(case: Case, name: str, default: Any = None) -> Any:
    # Partial cases (see _salvage) lack required fields that failed validation.
    return case.__dict__.get(name, default)


def _items(case: Case, ctx: CaseContext, name: str) -> list[tuple[int, Any]]:
    """(index in the file, item) for a list section, correct for salvaged partial lists."""
    items = _get(case, name, [])
    indexes = ctx.indexes.get(name, range(len(items)))
    return list(zip(indexes, items, strict=True))


def _duplicates(items: Iterable[tuple[str, FieldPath]], what: str, ctx: CaseContext, diagnostics: Diagnostics) -> None:
    seen: dict[str, FieldPath] = {}
    for ident, path in items:
        if ident in seen:
            first = ctx.at(seen[ident])
            diagnostics.error(
                "duplicate-id",
                f"{what} '{ident}' is defined twice (first at line {first.line}, column {first.column})",
                ctx.at(path),
                path,
            )
        else:
            seen[ident] = path


def check_ids(case: Case, ctx: CaseContext, diagnostics: Diagnostics) -> None:
    """Ids must be unique: figures and tables (one namespace), panels, affiliations, events, specimens."""
    figures: list[tuple[int, Figure]] = _items(case, ctx, "figures")
    tables: list[tuple[int, Table]] = _items(case, ctx, "tables")
    floats = [(f.id, ("figures", i, "id")) for i, f in figures]
    floats += [(t.id, ("tables", i, "id")) for i, t in tables]
    _duplicates(floats, "id", ctx, diagnostics)
    for i, fig in figures:
        letters = [
            (letter, ("figures", i, "panels", j, "label"))
            for j, panel in enumerate(fig.panels)
            for letter in panel.letters
        ]
        _duplicates(letters, f"panel of {fig.id}", ctx, diagnostics)
    affiliations = _get(case, "affiliations", [])
    _duplicates([(a.id, ("affiliations", i, "id")) for i, a in enumerate(affiliations)], "affiliation", ctx, diagnostics)
    timeline = _get(case, "timeline")
    if isinstance(timeline, Timeline):
        _duplicates(
            [(e.id, ("timeline", "events", i, "id")) for i, e in enumerate(timeline.events) if e.id],
            "timeline event", ctx, diagnostics,
        )
    da = _get(case, "diagnostic_assessment")
    if da is not None and da.immunohistochemistry is not None:
        ihc = da.immunohistochemistry
        base = ("diagnostic_assessment", "immunohistochemistry")
        _duplicates([(s.id, base + ("specimens", i, "id")) for i, s in enumerate(ihc.specimens)], "specimen", ctx, diagnostics)
        _duplicates([(m.marker, base + ("markers", i, "marker")) for i, m in enumerate(ihc.markers)], "marker", ctx, diagnostics)


def check_affiliations(case: Case, ctx: CaseContext, diagnostics: Diagnostics) -> None:
    """Authors may only name affiliations that exist."""
    known = [a.id for a in _get(case, "affiliations", [])]
    for i, author in enumerate(_get(case, "authors", [])):
        for j, ident in enumerate(author.affiliations):
            if ident not in known:
                path = ("authors", i, "affiliations", j)
                diagnostics.error(
                    "undefined-ref", f"affiliation '{ident}' is not defined under affiliations",
                    ctx.at(path), path, did_you_mean(ident, known),
                )


def _image_paths(case: Case, ctx: CaseContext) -> Iterable[tuple[str, FieldPath]]:
    for i, fig in _items(case, ctx, "figures"):
        if fig.file:
            yield fig.file, ("figures", i, "file")
        for j, panel in enumerate(fig.panels):
            if panel.file:
                yield panel.file, ("figures", i, "panels", j, "file")


def case_relative_file(case_dir: Path, name: str) -> tuple[Path | None, str | None]:
    """Resolve a file named in the case; (path, None) or (None, why it is refused)."""
    from casepress.core.confine import Refused, resolve_inside

    try:
        return resolve_inside(name, case_dir), None
    except Refused as refusal:
        return None, refusal.reason


def check_files(case: Case, ctx: CaseContext, diagnostics: Diagnostics) -> None:
    """Images must lie inside the case folder and be shown as they are (decoded whole, see
    casepress.check.images.check); bibliography files must exist."""
    from casepress.check.images.check import check_image_files

    check_image_files(list(_image_paths(case, ctx)), ctx.case_dir, ctx.at, diagnostics)
    check_bibliography_files(case, ctx, diagnostics)


def check_bibliography_files(case: Case, ctx: CaseContext, diagnostics: Diagnostics) -> None:
    """Each .bib file lies inside the case or the project (not the output), is a regular file, not too large."""
    from casepress.cite.library import confined_bibliography
    from casepress.core.confine import Refused

    for j, name in enumerate(_get(case, "bibliography", [])):
        path = ("bibliography", j)
        try:
            confined_bibliography(name, ctx.case_dir, ctx.project.root)
        except Refused as refusal:
            diagnostics.error("unsafe-path", refusal.reason, ctx.at(path), path)
        except FileNotFoundError:
            diagnostics.error("missing-file", f"bibliography file '{name}' does not exist", ctx.at(path), path)


warning_code("unreferenced", "a figure or table is never referenced in the text", "{n} figures and tables are never referenced")


def check_references(case: Case, ctx: CaseContext, diagnostics: Diagnostics) -> None:
    """Every cross-reference names an existing figure, table or panel; every float is referenced."""
    # The first definition wins; later duplicates have their own error.
    figures = {f.id: f for f in reversed(_get(case, "figures", []))}
    tables = {t.id: t for t in reversed(_get(case, "tables", []))}
    # Floats that failed validation have their own errors; references to them are not undefined.
    invalid = {
        item.get("id")
        for key in ("figures", "tables")
        for item in (ctx.doc.data.get(key) or [] if isinstance(ctx.doc.data.get(key), list) else [])
        if isinstance(item, dict)
    } - set(figures) - set(tables)
    referenced: set[str] = set()
    for path, text in iter_prose(case):
        for group in markup.scan(text):
            for ref in group.crossrefs:
                referenced.add(ref.id)
                # Located only if a diagnostic needs it: locating inside prose is not free.
                where = functools.partial(ctx.doc.location_in_text, path, ref.offset)
                known = figures if ref.kind == "figure" else tables
                if ref.id not in known and ref.id in invalid:
                    continue
                if ref.id not in known:
                    diagnostics.error(
                        "undefined-ref", f"reference to undefined {ref.kind} '@{ref.id}'",
                        where(), path, did_you_mean(ref.id, list(known)),
                    )
                    continue
                if ref.panels:
                    if ref.kind == "table":
                        diagnostics.error("undefined-ref", f"table '@{ref.id}' has no panels", where(), path)
                        continue
                    letters = [letter for p in figures[ref.id].panels for letter in p.letters]
                    for letter in ref.panels:
                        if letter not in letters:
                            have = ", ".join(letters) if letters else "none"
                            diagnostics.error(
                                "undefined-ref",
                                f"figure '@{ref.id}' has no panel {letter} (its panels: {have})",
                                where(), path,
                            )
    if ctx.partial:
        return  # prose in invalid sections is missing, so 'never referenced' could be false
    for kind, key in (("figure", "figures"), ("table", "tables")):
        for index, item in _items(case, ctx, key):
            ident = item.id
            if ident not in referenced:
                path = (key, index, "id")
                diagnostics.warning(
                    "unreferenced", f"{kind} '{ident}' is never referenced in the text (write @{ident})",
                    ctx.at(path), path,
                )


def check_timeline(case: Case, ctx: CaseContext, diagnostics: Diagnostics) -> None:
    """Relative dates name earlier events; events run in chronological order."""
    from casepress.check.timeline import check_elapsed_from, resolve_events  # kept separate: resolve uses it too

    timeline = _get(case, "timeline")
    if not isinstance(timeline, Timeline):
        return
    resolve_events(timeline, ctx, diagnostics)
    check_elapsed_from(timeline, ctx, diagnostics)


GENERATED_FROM: dict[str, FieldPath] = {
    "timeline": ("timeline", "events"),
    "laboratory": ("diagnostic_assessment", "laboratory"),
    "immunohistochemistry": ("diagnostic_assessment", "immunohistochemistry"),
}
"""What a generated figure or table is drawn from, by its ``generate:``."""


def check_data(case: Case, ctx: CaseContext, diagnostics: Diagnostics) -> None:
    """Immunohistochemistry results name known specimens; generated tables have their data."""
    da = _get(case, "diagnostic_assessment")
    ihc = da.immunohistochemistry if da is not None else None
    if ihc is not None:
        known = [s.id for s in ihc.specimens]
        for i, marker in enumerate(ihc.markers):
            for specimen in marker.results:
                if specimen not in known:
                    path = ("diagnostic_assessment", "immunohistochemistry", "markers", i, "results", specimen)
                    diagnostics.error(
                        "undefined-ref", f"specimen '{specimen}' is not listed under specimens",
                        ctx.at(path, key=True), path, did_you_mean(specimen, known),
                    )
    available = {
        "timeline": isinstance(_get(case, "timeline"), Timeline),
        "laboratory": bool(da is not None and da.laboratory),
        "immunohistochemistry": ihc is not None,
    }
    # Data the source gives but that failed validation has its own errors: "the case has no
    # timeline.events" would be false (one bad date drops the whole timeline from a partial case).
    missing = {kind for kind, ok in available.items() if not ok and not ctx.doc.value_at(GENERATED_FROM[kind])}
    for i, fig in _items(case, ctx, "figures"):
        if fig.generate in missing:
            path = ("figures", i, "generate")
            diagnostics.error(
                "missing-data", f"figure '{fig.id}' is generated from {fig.generate}, but the case has no "
                f"{format_path(GENERATED_FROM[fig.generate])}", ctx.at(path), path,
            )
    for i, table in _items(case, ctx, "tables"):
        if table.generate in missing:
            path = ("tables", i, "generate")
            diagnostics.error(
                "missing-data", f"table '{table.id}' is generated from {table.generate}, but the case has no "
                f"{format_path(GENERATED_FROM[table.generate])}", ctx.at(path), path,
            )
        if table.columns and table.rows:
            for j, row in enumerate(table.rows):
                if len(row) != len(table.columns):
                    path = ("tables", i, "rows", j)
                    diagnostics.error(
                        "table-shape", f"row has {len(row)} cells but the table has {len(table.columns)} columns",
                        ctx.at(path), path,
                    )


warning_code("timeline-caption-ignored",
             "timeline.caption is not printed: a table generated from the timeline prints its own caption")


def check_generated_captions(case: Case, ctx: CaseContext, diagnostics: Diagnostics) -> None:
    """One caption per generated table: with a table generated from the timeline, the table's
    caption is printed and ``timeline.caption`` (printed above the events as a list) is not."""
    timeline = _get(case, "timeline")
    if not isinstance(timeline, Timeline) or timeline.caption is None:
        return
    tables = [(i, t) for i, t in _items(case, ctx, "tables") if t.generate == "timeline"]
    if not tables:
        return
    names = " and ".join(f"'{t.id}'" for _, t in tables)
    captions = ", ".join(format_path(("tables", i, "caption")) for i, _ in tables)
    own = "table {} prints its own caption" if len(tables) == 1 else "tables {} print their own captions"
    path = ("timeline", "caption")
    diagnostics.warning(
        "timeline-caption-ignored",
        f"{own.format(names)} ({captions}), so timeline.caption is ignored",
        ctx.at(path), path,
        f"delete timeline.caption, or move its words into the caption of '{tables[0][1].id}'",
    )


def check_journal(case: Case, ctx: CaseContext, diagnostics: Diagnostics) -> None:
    """The journal template must exist."""
    name = _get(case, "journal")
    if name is None:
        return
    journals = ctx.project.journals()
    if name not in journals:
        diagnostics.error(
            "unknown-journal", f"no journal template '{name}' (available: {', '.join(journals)})",
            ctx.at(("journal",)), "journal", did_you_mean(name, journals),
        )


PLACEHOLDER_MARK = "TODO"


def _strings(node: Any, path: FieldPath = ()) -> Iterable[tuple[FieldPath, str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, path + (index,))


warning_code("placeholder", "scaffold text (TODO) is left", "{n} fields still hold placeholder text (TODO)")


def check_placeholders(case: Case, ctx: CaseContext, diagnostics: Diagnostics) -> None:
    """Scaffold text that still says TODO (in any field) is a warning: the case is not finished."""
    for path, text in _strings(ctx.doc.data):
        index = text.find(PLACEHOLDER_MARK)
        if index != -1:
            diagnostics.warning(
                "placeholder", "still holds placeholder text (TODO)",
                ctx.doc.location_in_text(path, index), path,
            )


warning_code("care-missing", "a CARE item is neither reported nor marked not_reported",
             "{n} CARE items are neither reported nor marked not_reported")


def check_care(case: Case, ctx: CaseContext, diagnostics: Diagnostics) -> None:
    """A CARE item with no content and no not_reported reason is a warning, never silent."""
    from casepress.model.care import care_status

    for status in care_status(case):
        if status.state == "missing":
            path = status.home
            diagnostics.warning(
                "care-missing",
                f"CARE item {status.item_id} ({status.topic}) is neither reported nor marked not_reported",
                ctx.at(path, key=True), format_path(path),
                f"add {format_path(path)} or {{not_reported: <reason>}}",
            )


NEEDS_VALID_CASE: tuple[Check, ...] = ()
"""Checks that would mislead on a partial case (filled in below)."""

def check_care_items(case: Case, ctx: CaseContext, diagnostics: Diagnostics) -> None:
    """The CARE item lints (title, key words, citations, timeline coverage, consent)."""
    from casepress.check.care_lints import care_lints

    care_lints(case, ctx, diagnostics)


CHECKS: list[Check] = [
    check_ids,
    check_affiliations,
    check_files,
    check_references,
    check_timeline,
    check_data,
    check_generated_captions,
    check_journal,
    check_placeholders,
    check_deidentification,
    check_care,
    check_care_items,
]
"""The cross-field checks, in the order they run (each sees a possibly partial case)."""

# A section that failed validation is absent from the partial case: reporting it
# as 'missing' from the CARE checklist or its floats as unreferenced would mislead.
NEEDS_VALID_CASE = (check_care, check_care_items)

__all__ = ["CHECKS", "CaseContext", "Markdown", "case_relative_file", "report_validation_error", "validate"]
