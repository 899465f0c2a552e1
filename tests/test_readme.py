"""The README's generated parts are current, and its case-format examples are valid cases.

``scripts/update-readme`` writes the field reference (from the model's JSON Schema) and the
warning codes (from the registry); these tests fail when either is stale, when a field has
no docstring, or when an example no longer validates.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import re
from types import ModuleType
from typing import Any

import pytest
import yaml

from casepress.model import Case
from casepress.model.schema import case_schema

from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _script() -> ModuleType:
    loader = importlib.machinery.SourceFileLoader("update_readme", str(REPO / "scripts" / "update-readme"))
    spec = importlib.util.spec_from_loader("update_readme", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


SCRIPT = _script()


def _block(name: str) -> str:
    match = re.search(rf"<!-- generated: {name} -->\n(.*?)<!-- end generated: {name} -->", README, re.S)
    assert match, f"README.md lost its <!-- generated: {name} --> block"
    return match.group(1)


@pytest.mark.parametrize("name", ["case-fields", "warning-codes"])
def test_generated_block_is_current(name: str) -> None:
    assert _block(name) == "\n" + SCRIPT.blocks()[name] + "\n", (
        "README.md is stale: run .venv/bin/python scripts/update-readme")


def _fields() -> list[tuple[str, str, str, dict[str, Any]]]:
    return [(path, model_name, field, node)
            for path, model_name, model in SCRIPT.model_sections(case_schema())
            for field, node in model.get("properties", {}).items()]


def test_every_field_has_a_docstring() -> None:
    bare = [f"{model}.{field}" for _, model, field, node in _fields() if not node.get("description", "").strip()]
    assert not bare, f"fields without a docstring (the README and the schema show it): {bare}"


def test_every_field_of_every_model_is_in_the_readme() -> None:
    block = _block("case-fields")
    sections = dict(re.findall(r"#### .*?\((\w+)\)\n(.*?)(?=\n#### |\Z)", block, re.S))
    defs = case_schema()["$defs"]
    assert set(sections) == {"Case", *defs}, "a model has no table in the README"
    missing = [f"{model}.{field}" for _, model, field, _ in _fields()
               if not re.search(rf"^\| `{re.escape(field)}`", sections[model], re.M)]
    assert not missing, f"fields the README does not document: {missing}"


def test_the_field_reference_names_paths() -> None:
    block = _block("case-fields")
    for heading in ("#### The top level (Case)", "#### `figures[].panels[]` (Panel)",
                    "#### `timeline.events[]` (TimelineEvent)", "#### `timeline.events[].date` (RelativeDate)",
                    "#### any CARE item (NotReported)", "#### `checks` (Checks)"):
        assert heading in block


def _case_format_examples() -> list[str]:
    section = README[README.index("## The case format"):README.index("### Every field")]
    return re.findall(r"```yaml\n(.*?)```", section, re.S)


def test_the_case_format_section_shows_each_feature() -> None:
    text = "\n".join(_case_format_examples())
    for feature in ("after:", "columns:", "generate: timeline", "generate: laboratory",
                    "panels:", "file: figures/he.jpg", "csl:", "disable:", "acknowledge:"):
        assert feature in text, feature


@pytest.mark.parametrize("example", _case_format_examples())
def test_each_case_format_example_is_valid(example: str) -> None:
    """Each example, put into a minimal case in place of its keys, passes the model."""
    case: dict[str, Any] = yaml.safe_load((REPO / "tests" / "corpus" / "base.yaml").read_text(encoding="utf-8"))
    fragment = yaml.safe_load(example)
    for key, value in fragment.items():
        if isinstance(value, dict) and isinstance(case.get(key), dict) and "not_reported" not in case[key]:
            case[key] = {**case[key], **value}
        else:
            case[key] = value
    Case.model_validate(case)


def _tree() -> list[tuple[int, str]]:
    """The layout tree's lines as (depth, name): depth 0 for src/casepress's own entries."""
    block = re.search(r"```text\n( *)src/casepress/\n(.*?)\n *```", README, re.S)
    assert block, "README.md lost its layout tree"
    indent = len(block.group(1))
    out = []
    for line in block.group(2).splitlines():
        branch = re.match(r"^((?:[│ ]   )*)[├└]── (\S+)", line[indent:])
        assert branch, f"not a line of the tree: {line!r}"
        out.append((len(branch.group(1)) // 4, branch.group(2)))
    return out


def test_the_layout_tree_draws_every_package_in_its_stage_order() -> None:
    """The developer notes' tree has one line per package (and per top-level module), in the
    stage order tests/test_layout.py enforces, so a new package cannot go undrawn."""
    from .test_layout import STAGES

    drawn, parent = set(), ""
    tops = []
    for depth, name in _tree():
        if depth == 0:
            parent = name
            tops.append(name.removesuffix("/").removesuffix(".py"))
        drawn.add(name if depth == 0 else parent + name)
    src = REPO / "src" / "casepress"
    packages = {p.parent.relative_to(src).as_posix() + "/" for p in src.rglob("__init__.py") if p.parent != src}
    assert {n for n in drawn if n.endswith("/")} == packages
    assert [t for t in tops if t in STAGES] == STAGES
