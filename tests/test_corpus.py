"""The bad-input corpus: every scenario under tests/corpus/<class>/<scenario>/ (see its README).

Each scenario runs ``casepress check`` and ``casepress build`` in a fresh project,
in a subprocess with a time limit and its peak memory measured. Expectations are
exact; ``CASEPRESS_REGEN=1`` rewrites them (review the diff).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import REGENERATE, REPO

CORPUS = REPO / "tests" / "corpus"
BASE = (CORPUS / "base.yaml").read_text(encoding="utf-8")
TIME_LIMIT = 90.0
"""Seconds one command may take; far above any honest run, so only a hang trips it."""
MEMORY_LIMIT_KB = 1024 * 1024
"""Peak resident memory of one command (1 GB)."""

SCENARIOS = sorted(
    p for p in CORPUS.glob("*/*")
    if p.is_dir() and ((p / "case.yaml").is_file() or (p / "generate.py").is_file())
)


@dataclass(frozen=True)
class Run:
    """One finished command."""

    code: int
    """Exit status."""
    stderr: str
    """Everything it printed on stderr."""
    peak_kb: int
    """Peak resident set size, in KiB."""


def run_cli(project: Path, *args: str) -> Run:
    """Run ``casepress ARGS`` in ``project``; kills it (and fails the test) past the time limit."""
    env = {**os.environ, "CI": "true", "NO_COLOR": "1", "COLUMNS": "200"}
    # The command runs in the project folder: a relative PYTHONPATH (``src``) would import
    # whatever casepress is installed instead of this checkout's.
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO / "src")] + [os.path.abspath(p) for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    )
    env.pop("GITHUB_ACTIONS", None)
    # The child runs in a temporary project: a relative PYTHONPATH (src) would name nothing there.
    if env.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.pathsep.join(str(Path(p).resolve()) for p in env["PYTHONPATH"].split(os.pathsep))
    with open(project / ".stderr", "w+b") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "casepress.cli", *args], cwd=project, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True,
        )
        deadline = time.monotonic() + TIME_LIMIT
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                os.wait4(proc.pid, 0)
                pytest.fail(f"casepress {' '.join(args)} did not finish in {TIME_LIMIT:.0f} s")
            time.sleep(0.02)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return Run(proc.returncode, stderr, usage.ru_maxrss)


def _load(path: Path, name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(f"corpus_{path.parent.name}_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def _project(scenario: Path, tmp_path: Path) -> Path:
    project = tmp_path / "project"
    case = project / "cases" / scenario.name
    ignored = shutil.ignore_patterns("expected*.txt", "generate.py", "verify.py", "__pycache__")
    shutil.copytree(scenario, case, symlinks=True,
                    ignore=lambda d, names: [*ignored(d, names), *(["project"] if Path(d) == scenario else [])])
    if (scenario / "project").is_dir():  # project-level files (templates/, ...) go to the project root
        shutil.copytree(scenario / "project", project, symlinks=True, dirs_exist_ok=True)
    if (scenario / "generate.py").is_file():
        _load(scenario / "generate.py", "generate")(case, BASE)
    return project


def _compare(expected_file: Path, actual: str) -> None:
    if REGENERATE:
        expected_file.write_text(actual, encoding="utf-8")
    assert expected_file.is_file(), f"{expected_file} is missing (regenerate with CASEPRESS_REGEN=1)"
    assert actual == expected_file.read_text(encoding="utf-8")


def _error_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "error[" in line]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[f"{p.parent.name}/{p.name}" for p in SCENARIOS])
def test_corpus_scenario(scenario: Path, tmp_path: Path) -> None:
    project = _project(scenario, tmp_path)
    target = f"cases/{scenario.name}"

    check = run_cli(project, "check", target)
    assert "Traceback" not in check.stderr
    _compare(scenario / "expected.txt", check.stderr)
    assert check.code == (1 if "error[" in check.stderr else 0)
    assert check.peak_kb < MEMORY_LIMIT_KB, f"check peaked at {check.peak_kb // 1024} MB"

    build = run_cli(project, "build", target, "--jobs", "1")
    assert "Traceback" not in build.stderr
    _compare(scenario / "expected-build.txt", build.stderr)
    assert build.peak_kb < MEMORY_LIMIT_KB, f"build peaked at {build.peak_kb // 1024} MB"
    output = project / "output"
    if check.code:
        # check runs every check build runs (all but layout): the same errors, and nothing written.
        assert build.code == 1
        assert _error_lines(build.stderr) == _error_lines(check.stderr)
        assert not (output / scenario.name).exists()
    leftovers = [p.name for p in output.iterdir() if p.name.startswith(".") and p.name.endswith((".tmp", ".old"))] \
        if output.is_dir() else []
    assert not leftovers
    if build.code == 0 and (scenario / "verify.py").is_file():
        _load(scenario / "verify.py", "verify")(output / scenario.name)


def test_corpus_is_not_empty() -> None:
    assert SCENARIOS, "no scenarios under tests/corpus/"
