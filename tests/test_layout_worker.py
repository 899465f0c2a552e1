"""The layout worker (casepress.build.layout): a job in, the same PDF and the same diagnostics out
as the layout in the build's own process; a dead worker is a located error; none outlives a build."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest

from casepress.build import layout as layout_worker
from casepress.build.batch import build_one
from casepress.build.layout import LayoutWorker, started, wanted
from casepress.build.pipeline import gather
from casepress.core.diagnostics import Diagnostics, Location
from casepress.core.options import BuildOptions
from casepress.core.project import Project
from casepress.outputs import pdf as render_pdf
from casepress.outputs.pdf import html_to_pdf, lay_out, report_layout

from .conftest import REPO
from .test_faults import children

pytestmark = pytest.mark.skipif(not layout_worker.can_fork(), reason="the layout worker needs fork")

ORIGIN = Location("cases/x/case.yaml")
OUTPUTS = ("html", "pdf", "checklist")


def _children() -> list[int]:
    """This process's child processes (zombies included: a worker must be reaped too)."""
    return children(os.getpid())


@pytest.fixture(autouse=True)
def _reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    # Fixed PDF dates, so that two layouts of the same HTML are the same bytes.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


@pytest.fixture
def worker() -> LayoutWorker:
    started_worker = LayoutWorker.start()
    assert started_worker is not None
    yield started_worker
    started_worker.close()
    assert _children() == []


def _case(tmp_path: Path, broken: bool = False) -> Path:
    case = tmp_path / "cases" / "escape"
    shutil.copytree(REPO / "tests" / "build" / "escape", case)
    if broken:
        (case / "case.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    return case / "case.yaml"


def test_the_reference_case_is_laid_out_alike_in_the_worker(tmp_path: Path, worker: LayoutWorker) -> None:
    options = BuildOptions(output_root=tmp_path / "out", outputs=OUTPUTS)
    case_file = REPO / "cases" / "dcis-bone-marrow" / "case.yaml"
    here, there = Diagnostics(), Diagnostics()
    built_here = gather(case_file, Project(REPO), options, here)
    built_there = gather(case_file, Project(REPO), options, there, layout=worker)
    assert built_here is not None and built_there is not None
    assert built_there.blobs == built_here.blobs, "the same PDFs, byte for byte"
    assert built_there.texts == built_here.texts and built_there.care == built_here.care
    assert list(there) == list(here)


def test_a_refused_url_and_a_weasyprint_warning_come_back_alike(worker: LayoutWorker) -> None:
    # Straight to the layout (preflight would refuse the URL before any layout).
    html = ('<html><head><style>p { colour: red }</style></head><body>'
            '<p>x</p><img src="https://example.org/x.png" alt="x"></body></html>')
    here, there = lay_out(html, {}, None), worker(html, {}, None)
    assert there == here
    assert [r.url for r in there.refusals] == ["https://example.org/x.png"]
    assert any("colour" in m for m in there.messages)
    reported_here, reported_there = Diagnostics(), Diagnostics()
    assert report_layout(here, ORIGIN, reported_here) is None
    assert report_layout(there, ORIGIN, reported_there) is None
    assert list(reported_there) == list(reported_here)
    assert {d.code for d in reported_there} == {"fetch-refused", "weasyprint"}


def test_a_table_too_wide_is_located_in_the_build_process(worker: LayoutWorker) -> None:
    cells = "".join(f"<td>Unbreakable{n}columnheadingtext</td>" for n in range(6))
    html = f'<div style="width: 200pt"><figure id="tbl-wide"><table><tr>{cells}</tr></table></figure></div>'
    located: list[str] = []

    def locate(ident: str) -> Location:
        located.append(ident)
        return Location("cases/x/case.yaml", 30, 9)

    here, there = Diagnostics(), Diagnostics()
    pdf_here = html_to_pdf(html, {}, None, ORIGIN, here, locate)
    pdf_there = html_to_pdf(html, {}, None, ORIGIN, there, locate, layout=worker)
    assert pdf_there == pdf_here and pdf_there is not None
    assert located == ["tbl-wide", "tbl-wide"]
    assert list(there) == list(here) and [d.code for d in there] == ["layout-overflow"]


def test_the_worker_serves_several_jobs_and_files_as_bytes(worker: LayoutWorker) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20"/></svg>'
    html = '<p id="end-of-article">x</p><img src="figures/x.svg" alt="x">'
    for _ in range(2):
        assert worker(html, {"figures/x.svg": svg}, "pdf/a-3b") == lay_out(html, {"figures/x.svg": svg}, "pdf/a-3b")


def test_a_worker_killed_mid_job_is_a_located_error_and_no_output(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The worker is a fork: it lays out with what this module's lay_out is when it starts.
    monkeypatch.setattr(render_pdf, "lay_out", lambda *job: os.kill(os.getpid(), signal.SIGKILL))
    case_file = _case(tmp_path)
    options = BuildOptions(output_root=tmp_path / "output", outputs=OUTPUTS)
    result = build_one(case_file, tmp_path, options, "digest", layout_worker=True)
    assert not result.ok
    (failed,) = [d for d in result.diagnostics if d.severity.value == "error"]
    assert failed.code == "pdf-failed" and "killed by SIGKILL" in failed.message
    assert failed.location is not None and failed.location.file.endswith("case.yaml")
    assert not (tmp_path / "output" / "escape").exists()
    assert _children() == []


def test_an_exception_in_the_worker_is_the_internal_error_it_would_be_here(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*job: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(render_pdf, "lay_out", crash)
    case_file = _case(tmp_path)
    options = BuildOptions(output_root=tmp_path / "output", outputs=OUTPUTS)
    there = build_one(case_file, tmp_path, options, "digest", layout_worker=True)
    here = build_one(case_file, tmp_path, options, "digest", layout_worker=False)
    (error,) = [d for d in there.diagnostics if d.severity.value == "error"]
    assert error.code == "internal" and "boom" in error.message
    assert error in here.diagnostics
    assert not (tmp_path / "output" / "escape").exists() and _children() == []


def test_no_worker_outlives_a_build_a_failed_check_or_an_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    options = BuildOptions(output_root=tmp_path / "output", outputs=OUTPUTS)
    assert build_one(_case(tmp_path / "good"), tmp_path / "good", options, "d", layout_worker=True).ok
    assert _children() == []
    assert not build_one(_case(tmp_path / "bad", broken=True), tmp_path / "bad", options, "d", layout_worker=True).ok
    assert _children() == []

    def fail(*args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("casepress.build.pipeline.strip_figures", fail)
    result = build_one(_case(tmp_path / "bug"), tmp_path / "bug", options, "d", layout_worker=True)
    assert [d.code for d in result.diagnostics] == ["internal"]
    assert _children() == []
    with pytest.raises(KeyboardInterrupt), started(True) as worker:
        assert worker is not None and _children() == [worker.pid]
        raise KeyboardInterrupt
    assert _children() == []


def test_the_one_decision(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    full = BuildOptions(output_root=tmp_path)
    assert wanted(1, 1, 2, full) and wanted(1, 2, 2, full), "one case: the spare core lays out"
    assert not wanted(2, 2, 2, full) and not wanted(3, 1, 2, full), "every core builds a case"
    assert not wanted(1, 1, 2, BuildOptions(output_root=tmp_path, outputs=("html", "jats"))), "no PDF"
    assert not wanted(1, 1, 2, BuildOptions(output_root=tmp_path, pdf=False)), "--no-pdf"
    assert not wanted(0, 1, 2, full)
    assert wanted(3, 4, 8, full) and not wanted(4, 4, 8, full) and not wanted(3, 4, 3, full)
    assert not wanted(1, 1, 1, full), "no spare core"
    monkeypatch.setattr(layout_worker, "can_fork", lambda: False)
    assert not wanted(1, 1, 2, full), "no fork: in process"


def test_a_batch_with_cores_to_spare_lays_out_in_workers_of_its_workers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from casepress.build import batch

    jobs = []
    for name in ("alpha", "beta"):
        shutil.copytree(REPO / "tests" / "build" / "escape", tmp_path / "cases" / name)
        jobs.append((tmp_path / "cases" / name / "case.yaml", "digest"))
    pdfs = []
    for label, cpus in (("workers", 8), ("in-process", 2)):
        options = BuildOptions(output_root=tmp_path / label, outputs=OUTPUTS)
        monkeypatch.setattr(batch, "default_jobs", lambda cpus=cpus: cpus)
        assert wanted(len(jobs), 4, batch.default_jobs(), options) is (label == "workers")
        done: list[batch.JobResult] = []
        batch.run(jobs, tmp_path, options, 4, done.append)  # a pool of two builders
        assert sorted(r.ok for r in done) == [True, True] and _children() == []
        pdfs.append({p.relative_to(tmp_path / label): p.read_bytes() for p in (tmp_path / label).rglob("*.pdf")})
    assert pdfs[0] == pdfs[1] and len(pdfs[0]) == 4


@pytest.mark.parametrize("lost_for", [1, 2], ids=["one-column-instead", "lost-again"])
def test_lost_content_comes_back_alike(monkeypatch: pytest.MonkeyPatch, lost_for: int) -> None:
    # Pretend the first `lost_for` layouts lose #f-intro; the worker, a fork, counts from the same state.
    calls: list[int] = []

    def lost(html: str, document: object) -> list[str]:
        calls.append(1)
        return ["f-intro"] if len(calls) % 2 == 1 or lost_for == 2 else []

    monkeypatch.setattr(render_pdf, "_lost_anchors", lost)
    with started(True) as worker:
        assert worker is not None
        html = '<p id="f-intro">x</p>'
        here, there = Diagnostics(), Diagnostics()
        pdf_here = html_to_pdf(html, {}, None, ORIGIN, here)
        pdf_there = html_to_pdf(html, {}, None, ORIGIN, there, layout=worker)
    assert pdf_there == pdf_here and (pdf_there is None) is (lost_for == 2)
    assert list(there) == list(here)
    assert [(d.severity.value, d.code) for d in there][-1] == (("error" if lost_for == 2 else "warning"),
                                                               "layout-lost-content")
