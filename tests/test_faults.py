"""Faults: kills, interrupts, concurrent builds, unwritable folders, crashing cases, bad arguments.

What must hold whatever happens to a build: every ``output/<slug>/`` is whole
(all its files, every PDF complete), the manifest as casepress reads it agrees
with the folders, the next build cleans up, no worker outlives its parent, and
nothing ever prints a traceback. Cases are small synthetic copies of
``tests/cases/valid-minimal``; ``--no-pdf`` wherever the PDF is not the point.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from casepress.build import batch, publish
from casepress.build.batch import MANIFEST, Digester, Manifest
from casepress.cli import main
from casepress.build.pipeline import BuildOptions
from casepress.core.project import Project

from .conftest import REPO

MINIMAL = REPO / "tests" / "cases" / "valid-minimal"
TITLE = 'title: "Fixture: knee pain after a fall, a case report"'
UNUSED = "@article{uncited, title = {Never cited}, author = {Doe, Jane}, journal = {J}, year = {2020}}\n"


# --------------------------------------------------------------------------- helpers


def make_case(root: Path, slug: str, marker: str = "0", *, warning: bool = False, extra: str = "") -> Path:
    """``cases/<slug>/`` from the minimal fixture, titled ``Trial <marker> case <slug>``."""
    case = root / "cases" / slug
    case.mkdir(parents=True, exist_ok=True)
    text = (MINIMAL / "case.yaml").read_text(encoding="utf-8")
    text = text.replace(TITLE, f'title: "Trial {marker} case {slug}: a case report"') + extra
    if warning:  # an uncited entry: warning[unused-reference]
        text = text.replace("bibliography: []", "bibliography: [references.bib]")
        (case / "references.bib").write_text(UNUSED, encoding="utf-8")
    (case / "case.yaml").write_text(text, encoding="utf-8")
    return case


def retitle(root: Path, marker: str) -> None:
    for case in sorted((root / "cases").iterdir()):
        path = case / "case.yaml"
        text = re.sub(r'title: "Trial \S+ case', f'title: "Trial {marker} case', path.read_text(encoding="utf-8"))
        path.write_text(text, encoding="utf-8")


def env() -> dict[str, str]:
    """The children's environment: this casepress first on the path (PYTHONPATH=src is relative,
    and the children run in other folders), plain progress lines."""
    import casepress

    here = str(Path(casepress.__file__).resolve().parents[1])
    path = os.pathsep.join([here, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))])
    variables = {**os.environ, "CI": "true", "NO_COLOR": "1", "COLUMNS": "200", "PYTHONPATH": path}
    variables.pop("GITHUB_ACTIONS", None)
    return variables


def start(project: Path, *args: str) -> subprocess.Popen[bytes]:
    """``casepress ARGS`` in ``project``, in its own session, stderr to ``project/.stderr``."""
    err = open(project / ".stderr", "wb")  # noqa: SIM115 - closed by the child's exit
    return subprocess.Popen([sys.executable, "-m", "casepress.cli", *args], cwd=project, env=env(),
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                            start_new_session=True)


def run(project: Path, *args: str, timeout: float = 60) -> tuple[int, str]:
    proc = start(project, *args)
    try:
        code = proc.wait(timeout)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return code, (project / ".stderr").read_text(encoding="utf-8", errors="replace")


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder``: bytes and mtime (to prove that nothing was even rewritten)."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def case_files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def pdf_is_whole(path: Path) -> bool:
    from pypdf import PdfReader

    data = path.read_bytes()
    if not data.rstrip().endswith(b"%%EOF"):
        return False
    return len(PdfReader(path, strict=True).pages) >= 1


def leftovers(output: Path) -> list[str]:
    names = [p.name for p in output.iterdir() if p.name.endswith((".tmp", ".old"))] if output.is_dir() else []
    return names + ([publish.PENDING] if (output / publish.PENDING).exists() else [])


def assert_consistent(output: Path, expected: set[str] | None = None) -> Manifest:
    """Whole folders, complete PDFs, and a manifest that agrees with each folder's content."""
    manifest = Manifest.load(output / MANIFEST)
    folders = sorted(p for p in output.iterdir() if p.is_dir() and not p.name.startswith("."))
    for folder in folders:
        entry = manifest.cases.get(folder.name)
        assert entry is not None, f"{folder.name}/ is not in the manifest"
        files = case_files(folder)
        if expected is not None:
            assert files == {f.replace("<slug>", folder.name) for f in expected}, f"{folder.name}/ is partial"
        for name in files:
            if name.endswith(".pdf"):
                assert pdf_is_whole(folder / name), f"{folder.name}/{name} is truncated"
        html = (folder / "index.html").read_text(encoding="utf-8")
        shown = re.search(r"<title>Trial (\S+) case", html)
        assert shown and f"Trial {shown.group(1)} case" in entry.title, (folder.name, entry.title)
    for slug, entry in manifest.cases.items():
        assert (output / entry.files["html"]).is_file(), f"the manifest lists {slug}, which is not there"
    return manifest


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie does not count: it builds nothing)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def wait_for(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setenv("CI", "1")
    return tmp_path


linux_only = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc")


# --------------------------------------------------------------------------- kill -9 and the swap journal


def test_kill_9_at_random_moments_never_leaves_a_partial_folder(tmp_path: Path) -> None:
    for slug in ("alpha", "beta"):
        make_case(tmp_path, slug)
    started = time.monotonic()
    code, err = run(tmp_path, "build", "--jobs", "1")
    duration = time.monotonic() - started
    assert code == 0, err
    output = tmp_path / "output"
    expected = {f.replace("alpha", "<slug>") for f in case_files(output / "alpha")}
    assert {"index.html", "care-checklist.html", "<slug>.pdf", "care-checklist.pdf"} <= expected
    rng = random.Random(int(os.environ.get("CASEPRESS_FAULT_SEED", "15")))
    trials = 3
    for trial in range(1, trials + 1):
        retitle(tmp_path, str(trial))
        proc = start(tmp_path, "build", "--jobs", "1")
        time.sleep(duration * (trial - 1 + rng.random()) / trials)  # spread over the whole build
        proc.kill()
        proc.wait()
        assert_consistent(output, expected)
    retitle(tmp_path, "final")
    code, err = run(tmp_path, "build", "--jobs", "1")
    assert code == 0 and "Traceback" not in err, err
    manifest = assert_consistent(output, expected)
    assert not leftovers(output), "the next build removes what the killed ones left"
    assert Manifest.load(output / MANIFEST, journal=False) == manifest, "the manifest file itself is in step"
    assert all("Trial final" in e.title for e in manifest.cases.values())


CRASH_POINTS = ["copy", "record", "swap", "between", "after-swap", "after-swap-fallback"]
"""Where the child dies: while staging, before the journal record, before the swap, between the
two renames of the fallback swap, and after the swap (exchange or fallback) before cleaning up."""


def _write_and_die(point: str, target: Path, texts: dict[str, str], copies: dict[str, Path],
                   entry: dict[str, object]) -> None:
    """In a forked child: write the new folder and die at ``point``, as kill -9 would."""
    from casepress.build import output as output_module

    def die(*args: object, **kwargs: object) -> None:
        os._exit(9)

    calls = {"replace": 0}
    real_replace = os.replace

    def replace(a, b):  # type: ignore[no-untyped-def]
        calls["replace"] += 1
        if (point, calls["replace"]) in (("record", 1), ("between", 3)):
            die()
        real_replace(a, b)

    os.replace = replace  # type: ignore[assignment]
    publish.EXCHANGE = point not in ("between", "after-swap-fallback")
    if point == "copy":
        output_module.shutil.copyfile = die  # type: ignore[assignment]
    if point == "swap":
        publish.swap_folders = die  # type: ignore[assignment]
    if point.startswith("after-swap"):
        publish.shutil.rmtree = die  # type: ignore[assignment]
    output_module.write_folder(target, texts, {}, copies, entry)


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_a_kill_at_every_step_of_the_swap_is_recovered(tmp_path: Path, point: str) -> None:
    from casepress.build import output as output_module

    out = tmp_path / "output"
    target = out / "case"
    old_entry = {"slug": "case", "digest": "old", "title": "Trial old case", "authors": [], "published": None,
                 "keywords": [], "journal": "generic", "files": {"html": "case/index.html",
                                                                  "checklist": "case/care-checklist.html"}}
    new_entry = {**old_entry, "digest": "new", "title": "Trial new case"}
    source = tmp_path / "figure.svg"
    source.write_text("<svg/>", encoding="utf-8")

    def texts(marker: str) -> dict[str, str]:
        return {"index.html": f"<title>Trial {marker} case</title>", "care-checklist.html": marker}

    output_module.write_folder(target, texts("old"), {}, {}, old_entry)
    batch.finish(out)
    pid = os.fork()
    if pid == 0:
        try:
            _write_and_die(point, target, texts("new"), {"figures/x.svg": source}, new_entry)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 9, "the child did not reach the crash point"
    if point != "between":  # only the fallback's two renames leave an instant without the folder
        manifest = assert_consistent(out, None)  # as read (the journal folded in), before any recovery
    batch.finish(out)
    after = assert_consistent(out, None)
    if point != "between":
        assert after == manifest, "recovery keeps what the reader saw"
    assert Manifest.load(out / MANIFEST, journal=False) == after
    assert not leftovers(out)
    assert after.cases["case"].digest == ("new" if point.startswith("after-swap") else "old")
    expected = {"index.html", "care-checklist.html"} | ({"figures/x.svg"} if point.startswith("after") else set())
    assert case_files(target) == expected


# --------------------------------------------------------------------------- workers and interrupts


@linux_only
def test_kill_9_of_a_parallel_build_leaves_no_worker_alive(tmp_path: Path) -> None:
    for i in range(6):
        make_case(tmp_path, f"case-{i}")
    proc = start(tmp_path, "build", "--jobs", "2", "--no-pdf")
    try:
        wait_for(lambda: len(children(proc.pid)) >= 2, 30, "two workers")
        workers = children(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        wait_for(lambda: not any(alive(w) for w in workers), 5, "the workers to die with their parent")
    finally:
        with __import__("contextlib").suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


@linux_only
def test_ctrl_c_stops_a_batch_at_once_and_keeps_the_manifest_true(tmp_path: Path) -> None:
    for i in range(8):
        make_case(tmp_path, f"case-{i}")
    proc = start(tmp_path, "build", "--jobs", "2")
    try:
        wait_for(lambda: "built case-" in (tmp_path / ".stderr").read_text(encoding="utf-8"), 60, "a first case")
        workers = children(proc.pid)
        os.killpg(proc.pid, signal.SIGINT)  # as the terminal does: to the whole process group
        interrupted = time.monotonic()
        code = proc.wait(20)
        took = time.monotonic() - interrupted
    finally:
        with __import__("contextlib").suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    err = (tmp_path / ".stderr").read_text(encoding="utf-8")
    assert code == 130, err
    assert took < 3.0, f"took {took:.1f} s to stop"
    assert "Traceback" not in err
    assert re.search(r"^interrupted: \d+ built, 0 failed, 0 unchanged, \d+ not built -> output/$", err, re.M), err
    assert not any(alive(w) for w in workers)
    manifest = assert_consistent(tmp_path / "output")
    assert 1 <= len(manifest.cases) < 8
    assert Manifest.load(tmp_path / "output" / MANIFEST, journal=False) == manifest


def test_one_crashing_case_does_not_stop_the_batch(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from casepress.build import pipeline

    for slug in ("alpha", "beta", "gamma"):
        make_case(project, slug)
    real = pipeline.gather

    def gather(case_file: Path, *args: object) -> object:
        if case_file.parent.name == "beta":
            raise OverflowError("date value out of range")
        return real(case_file, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "gather", gather)  # the workers are forked: they see it too
    assert main(["build", "--no-pdf", "--jobs", "2"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert ("cases/beta/case.yaml: error[internal] casepress failed unexpectedly on this case (stage: build): "
            "OverflowError: date value out of range\n    hint: this is a bug in casepress") in err
    assert "2 built, 1 failed, 0 unchanged" in err
    assert sorted(Manifest.load(project / "output" / MANIFEST).cases) == ["alpha", "gamma"]


def test_an_impossible_date_in_the_middle_of_a_batch(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_case(project, "alpha")
    make_case(project, "beta", extra="dates: {received: 2024-02-30}\n")
    make_case(project, "gamma")
    assert main(["build", "--no-pdf", "--jobs", "2"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "error[internal]" not in err
    assert "cases/beta/case.yaml:" in err and "error[invalid-date] dates.received: impossible date '2024-02-30'" in err
    assert "2 built, 1 failed, 0 unchanged" in err
    assert sorted(Manifest.load(project / "output" / MANIFEST).cases) == ["alpha", "gamma"]


def test_an_unexpected_exception_anywhere_is_an_internal_error(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    from casepress.build import pipeline

    make_case(project, "alpha")
    make_case(project, "beta")
    real = pipeline.check_case

    def check_case(case_file: Path, *args: object) -> object:
        if case_file.parent.name == "alpha":
            {}["no such key"]  # noqa: B018 - a bug, as it would be in a stage
        return real(case_file, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "check_case", check_case)
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("cases/alpha/case.yaml: error[internal] casepress failed unexpectedly on this case "
                          "(stage: command): KeyError: 'no such key'\n")
    assert err.endswith("1 error, 0 warnings\n"), "beta was still checked (and is clean)"

    monkeypatch.setattr(Project, "resolve_cases", lambda *a: 1 / 0)
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error[internal] casepress failed unexpectedly on the command (stage: command): "
                          "ZeroDivisionError: division by zero\n    hint: this is a bug in casepress")
    assert "Traceback" not in err


# --------------------------------------------------------------------------- concurrent builds, leftovers


def test_two_concurrent_builds_into_one_folder(tmp_path: Path) -> None:
    """Overlapping builds (alpha+beta in A4, beta+gamma in letter): neither loses the other's cases,
    and beta's manifest entry is from the build whose folder is there."""
    for slug in ("alpha", "beta", "gamma"):
        make_case(tmp_path, slug)
    first = start(tmp_path, "build", "cases/alpha", "cases/beta", "--no-pdf", "--jobs", "1", "--page-size", "A4")
    second = subprocess.Popen([sys.executable, "-m", "casepress.cli", "build", "cases/beta", "cases/gamma",
                               "--no-pdf", "--jobs", "1", "--page-size", "letter", "--root", str(tmp_path),
                               "--output", str(tmp_path / "output")],
                              cwd=tmp_path, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert first.wait(60) == 0, (tmp_path / ".stderr").read_text(encoding="utf-8")
    _, err = second.communicate(timeout=60)
    assert second.returncode == 0, err.decode()
    output = tmp_path / "output"
    manifest = assert_consistent(output, case_files(output / "alpha"))
    assert sorted(manifest.cases) == ["alpha", "beta", "gamma"]
    assert Manifest.load(output / MANIFEST, journal=False) == manifest
    project = Project(tmp_path)
    for slug, entry in manifest.cases.items():
        html = (output / slug / "index.html").read_text(encoding="utf-8")
        size = "letter" if "size: letter" in html else "A4"
        options = BuildOptions(output_root=output, pdf=False, page_size=size)
        digest = Digester(project, options.key()).case(tmp_path / "cases" / slug / "case.yaml", None)
        assert entry.digest == digest, f"{slug}: the manifest's entry is from the other build"
    assert not leftovers(output)


def test_stale_leftovers_are_removed_and_a_live_builds_kept(project: Path) -> None:
    make_case(project, "alpha")
    assert main(["build", "--no-pdf"]) == 0
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    output = project / "output"
    dead = [output / f".alpha.{gone.pid}-k2j4h5g6.tmp", output / f".alpha.{gone.pid}-a1b2c3d4.old"]
    live = output / f".alpha.{os.getppid()}-z9y8x7w6.tmp"
    for folder in [*dead, live]:
        (folder / "assets").mkdir(parents=True)
        (folder / "index.html").write_text("half", encoding="utf-8")
    (output / f".index.html.{gone.pid}-q1w2e3r4.tmp").write_text("half", encoding="utf-8")
    assert main(["build", "--no-pdf"]) == 0, "a build with nothing to do still cleans up"
    assert {p.name for p in output.iterdir() if p.name.startswith(".")} == {MANIFEST, live.name}


# --------------------------------------------------------------------------- strict, unwritable, shapes


def test_strict_after_a_plain_build_fails_and_changes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_case(project, "alpha", warning=True)
    assert main(["build", "--no-pdf"]) == 0
    first = capsys.readouterr().err
    warning = "cases/alpha/references.bib:1:1: warning[unused-reference] bibliography entry 'uncited' is never cited"
    assert warning in first
    output = project / "output"
    before = snapshot(output)

    assert main(["build", "--no-pdf", "--strict"]) == 1, "the cache must not hide the warning"
    err = capsys.readouterr().err
    assert warning in err and "Aborted with 1 warnings in strict mode." in err
    assert "0 built, 0 failed, 1 unchanged" in err
    assert snapshot(output) == before, "nothing was written, not even rewritten"

    bib = project / "cases" / "alpha" / "references.bib"
    bib.write_text(UNUSED + UNUSED.replace("uncited", "another"), encoding="utf-8")
    assert main(["build", "--no-pdf", "--strict"]) == 1
    err = capsys.readouterr().err
    assert "entry 'another' is never cited" in err and "0 built, 1 failed, 0 unchanged" in err
    assert snapshot(output) == before, "a strict failure writes nothing: the previous output and manifest stay"

    assert main(["care", "--no-pdf", "--strict"]) == 1
    assert snapshot(output) == before, "care --strict does not write the checklist either"
    assert main(["build", "--no-pdf"]) == 0, "without --strict the new output is written"
    assert snapshot(output) != before


def _make_read_only(folder: Path) -> Iterator[None]:
    immutable = os.geteuid() == 0 and shutil.which("chattr") is not None
    if immutable:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
    try:
        probe = folder / "probe"
        try:
            probe.write_text("x", encoding="utf-8")
        except OSError:
            pass
        else:
            probe.unlink()
            pytest.skip("cannot make a folder read-only here")
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        else:
            folder.chmod(0o755)


def test_a_read_only_output_folder(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_case(project, "alpha")
    assert main(["build", "--no-pdf"]) == 0
    output = project / "output"
    before = snapshot(output)
    capsys.readouterr()
    for _ in _make_read_only(output):
        assert main(["build", "--no-pdf"]) == 0, "nothing to do needs no writing"
        retitle(project, "2")
        assert main(["build", "--no-pdf"]) == 1
        err = capsys.readouterr().err
        assert "Traceback" not in err
        assert re.search(r"^cases/alpha/case.yaml: error\[write-failed\] could not write output/alpha/: "
                         r"(Operation not permitted|Permission denied)$", err, re.M), err
        assert "0 built, 1 failed, 0 unchanged" in err
    assert snapshot(output) == before


@pytest.mark.parametrize("content", [
    "[]", '"text"', "null", '{"version": 2, "cases": []}', '{"version": 2, "cases": {"alpha": []}}',
    '{"version": 2, "cases": {"alpha": {"slug": "alpha", "digest": 1, "files": "x"}}}',
    '{"version": 2, "cases": {"alpha": {"slug": "alpha", "digest": "d", "title": "t", "authors": ["a"], '
    '"published": "2024-02-30", "keywords": [], "journal": "generic", "files": {"html": "alpha/index.html", '
    '"checklist": "alpha/care-checklist.html"}, "warnings": [{"code": 1}]}}}',
    "{not json",
], ids=["list", "string", "null", "cases-list", "entry-list", "wrong-types", "bad-date-and-warning", "not-json"])
def test_a_manifest_of_the_wrong_shape_means_rebuild(project: Path, content: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    make_case(project, "alpha")
    assert main(["build", "--no-pdf"]) == 0
    (project / "output" / MANIFEST).write_text(content, encoding="utf-8")
    capsys.readouterr()
    assert main(["build", "--no-pdf"]) == 0
    assert "1 built, 0 failed, 0 unchanged" in capsys.readouterr().err
    assert main(["index"]) == 0
    assert json.loads((project / "output" / MANIFEST).read_text(encoding="utf-8"))["cases"]["alpha"]["digest"]


# --------------------------------------------------------------------------- arguments


@pytest.mark.parametrize("output", ["cases", "cases/alpha", "cases/alpha/figures", ".", "..", "templates",
                                    "link-to-cases"])
def test_an_output_folder_that_would_overwrite_cases_is_refused(project: Path, output: str,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    case = make_case(project, "alpha")
    (project / "templates").mkdir()
    (project / "link-to-cases").symlink_to(project / "cases")
    before = snapshot(project)
    for command in (["build", "--no-pdf"], ["care", "--no-pdf"], ["index"]):
        assert main([*command, "--output", output]) == 2
        err = capsys.readouterr().err
        assert "Error: Invalid value for '--output': " in err and "Traceback" not in err
        assert "the output folder must be a folder of its own" in err
    assert snapshot(project) == before, "nothing was written"
    assert (case / "case.yaml").is_file()


def test_casepress_templates_are_not_an_output_folder(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from casepress.core.project import builtin_templates

    make_case(project, "alpha")
    assert main(["build", "--no-pdf", "--output", str(builtin_templates() / "base")]) == 2
    assert "lies inside the templates folder" in capsys.readouterr().err


@pytest.mark.parametrize(("slug", "message"), [
    ("a" * 300, "the case name is 300 characters long (at most 64)"),
    ("/", "'/' is not a valid case name"),
    ("..", "'..' is not a valid case name"),
    ("a\x00b", "'a\\x00b' is not a valid case name"),
    ("../../etc", "'../../etc' is not a valid case name"),
])
def test_new_refuses_bad_names(project: Path, slug: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", slug]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error[invalid-slug] SLUG: {message}\n    hint: use lowercase words joined by hyphens")
    assert not (project / "cases").exists() or not any((project / "cases").iterdir())


def test_pdf_variants_come_from_weasyprints_registry(capsys: pytest.CaptureFixture[str]) -> None:
    from weasyprint.pdf import VARIANTS

    assert main(["build", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert f"[{'|'.join([*sorted(VARIANTS), 'none'])}]" in help_text
    missing = "pdf/a-4b" if "pdf/a-4b" not in VARIANTS else "pdf/z-9"
    assert main(["build", "--pdf-variant", missing]) == 2
    err = capsys.readouterr().err
    assert f"Invalid value for '--pdf-variant': '{missing}' is not one of" in err and "Traceback" not in err


def test_check_and_no_op_builds_do_not_import_weasyprint(tmp_path: Path) -> None:
    make_case(tmp_path, "alpha")
    code = (
        "import sys\n"
        "from casepress.cli import main\n"
        "assert main(['check']) == 0\n"
        "assert 'weasyprint' not in sys.modules, 'check imported WeasyPrint'\n"
        "assert main(['--help']) == 0\n"
        "assert 'weasyprint' not in sys.modules, '--help imported WeasyPrint'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env(), capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode()


def test_a_warm_check_imports_no_parser_renderer_or_layout(tmp_path: Path) -> None:
    """Cold-start budget (issue 13): with the library in the cache, `check` of the reference case
    needs neither the BibTeX parser, nor Markdown, Jinja, lxml or WeasyPrint."""
    code = (
        "import sys\n"
        "from casepress.cli import main\n"
        f"assert main(['check', {str(REPO / 'cases' / 'dcis-bone-marrow')!r}]) == 0\n"
        "heavy = ('bibtexparser', 'casepress.cite.bibtex_convert', 'casepress.cite.bibtex_blocks', 'markdown_it',\n"
        "         'jinja2', 'lxml', 'weasyprint', 'citeproc')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m in heavy))\n"
    )
    variables = {**env(), "CASEPRESS_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", code], cwd=REPO, env=variables, capture_output=True, text=True, timeout=60)
            for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), runs[-1].stderr
    assert "bibtexparser" in runs[0].stdout  # the first run converts the library (else this test proves nothing)
    assert runs[1].stdout.strip() == "[]"


def test_the_digest_reader_keeps_the_models_defaults() -> None:
    from casepress.load.caseinputs import DEFAULT_BIBLIOGRAPHY, DEFAULT_JOURNAL, read_inputs
    from casepress.model import Case

    assert Case.model_fields["journal"].default == DEFAULT_JOURNAL
    assert tuple(Case.model_fields["bibliography"].default_factory()) == DEFAULT_BIBLIOGRAPHY  # type: ignore[misc]
    inputs = read_inputs("dates: {received: 2024-02-30}\nbibliography: [a.bib, ../b.bib]\nx: &a [1]\ny: *a\n")
    assert inputs.bibliography == ("a.bib", "../b.bib") and inputs.journal == DEFAULT_JOURNAL


_OPENED: list[str] | None = None


def _record_opens(event: str, args: tuple[object, ...]) -> None:
    if _OPENED is not None and event == "open" and isinstance(args[0], (str, os.PathLike)):
        _OPENED.append(os.fspath(args[0]))  # type: ignore[arg-type]


def test_the_digest_never_opens_special_files_or_follows_symlinks(tmp_path: Path) -> None:
    global _OPENED
    case = make_case(tmp_path, "alpha")
    os.mkfifo(case / "pipe")  # reading it would block forever
    (case / "passwd").symlink_to("/etc/passwd")
    (case / "up").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    sparse = case / "scan.raw"
    with open(sparse, "wb") as stream:
        stream.truncate(256 * 1024 * 1024 + 1)  # limits.MAX_HASHED_BYTES + 1
    digester = Digester(Project(tmp_path), "key")
    sys.addaudithook(_record_opens)
    _OPENED = []
    try:
        first = digester.case(case / "case.yaml", None)
        opened = {Path(p).name for p in _OPENED}
    finally:
        _OPENED = None
    assert not opened & {"pipe", "passwd", "scan.raw", "secret.txt"}, opened
    os.utime(sparse, ns=(1, 1))
    assert digester.case(case / "case.yaml", None) != first, "a large file is hashed by size and mtime"
