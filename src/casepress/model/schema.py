"""The JSON Schema of the case format, exported from the pydantic model (one source of truth)."""

from __future__ import annotations

import json
from typing import Any, get_args

from pydantic import BaseModel

from casepress.model import SCHEMA_VERSION, Case
from casepress.model.base import field_docs

SCHEMA_ID = f"https://casepress.invalid/schema/case-v{SCHEMA_VERSION}.json"


def _models(root: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """Every model class reachable from ``root``'s fields, by name (as the schema's ``$defs`` name them)."""
    found: dict[str, type[BaseModel]] = {}
    todo: list[Any] = [root]
    while todo:
        item = todo.pop()
        if isinstance(item, type) and issubclass(item, BaseModel):
            if item.__name__ in found:
                continue
            found[item.__name__] = item
            todo += [f.annotation for f in item.model_fields.values()]
        todo += list(get_args(item))
        todo += getattr(item, "__metadata__", ())
    return found


def _describe(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """Put each field's docstring into its property as ``description``, as pydantic's
    ``use_attribute_docstrings`` would (the same data; the key comes last)."""
    docs = field_docs(model)
    for name, info in model.model_fields.items():
        prop = schema.get("properties", {}).get(info.alias or name)
        if prop is not None and name in docs and "description" not in prop:
            prop["description"] = docs[name]


def case_schema() -> dict[str, Any]:
    """The schema as a dict, with draft 2020-12 header fields and every field's docstring."""
    schema = Case.model_json_schema(mode="validation")
    models = _models(Case)
    _describe(schema, Case)
    for name, definition in schema.get("$defs", {}).items():
        if name in models:
            _describe(definition, models[name])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }


def schema_text() -> str:
    """The schema as committed in schema/case.schema.json (stable key order, trailing newline)."""
    return json.dumps(case_schema(), indent=2, ensure_ascii=False) + "\n"
