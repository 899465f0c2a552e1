"""A real build opens no file outside the case, the templates, the output, the cache and the libraries.

The build runs in a subprocess under an audit hook (``sys.addaudithook``) that records
the path of every ``open``; secrets planted next to the case, in the project and beside
the project must never be among them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from casepress.core.project import builtin_templates

from .conftest import REPO

WRAPPER = """
import json, os, sys

opened = []

def hook(event, args):
    if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.fsdecode(args[0])
        opened.append(os.path.abspath(path))

sys.addaudithook(hook)
sys.argv = ["casepress", *sys.argv[2:]]
record = __import__("pathlib").Path(os.environ["OPENED_LOG"])
from casepress.cli import main
try:
    code = main()
finally:
    record.write_text(json.dumps(opened))
sys.exit(code)
"""

SECRET = "SECRET-1d8f2c: the patient's real name"

SYSTEM_FILES = ("/etc/mime.types", "/etc/localtime", "/etc/os-release", "/etc/ssl/", "/dev/", "/proc/self/",
                "/sys/fs/cgroup/", "/etc/fonts/")
"""System files libraries read on their own (MIME types, time zone, fonts), not case data."""


def _library_roots() -> list[Path]:
    paths = sysconfig.get_paths()
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, paths["stdlib"], paths["platstdlib"], paths["purelib"],
             paths["platlib"], str(REPO / "src"), "/usr/lib", "/usr/share", "/usr/local/lib", "/usr/local/share"}
    return [Path(os.path.realpath(r)) for r in roots]


def _plant(project: Path, tmp_path: Path) -> list[Path]:
    secrets = [project / "secret.txt", tmp_path / "secret.txt", project / "cases" / "secret.txt"]
    for secret in secrets:
        secret.write_text(SECRET, encoding="utf-8")
    return secrets


def _build(tmp_path: Path, edit: str | None = None) -> tuple[subprocess.CompletedProcess[str], list[Path], list[Path]]:
    """Build a copy of the reference case under the audit hook: (result, opened paths, allowed roots)."""
    project = tmp_path / "project"
    case = project / "cases" / "dcis-bone-marrow"
    shutil.copytree(REPO / "cases" / "dcis-bone-marrow", case)
    if edit is not None:
        text = (case / "case.yaml").read_text(encoding="utf-8")
        (case / "case.yaml").write_text(text.replace("bibliography: [references.bib]", edit), encoding="utf-8")
    cache = tmp_path / "cache"
    log = tmp_path / "opened.json"
    scratch = tmp_path / "tmp"  # the process's own temporary files (tempfile, WeasyPrint's image cache)
    scratch.mkdir()
    python_path = [str(REPO / "src")] + [os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    env = {**os.environ, "CASEPRESS_CACHE_DIR": str(cache), "OPENED_LOG": str(log), "CI": "true", "NO_COLOR": "1",
           "TMPDIR": str(scratch), "PYTHONPATH": os.pathsep.join(python_path)}
    result = subprocess.run(
        [sys.executable, "-c", WRAPPER, "casepress", "build", "cases/dcis-bone-marrow", "--jobs", "1"],
        cwd=project, env=env, capture_output=True, text=True, timeout=600,
    )
    opened = [Path(os.path.realpath(p)) for p in json.loads(log.read_text(encoding="utf-8"))]
    allowed = [Path(os.path.realpath(p)) for p in (case, project / "output", cache, scratch, builtin_templates())]
    return result, opened, allowed + _library_roots()


def test_a_build_opens_only_its_own_inputs_and_outputs(tmp_path: Path) -> None:
    (tmp_path / "project" / "cases").mkdir(parents=True)
    secrets = _plant(tmp_path / "project", tmp_path)
    result, opened, allowed = _build(tmp_path)
    assert result.returncode == 0, result.stderr
    assert opened, "the audit hook recorded nothing"
    outside = sorted({
        str(p) for p in opened
        if not any(p.is_relative_to(root) for root in allowed) and not str(p).startswith(SYSTEM_FILES)
    })
    assert outside == [], "\n".join(outside)
    assert not {Path(os.path.realpath(s)) for s in secrets} & set(opened)
    assert (tmp_path / "project" / "output" / "dcis-bone-marrow" / "index.html").is_file()


def test_a_case_naming_a_file_outside_is_refused_without_opening_it(tmp_path: Path) -> None:
    (tmp_path / "project" / "cases").mkdir(parents=True)
    secrets = _plant(tmp_path / "project", tmp_path)
    names = ", ".join(["references.bib", str(tmp_path / "secret.txt"), "../../../secret.txt"])
    result, opened, _ = _build(tmp_path, f"bibliography: [{names}]")
    assert result.returncode == 1
    assert "error[unsafe-path] bibliography[1]" in result.stderr
    assert "error[unsafe-path] bibliography[2]" in result.stderr
    assert not {Path(os.path.realpath(s)) for s in secrets} & set(opened)
