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


@pytest.mark.parametrize("written, text", [("0.10", "0.10"), ("-11.4", "-11.4"), ("7.190", "7.190"),
                                           ("1.0e+3", "1.0e+3"), (".5", None), ("1_000.5", None), (".inf", None)])
def test_the_loader_keeps_the_text_of_a_decimal(written: str, text: str | None) -> None:
    from pathlib import Path

    from casepress.model.base import SourceFloat

    doc = parse_yaml(f"x: {written}\n", Path("x.yaml"), Diagnostics())
    assert doc is not None
    value = doc.data["x"]
    assert isinstance(value, float)
    assert (value.text if isinstance(value, SourceFloat) else None) == text


def test_schema_takes_a_limit_as_a_number_or_its_text() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    limits = jsonschema.Draft202012Validator(schema["$defs"]["ReferenceRange"] | {"$defs": schema["$defs"]})
    assert [limits.is_valid({"low": low}) for low in (0.1, "0.10", "-2.0", "about 135", "< 0.5")] == [
        True, True, True, False, False]
