"""A model's validator rebuilt from its core schema kept in the cache, without pydantic regenerating it.

pydantic validates in two steps: it turns a model's annotations into a *core schema*
(``GenerateSchema``) and hands that to pydantic-core, which builds the ``SchemaValidator``.
For the whole case model the first step is the cost (about 25 ms on an idle machine), the
second takes a few milliseconds; and the first validator pydantic builds in a process
imports its plugin loader, which imports ``importlib.metadata`` (about 15 ms more). A cold
``casepress check`` paid both.

The core schema is plain data except for references to the model's own classes and
functions, so it is kept in the cache (``$CASEPRESS_CACHE_DIR/validators``) as JSON, each
reference written as ``module:qualname``. It is keyed by the versions of Python, pydantic,
pydantic-core and casepress and by the source text of the modules the model is defined in,
so any change to the model misses. A reference is resolved only in those modules, and only
when they are already imported: a record can name nothing else. A miss or any failure (no
cache, a corrupt record, a schema pydantic-core refuses) falls back to pydantic's own
validator, and stores its schema for the next run. :func:`part_validator` cuts the validator
of one field out of the same schema (an invalid case's valid sections are validated on their
own), where a ``TypeAdapter`` would have pydantic generate a schema for each.

What differs from pydantic's own validator: nothing in what it accepts or the errors it
reports (the same schema builds it). The record leaves out the schema's ``serialization``
and ``metadata`` entries (used for dumping and for the JSON Schema, never to validate), and
a validator from the cache is a bare ``SchemaValidator``: pydantic plugins (observability
hooks found through entry points; casepress has none) do not see it.
"""

from __future__ import annotations

import functools
import json
import sys
import types
from typing import Any

from pydantic import BaseModel
from pydantic_core import SchemaValidator

from casepress.core.cache import JsonCache, code_digest, digest

_UNUSED = frozenset({"serialization", "metadata"})
"""Core-schema entries validation never reads."""


class Unstorable(Exception):
    """The schema holds a value the record cannot write and read back as the same object."""


@functools.cache
def validator_for(model: type[BaseModel], sources: tuple[str, ...]) -> SchemaValidator:
    """The validator of ``model``, whose schema is shaped by the modules (or packages) named
    in ``sources`` alone; built once per process, from the cache when it can be."""
    key = _key(model, sources)
    cache = JsonCache.named("validators")
    record = cache.get(key) if key is not None else None
    if record is not None:
        try:
            return _build(record, sources)
        except Exception:  # noqa: BLE001 -- a bad record is a miss: the cache only saves time
            record = None
    model.model_rebuild()
    validator: SchemaValidator = model.__pydantic_validator__  # type: ignore[assignment]
    if key is not None and type(validator) is SchemaValidator:
        stored = _record(validator, sources)
        if stored is not None:
            cache.put(key, stored)
    return validator


@functools.cache
def part_validator(model: type[BaseModel], sources: tuple[str, ...], field: str, item: bool = False) -> SchemaValidator | None:
    """A validator of one field of ``model`` (of one item of that list field, with ``item``), cut
    from the model's core schema, to validate part of a document on its own (the sections of
    an invalid case that are valid); None when the schema is not shaped as expected."""
    validator = validator_for(model, sources)
    if type(validator) is not SchemaValidator:
        return None
    _, (schema, config, _) = validator.__reduce__()  # type: ignore[misc]
    definitions = schema.get("definitions", []) if schema.get("type") == "definitions" else []
    body = schema["schema"] if schema.get("type") == "definitions" else schema
    fields = body.get("schema", {}).get("fields", {}) if body.get("type") == "model" else {}
    part = fields.get(field, {}).get("schema")
    if part is not None and part.get("type") == "default":
        part = part.get("schema")
    if part is not None and item:
        part = part.get("items_schema") if part.get("type") == "list" else None
    if part is None:
        return None
    return SchemaValidator({"type": "definitions", "schema": part, "definitions": definitions}, config)


def _key(model: type[BaseModel], sources: tuple[str, ...]) -> str | None:
    """The record's key: the model, the code of its sources and the versions (of Python, pydantic,
    pydantic-core and casepress); None when a source is no casepress module or cannot be read
    (then nothing is cached)."""
    try:
        code = code_digest(*sources, libraries=("pydantic", "pydantic_core"))
    except (OSError, ValueError):
        return None
    return digest("validator-v2", model.__module__, model.__qualname__, list(sources), code)


def _record(validator: SchemaValidator, sources: tuple[str, ...]) -> dict[str, Any] | None:
    """The JSON record of a validator pydantic built, or None when it cannot be stored and
    read back (it is checked by building a validator from a copy, as a later run would)."""
    _, (schema, config, prebuilt) = validator.__reduce__()  # type: ignore[misc]
    refs: list[list[Any]] = []
    try:
        record = {"schema": _encode([schema, config], sources, [], refs), "refs": refs, "prebuilt": prebuilt}
        _build(json.loads(json.dumps(record)), sources)
    except Exception:  # noqa: BLE001 -- a schema we cannot store is simply not cached
        return None
    return record


def _build(record: dict[str, Any], sources: tuple[str, ...]) -> SchemaValidator:
    """The validator of a record as read from the cache (its lists and dicts are changed in place)."""
    resolved: dict[str, Any] = {}
    for *path, reference in record["refs"]:
        if reference not in resolved:
            resolved[reference] = _resolve(reference, sources)
        node = record["schema"]
        for step in path[:-1]:
            node = node[step]
        if node[path[-1]] != reference:
            raise Unstorable(f"no {reference} at {path}")
        node[path[-1]] = resolved[reference]
    schema, config = record["schema"]
    return SchemaValidator(schema, config, _use_prebuilt=bool(record["prebuilt"]))


def _encode(node: Any, sources: tuple[str, ...], path: list[Any], refs: list[list[Any]]) -> Any:
    """``node`` as JSON, the unused entries dropped; each class or function is written as its
    reference (``module:qualname``), and its path (``path`` is where ``node`` is) and reference
    are added to ``refs``."""
    kind = type(node)
    if kind is dict:
        return {key: _encode_at(key, value, sources, path, refs) for key, value in node.items() if key not in _UNUSED}
    if kind is list:
        return [_encode_at(index, value, sources, path, refs) for index, value in enumerate(node)]
    if node is None or kind in (str, int, float, bool):
        return node
    if isinstance(node, (type, types.FunctionType, types.MethodType)):
        function = getattr(node, "__func__", node)
        reference = f"{function.__module__}:{function.__qualname__}"
        if _resolve(reference, sources) != node:
            raise Unstorable(reference)
        refs.append([*path, reference])
        return reference
    raise Unstorable(repr(node))


def _encode_at(step: Any, node: Any, sources: tuple[str, ...], path: list[Any], refs: list[list[Any]]) -> Any:
    """:func:`_encode` of the entry ``step`` of the container at ``path``."""
    path.append(step)
    try:
        return _encode(node, sources, path, refs)
    finally:
        path.pop()


def _resolve(reference: str, sources: tuple[str, ...]) -> Any:
    """The class or function a reference names: in an imported module of ``sources``, or a
    builtin class (``list`` as a default factory)."""
    module_name, _, qualname = reference.partition(":")
    if module_name == "builtins":
        return _builtin_class(qualname)
    if not any(module_name == s or module_name.startswith(s + ".") for s in sources):
        raise Unstorable(reference)
    found = sys.modules.get(module_name)
    if found is None:
        raise Unstorable(f"{reference} (not imported)")
    for part in qualname.split("."):
        found = getattr(found, part)
    if not isinstance(found, (type, types.FunctionType, types.MethodType)):
        raise Unstorable(reference)
    return found


def _builtin_class(name: str) -> type:
    import builtins

    found = getattr(builtins, name, None)
    if not isinstance(found, type):
        raise Unstorable(f"builtins:{name}")
    return found
