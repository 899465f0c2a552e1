"""Warning codes are declared where they are emitted, and every one can be switched off.

The source is read as an AST: every ``<diagnostics>.warning("code", ...)``, converter
``self.warn("code", ...)`` and ``Diagnostic(Severity.WARNING, "code", ...)`` with a literal
code must have a ``warning_code("code", ...)`` declaration in the same module, and each
warning whose code is not a literal must be one of the known relays below (they pass on
codes declared elsewhere). Then a fixture case that triggers the check-stage warnings is
checked twice: as it is (each warning appears) and with every code in ``checks.disable``
(each is gone, and no ``unknown-check``).
"""

from __future__ import annotations

import ast
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from casepress.core.diagnostics import (
    Diagnostics,
    Location,
    declared,
    disabled_codes,
    unknown_checks,
    warning_codes,
)

from .conftest import REPO

SOURCE = REPO / "src" / "casepress"
FIXTURE = REPO / "tests" / "diagnostics" / "every-warning"

RELAYS = {
    ("casepress.cite.bibtex_convert", "problem.code"): "the converter's own warnings (self.warn, scanned too)",
    ("casepress.check.deid", "finding.code"): "deid-<kind> findings: the deid family",
    ("casepress.build.manifest", "record['code']"): "warnings replayed from the manifest",
}
"""Warnings emitted with a code that is not a literal: where their codes come from."""

BUILD_ONLY = {
    "unknown-locale": "found by the resolve stage (build), tested below with --no-pdf",
    "weasyprint": "WeasyPrint's own warnings, only from a PDF layout",
    "layout-lost-content": "a WeasyPrint bug in two-column layout, only from a PDF layout",
    "layout-overflow": "a table wider than its column, only from a PDF layout (tests/test_pdf_layout.py)",
}
"""Declared codes `casepress check` cannot raise, so the check fixture does not hold them."""


@dataclass(frozen=True)
class Emission:
    """One warning in the source."""

    module: str
    line: int
    code: str | None
    """The literal code, or None when it is computed."""
    expression: str
    """The code's expression as written."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _code_argument(call: ast.Call) -> ast.expr | None:
    """The code argument of a call that emits a warning, or None when the call emits none."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "warning" and call.args:
        return call.args[0]
    if (isinstance(func, ast.Attribute) and func.attr == "warn"
            and isinstance(func.value, ast.Name) and func.value.id == "self" and call.args):
        return call.args[0]
    if isinstance(func, ast.Name) and func.id == "Diagnostic" and len(call.args) >= 2:
        severity = call.args[0]
        if isinstance(severity, ast.Attribute) and severity.attr == "WARNING":
            return call.args[1]
    return None


def emissions() -> list[Emission]:
    """Every warning the package's source emits."""
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        module = _module_name(path)
        if module == "casepress.core.diagnostics":
            continue  # the collection's own warning(), which every emitter calls
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and (arg := _code_argument(node)) is not None:
                literal = arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
                found.append(Emission(module, node.lineno, literal, ast.unparse(arg)))
    return found


def test_the_scan_finds_the_emitters() -> None:
    codes = {e.code for e in emissions()}
    assert {"unused-reference", "care-missing", "weasyprint", "latex-command", "unknown-check"} <= codes


def test_every_literal_warning_code_is_declared_in_its_module() -> None:
    registry = warning_codes()
    del registry
    missing = [f"{e.module}:{e.line}: {e.code}" for e in emissions()
               if e.code is not None and e.module not in getattr(declared(e.code), "modules", ())]
    assert not missing, "declare each with warning_code(code, meaning) next to its emitter: " + ", ".join(missing)


def test_every_computed_warning_code_is_a_known_relay() -> None:
    unknown = [f"{e.module}:{e.line}: {e.expression}" for e in emissions()
               if e.code is None and (e.module, e.expression) not in RELAYS]
    assert not unknown, "a warning with a computed code: declare its codes and add it to RELAYS: " + ", ".join(unknown)


def test_every_declaration_is_emitted() -> None:
    emitted = {e.code for e in emissions()}
    stale = [c for c, entry in warning_codes().items() if not entry.family and c not in emitted]
    assert not stale, f"declared but never emitted: {stale}"


def test_deid_findings_are_one_family() -> None:
    entry = declared("deid-phone")
    assert entry is not None and entry.family and entry.code == "deid"
    assert declared("deid-unused-acknowledgement").code == "deid-unused-acknowledgement"  # its own meaning
    assert declared("deidx") is None and declared("no-such-code") is None


def test_unknown_checks() -> None:
    assert unknown_checks(["care-keywords", "deid-name", "deid", "care-titel"]) == ["care-titel"]
    assert unknown_checks(["care-titel", "unknown-check"]) == []


# --------------------------------------------------------------------------- disabling


def test_every_declared_code_can_be_disabled_in_the_pipeline(tmp_path: Path) -> None:
    """What ``merge_for_case`` (check and build alike) does with each declared code."""
    from casepress.build.pipeline import merge_for_case
    from casepress.load.source import load_yaml

    codes = [c if not e.family else f"{c}-phone" for c, e in warning_codes().items() if c != "unknown-check"]
    case = tmp_path / "case.yaml"
    lines = "".join(f"    {code}: reason\n" for code in [*warning_codes(), "no-such-code"])
    case.write_text(f"checks:\n  disable:\n{lines}", encoding="utf-8")
    local = Diagnostics()
    for code in codes:
        local.warning(code, "a warning", Location("case.yaml", 1, 1))
    doc = load_yaml(case, Diagnostics())
    assert doc is not None
    assert disabled_codes(doc.data).keys() >= set(warning_codes())
    into = Diagnostics()
    merge_for_case(local, into, doc)
    assert [d.format() for d in into] == []


CHECK_CODES = sorted(c for c, e in warning_codes().items() if c not in BUILD_ONLY)
"""The declared codes the fixture raises (``deid`` as ``deid-phone``)."""


def _codes(text: str) -> set[str]:
    return set(re.findall(r"warning\[([a-z0-9-]+)\]", text))


def _fixture_project(tmp_path: Path, disable: list[str]) -> Path:
    """The fixture in a project of its own, with ``disable`` added to its checks.disable."""
    case = tmp_path / "cases" / "every-warning"
    shutil.copytree(FIXTURE, case)
    yaml_file = case / "case.yaml"
    lines = "".join(f"    {code}: \"switched off by the test\"\n" for code in disable)
    text = yaml_file.read_text(encoding="utf-8")
    yaml_file.write_text(text.replace("  disable:\n", "  disable:\n" + lines), encoding="utf-8")
    return tmp_path


def _run(project: Path, *args: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    from casepress.cli import main

    monkeypatch.chdir(project)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    main([*args, "cases/every-warning", "--verbose"])
    return capsys.readouterr().err


def test_the_fixture_raises_every_check_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    shown = _codes(_run(_fixture_project(tmp_path, []), "check", monkeypatch=monkeypatch, capsys=capsys))
    covered = {c for c in CHECK_CODES if c in shown or any(s.startswith(c + "-") for s in shown)}
    assert covered == set(CHECK_CODES), f"the fixture raises none of {sorted(set(CHECK_CODES) - covered)}"


def test_checks_disable_switches_off_each_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    err = _run(_fixture_project(tmp_path, CHECK_CODES), "check", monkeypatch=monkeypatch, capsys=capsys)
    assert err == "0 errors, 0 warnings\n"


def test_checks_disable_switches_off_a_build_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """``unknown-locale`` comes from the resolve stage: a build (HTML only) shows it, and disabling it works."""
    project = _fixture_project(tmp_path / "on", [])
    assert "unknown-locale" in _codes(_run(project, "build", "--no-pdf", monkeypatch=monkeypatch, capsys=capsys))
    project = _fixture_project(tmp_path / "off", ["unknown-locale"])
    assert "unknown-locale" not in _codes(_run(project, "build", "--no-pdf", monkeypatch=monkeypatch, capsys=capsys))
