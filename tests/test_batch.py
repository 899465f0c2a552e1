"""Many cases: parallel builds, incremental rebuilds, shards, the collection index, CI annotations."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from casepress.build.batch import CaseEntry, case_bytes, estimate_costs, in_shard, parse_shard, schedule
from casepress.cli import main

from .conftest import REPO

SOURCE = REPO / "tests" / "build" / "escape"


def _project(root: Path, slugs: list[str]) -> None:
    for i, slug in enumerate(slugs):
        case = root / "cases" / slug
        shutil.copytree(SOURCE, case)
        text = (case / "case.yaml").read_text(encoding="utf-8")
        (case / "case.yaml").write_text(text.replace("Knee pain", f"Case {i} knee pain"), encoding="utf-8")


def _summary(err: str) -> tuple[int, int, int]:
    match = re.search(r"(\d+) built, (\d+) failed, (\d+) unchanged", err)
    assert match, err
    return int(match.group(1)), int(match.group(2)), int(match.group(3))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    _project(tmp_path, ["alpha", "beta", "gamma"])
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setenv("CI", "1")  # plain progress lines, as in CI logs
    return tmp_path


def test_parallel_then_incremental(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--no-pdf", "--jobs", "2"]) == 0
    err = capsys.readouterr().err
    assert _summary(err) == (3, 0, 0)
    assert re.search(r"\[3/3\] built (alpha|beta|gamma)", err), "plain progress lines in CI"

    assert main(["build", "--no-pdf", "--jobs", "2"]) == 0
    assert _summary(capsys.readouterr().err) == (0, 0, 3), "nothing changed: nothing rebuilt"

    case = project / "cases" / "beta" / "case.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("Intro", "Introduction"), encoding="utf-8")
    assert main(["build", "--no-pdf"]) == 0
    assert _summary(capsys.readouterr().err) == (1, 0, 2), "an edit rebuilds only its case"

    (project / "cases" / "gamma" / "figures" / "x.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="2"/>\n', encoding="utf-8")
    assert main(["build", "--no-pdf"]) == 0
    assert _summary(capsys.readouterr().err) == (1, 0, 2), "a changed figure rebuilds its case"

    (project / "output" / ".casepress-manifest.json").unlink()
    assert main(["build", "--no-pdf"]) == 0
    assert _summary(capsys.readouterr().err) == (3, 0, 0), "no manifest: full rebuild"

    assert main(["build", "--no-pdf", "--force"]) == 0
    assert _summary(capsys.readouterr().err) == (3, 0, 0)

    assert main(["build"]) == 0, "switching the PDF on changes the options, so every case is rebuilt"
    assert _summary(capsys.readouterr().err) == (3, 0, 0)


def test_a_template_change_rebuilds_every_case(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--no-pdf"]) == 0
    capsys.readouterr()
    override = project / "templates" / "base" / "partials"
    override.mkdir(parents=True)
    shutil.copy(REPO / "templates" / "base" / "partials" / "table.html.j2", override / "table.html.j2")
    assert main(["build", "--no-pdf"]) == 0
    assert _summary(capsys.readouterr().err) == (3, 0, 0)


def test_one_failing_case_does_not_stop_the_others(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--no-pdf"]) == 0
    capsys.readouterr()
    before = (project / "output" / "beta" / "index.html").read_bytes()
    for slug in ("alpha", "beta"):
        case = project / "cases" / slug / "case.yaml"
        text = case.read_text(encoding="utf-8")
        case.write_text(text.replace("Intro", "Intro @fig-gone") if slug == "beta" else text + "\n# edited\n",
                        encoding="utf-8")
    assert main(["build", "--no-pdf", "--jobs", "2"]) == 1
    err = capsys.readouterr().err
    assert _summary(err) == (1, 1, 1)
    assert "cases/beta/case.yaml:" in err and "error[undefined-ref]" in err
    assert (project / "output" / "beta" / "index.html").read_bytes() == before


def test_index_lists_every_case_with_relative_links(project: Path) -> None:
    assert main(["build", "--no-pdf"]) == 0
    index = (project / "output" / "index.html").read_text(encoding="utf-8")
    for slug in ("alpha", "beta", "gamma"):
        assert f'href="{slug}/index.html"' in index
        assert f'href="{slug}/care-checklist.html"' in index
    assert "Ada &lt;script&gt;" in index
    links = re.findall(r'href="([^"]+)"', index)
    assert links and not [link for link in links if link.startswith(("/", "http:", "https:", "file:"))]
    for link in links:
        assert (project / "output" / link).is_file()


def test_shards_split_the_collection_and_merge_back(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    slugs = {"alpha", "beta", "gamma"}
    seen: list[set[str]] = []
    for i in (1, 2):
        out = project / f"shard-{i}"
        assert main(["build", "--no-pdf", "--shard", f"{i}/2", "--output", str(out)]) == 0
        manifest = json.loads((out / ".casepress-manifest.json").read_text(encoding="utf-8"))
        seen.append(set(manifest["cases"]))
    assert seen[0] | seen[1] == slugs and not seen[0] & seen[1]
    site = project / "site"
    for i in (1, 2):
        shutil.copytree(project / f"shard-{i}", site, dirs_exist_ok=True)
    manifests = [str(project / f"shard-{i}" / ".casepress-manifest.json") for i in (1, 2)]
    assert main(["index", *manifests, "--output", str(site)]) == 0
    index = (site / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{slug}/index.html"' in index for slug in slugs)
    capsys.readouterr()
    assert main(["build", "--shard", "3/2"]) == 2


def test_shard_assignment_is_stable() -> None:
    assert parse_shard("2/5") == (2, 5)
    with pytest.raises(ValueError, match="not a shard"):
        parse_shard("two")
    slugs = [f"case-{n}" for n in range(200)]
    counts = [sum(in_shard(s, (i, 4)) for s in slugs) for i in (1, 2, 3, 4)]
    assert sum(counts) == 200 and min(counts) > 30, counts
    # The same slug lands in the same shard on every machine (sha256, not Python's salted hash).
    assert [i for i in (1, 2, 3, 4) if in_shard("dcis-bone-marrow", (i, 4))] == [
        1 + int.from_bytes(__import__("hashlib").sha256(b"dcis-bone-marrow").digest()[:8], "big") % 4
    ]


def test_github_annotations(in_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["check", "tests/cases/unknown-key"]) == 1
    out = capsys.readouterr().out
    assert "::error file=tests/cases/unknown-key/case.yaml,line=6,col=36,title=unknown-key::authors[0].orchid: unknown key 'orchid' (hint: did you mean 'orcid'?)" in out


def test_ci_workflow_steps_run_locally(tmp_path: Path) -> None:
    """scripts/ci-local runs the workflow's steps: strict check, one build per shard, one merged index."""
    import os
    import subprocess
    import sys

    import yaml

    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8"))
    steps = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert any("casepress check --strict" in s for s in steps)
    assert any("casepress build --shard ${{ matrix.shard }}/${{ env.SHARDS }} --strict" in s for s in steps)
    assert any("casepress index manifests/*.json --output site" in s for s in steps)
    assert len(workflow["jobs"]["build"]["strategy"]["matrix"]["shard"]) == int(workflow["env"]["SHARDS"])

    site = tmp_path / "site"
    env = {**os.environ, "CASEPRESS": str(Path(sys.executable).parent / "casepress"),
           "CASEPRESS_BUILD_ARGS": "--no-pdf"}
    env.pop("GITHUB_ACTIONS", None)
    result = subprocess.run([str(REPO / "scripts" / "ci-local"), "2", str(site)], cwd=REPO, env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    index = (site / "index.html").read_text(encoding="utf-8")
    slugs = sorted(p.parent.name for p in (REPO / "cases").glob("*/case.yaml"))
    assert slugs and all(f'href="{slug}/index.html"' in index for slug in slugs)
    assert all((site / slug / "index.html").is_file() for slug in slugs)


def test_the_digest_hashes_what_the_build_reads_and_nothing_else(tmp_path: Path) -> None:
    from casepress.build.batch import Digester
    from casepress.core.project import Project

    from .test_watch import journal_family, write_minimal

    journal_family(tmp_path)
    case = tmp_path / "cases" / "knee"
    case.mkdir(parents=True)
    write_minimal(case / "case.yaml")
    (tmp_path / "library").mkdir()
    bib = tmp_path / "library" / "refs.bib"
    bib.write_text("@misc{a, title = {A}}\n", encoding="utf-8")
    text = (case / "case.yaml").read_text(encoding="utf-8")
    text = text.replace("journal: generic", "journal: child").replace("bibliography: []", "bibliography: [../../library/refs.bib]")
    (case / "case.yaml").write_text(text, encoding="utf-8")

    def digest() -> str:
        return Digester(Project(tmp_path), "key").case(case / "case.yaml", None)

    first = digest()
    (tmp_path / "templates" / "journals" / "other" / "assets" / "other.css").write_text("p {}\n", encoding="utf-8")
    (tmp_path / "library" / "unused.bib").write_text("@misc{b, title = {B}}\n", encoding="utf-8")
    assert digest() == first, "a journal the case does not extend and a .bib it does not name are no inputs"
    bib.write_text("@misc{a, title = {A, edited}}\n", encoding="utf-8")
    second = digest()
    assert second != first, "a .bib file outside the case folder is an input"
    (tmp_path / "templates" / "journals" / "parent" / "assets" / "parent.css").write_text("p {}\n", encoding="utf-8")
    assert digest() != second, "so is the journal the case's journal extends"


# --------------------------------------------------------------------------- scheduling


def _entry(slug: str, seconds: float | None) -> CaseEntry:
    return CaseEntry(slug=slug, digest="d", title=slug, authors=[], published=None, keywords=[],
                     journal="generic", files={"html": f"{slug}/index.html"}, seconds=seconds)


def test_cost_is_the_last_build_time_else_the_size_at_the_batch_rate() -> None:
    files = [Path(f"cases/{slug}/case.yaml") for slug in ("a", "b", "c", "d")]
    sizes = {"a": 1000, "b": 3000, "c": 500, "d": 2000}
    previous = {"a": _entry("a", 2.0), "b": _entry("b", 4.0), "c": _entry("c", None)}
    costs = estimate_costs(files, previous, size=lambda folder: sizes[folder.name])
    # 6 s for 4000 bytes: 0.0015 s per byte for the cases without a recorded time
    assert costs == {files[0]: 2.0, files[1]: 4.0, files[2]: 0.75, files[3]: 3.0}
    assert estimate_costs(files, {}, size=lambda folder: sizes[folder.name]) == {
        files[0]: 1000.0, files[1]: 3000.0, files[2]: 500.0, files[3]: 2000.0}, "no time known: bytes"


def test_longest_cases_start_first_and_ties_keep_slug_order() -> None:
    sizes = {"alpha": 10, "beta": 900, "gamma": 10, "delta": 10, "omega": 50}
    jobs = [(Path(f"cases/{slug}/case.yaml"), f"digest-{slug}") for slug in ("omega", "gamma", "delta", "beta", "alpha")]
    order = schedule(jobs, {}, size=lambda folder: sizes[folder.name])
    assert [c.parent.name for c, _ in order] == ["beta", "omega", "alpha", "delta", "gamma"]
    assert dict(order) == dict(jobs), "each case keeps its digest"
    # a recorded build time outranks the size: omega was slow last time
    timed = {"omega": _entry("omega", 30.0), "beta": _entry("beta", 3.0)}
    order = schedule(jobs, timed, size=lambda folder: sizes[folder.name])
    assert [c.parent.name for c, _ in order] == ["omega", "beta", "alpha", "delta", "gamma"]
    assert schedule(list(reversed(jobs)), timed, size=lambda folder: sizes[folder.name]) == order


def test_case_bytes_counts_regular_files_only(tmp_path: Path) -> None:
    (tmp_path / "figures").mkdir()
    (tmp_path / "case.yaml").write_bytes(b"x" * 120)
    (tmp_path / "figures" / "a.svg").write_bytes(b"y" * 30)
    (tmp_path / "figures" / "link.svg").symlink_to(tmp_path / "case.yaml")
    assert case_bytes(tmp_path) == 150


def test_a_built_case_records_its_build_time(project: Path) -> None:
    assert main(["build", "--no-pdf", "--jobs", "1"]) == 0
    manifest = json.loads((project / "output" / ".casepress-manifest.json").read_text(encoding="utf-8"))
    seconds = [manifest["cases"][slug]["seconds"] for slug in ("alpha", "beta", "gamma")]
    assert all(isinstance(s, float) and s > 0 for s in seconds), seconds
    assert CaseEntry.from_json("alpha", {**manifest["cases"]["alpha"], "seconds": -1.0}) is None
    assert CaseEntry.from_json("alpha", {**manifest["cases"]["alpha"], "seconds": "2"}) is None


def test_the_manifest_remembers_what_a_case_names_outside_its_folder(tmp_path: Path) -> None:
    from casepress.build.manifest import case_inputs, inputs_record

    case = tmp_path / "case.yaml"
    case.write_bytes(b"title: T\r\njournal: frontiers\r\nbibliography: [a.bib, ../shared.bib]\r\n")
    record = inputs_record(case)
    assert {k: v for k, v in record.items() if k != "source"} == {
        "journal": "frontiers", "csl": None, "bibliography": ["a.bib", "../shared.bib"]}
    assert case_inputs(case, record) == case_inputs(case)
    # the record is trusted only for the bytes it was read from: the YAML is not parsed again...
    assert case_inputs(case, {**record, "journal": "remembered"}).journal == "remembered"
    # ...and an edit is read afresh, whatever the record says
    case.write_text("journal: generic\n", encoding="utf-8")
    assert case_inputs(case, {**record, "journal": "remembered"}).journal == "generic"
    assert CaseEntry.from_json("a", {**_entry("a", 1.0).__dict__, "inputs": record}) is not None
    assert CaseEntry.from_json("a", {**_entry("a", 1.0).__dict__, "inputs": {**record, "csl": 3}}) is None


def test_the_quick_bibliography_path_agrees_with_the_confinement_rule(tmp_path: Path) -> None:
    from casepress.build.inputs import _bibliography
    from casepress.core.confine import OUTPUT_FOLDER, Refused, bibliography_path
    from casepress.core.project import Project

    case_dir = tmp_path / "cases" / "a"
    case_dir.mkdir(parents=True)
    (tmp_path / "shared.bib").write_text("", encoding="utf-8")
    (case_dir / "refs.bib").write_text("", encoding="utf-8")
    (case_dir / "link.bib").symlink_to(tmp_path / "shared.bib")
    (case_dir / "away.bib").symlink_to("/etc/hostname")
    project, output = Project(tmp_path), str(tmp_path / OUTPUT_FOLDER)

    def outcome(rule: object, name: str) -> object:
        try:
            return rule(name)  # type: ignore[operator]
        except Refused:
            return "refused"

    names = ["refs.bib", "missing.bib", "link.bib", "away.bib", "../../shared.bib", "..", ".", "",
             "bad\x01.bib", "http://x.org/a.bib", "sub\\refs.bib"]
    quick = [outcome(lambda n: _bibliography(n, case_dir, project, output), n) for n in names]
    full = [outcome(lambda n: bibliography_path(n, case_dir, tmp_path), n) for n in names]
    assert quick == full
    assert quick[:3] == [case_dir / "refs.bib", case_dir / "missing.bib", tmp_path / "shared.bib"]
    assert quick[3] == "refused"
