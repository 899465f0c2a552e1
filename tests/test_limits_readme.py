"""The README's "Limits" table lists every limit in limits.py, with its value and meaning."""

from __future__ import annotations

import ast
import re

from casepress.core import limits
from casepress.core.confine import MiB

from .conftest import REPO


def _documented_limits() -> list[tuple[str, str]]:
    """(name, docstring) of each constant limits.py defines, in file order."""
    tree = ast.parse((REPO / "src" / "casepress" / "core" / "limits.py").read_text(encoding="utf-8"))
    found: list[tuple[str, str]] = []
    body = tree.body
    for node, following in zip(body, body[1:] + [None], strict=True):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id.isupper():
            doc = following.value.value if isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant) else ""
            found.append((node.targets[0].id, str(doc)))
    return found


def shown(name: str) -> str:
    """How the README shows a limit's value."""
    value = getattr(limits, name)
    if name.endswith("_BYTES"):
        return f"{value // MiB} MiB" if value % MiB == 0 else f"{value:,} bytes"
    if name.endswith("_YEAR"):
        return str(value)
    return f"{value:,}"


def expected_rows() -> list[str]:
    return [f"| `{name}` | {shown(name)} | {' '.join(doc.split())} |" for name, doc in _documented_limits()]


def _readme_section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Limits\n(.*?)(?=^## )", text, re.DOTALL | re.MULTILINE)
    assert match, "README.md has no '## Limits' section"
    return match.group(1)


def test_every_limit_is_in_the_readme_with_its_value() -> None:
    rows = [line for line in _readme_section().splitlines() if line.startswith("| `")]
    assert rows == expected_rows()


def test_limits_py_defines_limits() -> None:
    assert {name for name, _ in _documented_limits()} >= {"MAX_YAML_NODES", "MAX_BIB_BYTES", "MIN_YEAR", "MAX_YEAR"}
