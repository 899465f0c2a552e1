"""Dataclass methods, regular expressions and forward references run from kept compiled code
(casepress.core.codecache): the second process compiles nothing the first one did, its classes
and patterns behave exactly as compiled ones, and a missing or corrupt file only means compiling
again."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from .conftest import REPO

SCRIPT = r"""
import dataclasses, json, re, typing
import casepress  # installs the kept code
from casepress.core import codecache

dose = re.compile(r"(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>mg|g)\b", re.IGNORECASE)
found = dose.search("amoxicillin 500 MG twice daily")
annotation = typing.ForwardRef("dict[str, tuple[Dose, ...]]")

@dataclasses.dataclass(frozen=True, slots=True)
class Dose:
    drug: str
    mg: float = 1.0
    notes: tuple[str, ...] = ()

a, b = Dose("amoxicillin", 500.0), Dose("amoxicillin", 500.0)
try:
    a.mg = 1.0
    frozen = False
except dataclasses.FrozenInstanceError:
    frozen = True
print(json.dumps({
    "installed": dataclasses.exec is codecache._exec,
    "compiled": len(codecache._methods.added), "patterns": len(codecache._patterns.added),
    "match": [found.group("value"), found.group("unit"), found.span(), dose.groups, dict(dose.groupindex), dose.flags],
    "repr": repr(a), "equal": a == b, "hash": hash(a) == hash(b), "frozen": frozen,
    "default": Dose("x").mg,
    "annotations": len(codecache._expressions.added),
    "evaluated": repr(annotation._evaluate(globals(), None, recursive_guard=frozenset())),
}))
"""


def _run(cache: Path) -> dict[str, object]:
    env = {**os.environ, "CASEPRESS_CACHE_DIR": str(cache), "PYTHONPATH": str(REPO / "src")}
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


MATCH = ["500", "MG", [12, 18], 2, {"value": 1, "unit": 2}, re.IGNORECASE | re.UNICODE]


def _file(cache: Path, kind: str) -> Path:
    (path,) = (cache / "code").rglob(f"{kind}-*.marshal")
    return path


def test_the_second_process_compiles_nothing_the_first_did(tmp_path: Path) -> None:
    first = _run(tmp_path)
    assert first["installed"] is True
    assert first["compiled"] > 0  # every method of every dataclass, casepress's own included
    assert first["patterns"] > 0
    second = _run(tmp_path)
    assert second["compiled"] == 0 and second["patterns"] == 0 and second["annotations"] == 0
    assert first["annotations"] > 0 and first["evaluated"] == second["evaluated"] == "dict[str, tuple[__main__.Dose, ...]]"
    assert first["match"] == second["match"] == MATCH
    expected = {"repr": "Dose(drug='amoxicillin', mg=500.0, notes=())", "equal": True, "hash": True,
                "frozen": True, "default": 1.0}
    assert {k: first[k] for k in expected} == expected
    assert {k: second[k] for k in expected} == expected


def test_a_corrupt_file_means_compiling_again(tmp_path: Path) -> None:
    _run(tmp_path)
    for kind in ("dataclasses", "regex", "annotations"):
        _file(tmp_path, kind).write_bytes(b"\x00not marshal")
    again = _run(tmp_path)
    assert again["compiled"] > 0 and again["repr"] == "Dose(drug='amoxicillin', mg=500.0, notes=())"
    assert again["patterns"] > 0 and again["match"] == MATCH
    whole = _run(tmp_path)  # and the files are whole again
    assert whole["compiled"] == whole["patterns"] == whole["annotations"] == 0


def test_an_unwritable_cache_still_builds_classes(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    result = _run(blocked)
    assert result["compiled"] > 0 and result["equal"] is True and result["match"] == MATCH
