"""The committed JSON Schema is the one the model exports, and it accepts the real cases."""

from __future__ import annotations

import json

import jsonschema
import pytest

from casepress.core.diagnostics import Diagnostics
from casepress.model.schema import schema_text
from casepress.load.source import parse_yaml

from .conftest import REPO

SCHEMA_FILE = REPO / "schema" / "case.schema.json"
CASES = sorted((REPO / "cases").glob("*/case.yaml"))


def test_committed_schema_is_fresh() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "schema/case.schema.json is stale: run `casepress schema -o schema/case.schema.json`"
    )


def test_schema_is_valid_json_schema() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_describes_fields_from_docstrings() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert "CARE 7" in schema["properties"]["timeline"]["description"]
    assert schema["$defs"]["Figure"]["properties"]["alt"]["description"].startswith("Alternative text")


@pytest.mark.parametrize("case_file", CASES, ids=[p.parent.name for p in CASES])
def test_schema_validates_case(case_file) -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    doc = parse_yaml(case_file.read_text(encoding="utf-8"), case_file, Diagnostics())
    assert doc is not None
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(doc.data), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_schema_rejects_an_unknown_key() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    bad = {"schema_version": 1, "title": "x", "authors": [{"given": "a", "family": "b"}], "tittle": "y"}
    assert not jsonschema.Draft202012Validator(schema).is_valid(bad)
