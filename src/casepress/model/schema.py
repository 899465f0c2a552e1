"""The JSON Schema of the case format, exported from the pydantic model (one source of truth)."""

from __future__ import annotations

import json
from typing import Any

from casepress.model import SCHEMA_VERSION, Case

SCHEMA_ID = f"https://casepress.invalid/schema/case-v{SCHEMA_VERSION}.json"


def case_schema() -> dict[str, Any]:
    """The schema as a dict, with draft 2020-12 header fields."""
    schema = Case.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }


def schema_text() -> str:
    """The schema as committed in schema/case.schema.json (stable key order, trailing newline)."""
    return json.dumps(case_schema(), indent=2, ensure_ascii=False) + "\n"
