"""Validators rebuilt from the cached core schema (casepress.model.prebuilt) validate exactly as
pydantic's own: the same values, the same errors, for every case and journal the repository
holds; a missing, stale or corrupt record falls back to pydantic."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pydantic_core
import pytest
import yaml
from pydantic import BaseModel, ValidationError

from casepress.core import cache as cache_module
from casepress.core.cache import code_digest
from casepress.core.diagnostics import Diagnostics
from casepress.journals.journal import (
    AbstractHeadings,
    JournalConfig,
    Labels,
    SectionEntry,
    validate_config,
)
from casepress.load.source import parse_yaml
from casepress.model import Case, prebuilt
from casepress.model.prebuilt import Unstorable, validator_for

from .conftest import REPO

CASE_SOURCES = ("casepress.model",)
CASES = sorted([*(REPO / "cases").glob("*/case.yaml"), *(REPO / "tests").rglob("case.yaml")])
JOURNALS = sorted((REPO / "templates" / "journals").glob("*/journal.yaml"))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private, empty cache, and no validator remembered from earlier tests."""
    monkeypatch.setenv("CASEPRESS_CACHE_DIR", str(tmp_path))
    validator_for.cache_clear()
    yield tmp_path / "validators"
    validator_for.cache_clear()


def _outcome(validate: Any, data: Any) -> Any:
    """What validating gives: the value, or the errors exactly as pydantic lists them."""
    try:
        return validate(data)
    except ValidationError as error:
        return ("errors", error.title, error.errors(include_url=False))


def _untitled(validate: Any, data: Any) -> Any:
    outcome = _outcome(validate, data)
    return outcome[2] if isinstance(outcome, tuple) else outcome


def _from_the_record(model: type[BaseModel], sources: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The validator read back from the record (pydantic may not build one meanwhile)."""
    validator_for.cache_clear()
    with monkeypatch.context() as patch:
        patch.setattr(model, "model_rebuild", _no_rebuild)
        return validator_for(model, sources)


def _no_rebuild(*args: Any, **kwargs: Any) -> None:
    raise AssertionError("pydantic rebuilt the model: the record was not used")


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_a_cached_case_validator_validates_every_case_as_pydantic_does(
        cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    validator_for(Case, CASE_SOURCES)
    assert len(list(cache.rglob("*.json"))) == 1
    cached = _from_the_record(Case, CASE_SOURCES, monkeypatch)
    assert type(cached) is pydantic_core.SchemaValidator
    for path in CASES:
        doc = parse_yaml(path.read_text(encoding="utf-8"), path, Diagnostics())
        if doc is None:
            continue  # a fixture of a YAML error
        data = doc.data
        assert _outcome(cached.validate_python, data) == _outcome(Case.model_validate, data), path


def test_a_cached_journal_validator_validates_every_journal_as_pydantic_does(
        cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sources = ("casepress.journals.journal", "casepress.journals.sections")
    validate_config({"name": "x"})
    cached = _from_the_record(JournalConfig, sources, monkeypatch)
    bad = [{"name": "x", "sections": ["nonsense"]}, {"name": "x", "labels": {"figure": 1}}, {"nme": "x"},
           {"name": "x", "issn": "123"}, {"name": "x", "sections": [{"id": "introduction", "heding": "y"}]}]
    for data in [*map(_load, JOURNALS), *bad, {"name": "x"}]:
        assert _outcome(cached.validate_python, data) == _outcome(JournalConfig.model_validate, data), data


def test_the_journal_defaults_are_what_validation_would_make() -> None:
    config = validate_config({"name": "x"})
    assert config == JournalConfig(name="x")
    assert config.labels == Labels() and config.labels.abstract_parts == AbstractHeadings()
    assert config.sections == tuple(SectionEntry(id=s.id) for s in config.sections)
    assert config.model_fields_set == {"name"} and config.labels.model_fields_set == set()


def test_a_corrupt_record_falls_back_to_pydantic(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    validator_for(Case, CASE_SOURCES)
    (record,) = cache.rglob("*.json")
    data = _load(REPO / "cases" / "dcis-bone-marrow" / "case.yaml")
    evil = {"schema": [{"type": "function-plain", "function": "os:system"}, {}],
            "refs": [[0, "function", "os:system"]], "prebuilt": False}
    for text in ("{not json", json.dumps({"schema": [{"type": "nonsense"}, {}], "refs": [], "prebuilt": False}),
                 json.dumps(evil), json.dumps(evil | {"refs": [[0, "nowhere", "casepress.model.case:Case"]]})):
        record.write_text(text, encoding="utf-8")
        validator_for.cache_clear()
        assert validator_for(Case, CASE_SOURCES).validate_python(data) == Case.model_validate(data)
        assert json.loads(record.read_text(encoding="utf-8"))["schema"][0]["type"] == "definitions"


def test_the_key_changes_with_the_versions_and_the_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    key = prebuilt._key(Case, CASE_SOURCES)
    assert key is not None and prebuilt._key(Case, CASE_SOURCES) == key
    assert prebuilt._key(Case, ("casepress.model", "casepress.core.cache")) != key
    found = cache_module._library_version
    with monkeypatch.context() as patch:  # pydantic-core's version as its metadata folder says it
        patch.setattr(cache_module, "_library_version", lambda name: "0.0.0" if name == "pydantic_core" else found(name))
        code_digest.cache_clear()
        assert prebuilt._key(Case, CASE_SOURCES) != key
    code_digest.cache_clear()
    assert prebuilt._key(Case, ("casepress.not_a_module",)) is None


def test_a_key_hashes_the_source_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "casepress" / "shaped.py"
    source.parent.mkdir()
    source.write_text("X = 1\n", encoding="utf-8")
    monkeypatch.setattr(cache_module, "_PACKAGE", str(source.parent))
    code_digest.cache_clear()
    before = prebuilt._key(Case, ("casepress.shaped",))
    source.write_text("X = 2\n", encoding="utf-8")
    code_digest.cache_clear()
    assert before is not None and prebuilt._key(Case, ("casepress.shaped",)) != before
    code_digest.cache_clear()


def test_a_record_names_only_classes_and_functions_of_its_sources() -> None:
    assert prebuilt._resolve("casepress.model.case:Case", CASE_SOURCES) is Case
    assert prebuilt._resolve("builtins:list", CASE_SOURCES) is list
    for reference in ("os:system", "builtins:eval", "casepress.model.base:SCHEMA_VERSION",
                      "casepress.core.cache:digest"):
        with pytest.raises(Unstorable):
            prebuilt._resolve(reference, CASE_SOURCES)
    with pytest.raises(Unstorable):
        prebuilt._encode(lambda: None, CASE_SOURCES, [], [])
    with pytest.raises(Unstorable):
        prebuilt._encode((1, 2), CASE_SOURCES, [], [])


def test_an_absent_section_is_its_model_at_its_defaults() -> None:
    from casepress.model import Checks, Dates, Declarations

    case = Case.model_validate({"schema_version": 1, "title": "x", "authors": [{"given": "a", "family": "b"}]})
    assert (case.dates, case.declarations, case.checks) == (Dates(), Declarations(), Checks())
    assert case.dates.model_fields_set == case.declarations.model_fields_set == case.checks.model_fields_set == set()
    assert case.bibliography == ["references.bib"]


def test_a_part_validator_validates_a_valid_section_as_a_type_adapter_does() -> None:
    """The premise of the partial case (check.validate._salvage): a section without errors in the
    whole case's validation gives the same value validated on its own, cut from the case's schema
    or through a TypeAdapter of its type; so does each item of figures and tables."""
    import typing

    from pydantic import TypeAdapter

    from casepress.model.prebuilt import part_validator

    compared = 0
    for path in CASES:
        doc = parse_yaml(path.read_text(encoding="utf-8"), path, Diagnostics())
        if doc is None or not isinstance(doc.data, dict):
            continue
        outcome = _outcome(Case.model_validate, doc.data)
        failed = {e["loc"][0] for e in outcome[2]} if isinstance(outcome, tuple) else set()
        for name, info in Case.model_fields.items():
            if name in doc.data and name not in failed:
                part = part_validator(Case, CASE_SOURCES, name)
                assert part is not None
                value = doc.data[name]
                assert part.validate_python(value) == TypeAdapter(info.annotation).validate_python(value), (path, name)
                compared += 1
            if name in ("figures", "tables") and isinstance(doc.data.get(name), list):
                item = part_validator(Case, CASE_SOURCES, name, item=True)
                assert item is not None
                adapter = TypeAdapter(typing.get_args(info.annotation)[0])
                for value in doc.data[name]:  # the same value, or the same errors (under another title)
                    assert _untitled(item.validate_python, value) == _untitled(adapter.validate_python, value), path
    assert compared > 300
    assert part_validator(Case, CASE_SOURCES, "no-such-field") is None
    assert part_validator(Case, CASE_SOURCES, "title", item=True) is None
