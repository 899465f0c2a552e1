"""`casepress watch`: rebuild on save, serve with live reload, keep the last good page when a save breaks the case.

The watcher runs in background threads of the test process (port 0), on a copy of
``tests/cases/valid-minimal`` in a temporary project; every wait polls with a
timeout, so a slow machine is slower, not flaky.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pytest

from casepress.cli import main
from casepress.core.diagnostics import Diagnostic, Location, Severity
from casepress.core.project import Project
from casepress.build.watch import (
    EVENTS_PATH,
    STATE_PATH,
    PdfJob,
    PdfResult,
    PdfRunner,
    Preview,
    PreviewFolder,
    PreviewState,
    WatchSettings,
    diagnostic_from_json,
    inject,
)

REPO = Path(__file__).resolve().parents[1]
MINIMAL = REPO / "tests" / "cases" / "valid-minimal"
SENTENCE = "The patient walked again after a week."
"""The discussion's one sentence in the test case (checked as text: templates change markup)."""
TIMEOUT = 30.0
"""Seconds any wait may take before the test fails (a build takes well under one)."""

T = TypeVar("T")


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    """A project in a temporary folder holding a copy of the minimal valid case."""
    target = tmp_path / "cases" / "knee"
    target.mkdir(parents=True)
    write_minimal(target / "case.yaml")
    return target / "case.yaml"


FIGURE = """figures:
  - id: fig-knee
    file: figures/knee.svg
    alt: A grey rectangle standing for the knee.
    caption: The knee.
"""
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
    '<rect width="40" height="20" fill="#888"/></svg>\n'
)


def write_minimal(case_file: Path) -> None:
    """The minimal valid case with one figure, its discussion saying :data:`SENTENCE`."""
    (case_file.parent / "figures").mkdir(exist_ok=True)
    (case_file.parent / "figures" / "knee.svg").write_text(SVG, encoding="utf-8")
    text = (MINIMAL / "case.yaml").read_text(encoding="utf-8")
    text = text.replace("paragraphs: [{text: Fixture.}]", f'paragraphs: [{{text: "{SENTENCE} (@fig-knee)"}}]')
    case_file.write_text(text + FIGURE, encoding="utf-8")


@pytest.fixture
def messages() -> list[str]:
    """What the preview printed in the terminal."""
    return []


@pytest.fixture
def preview(case_file: Path, messages: list[str]) -> Iterator[Preview]:
    """A running preview (HTML only) of the case; stopped and checked for leftovers afterwards."""
    running = Preview(case_file, Project(case_file.parents[2]), WatchSettings(port=0, pdf=False), echo=messages.append)
    running.start()
    try:
        assert running.ready.wait(TIMEOUT), "the first build never finished"
        yield running
    finally:
        folder, url = running.folder, running.url
        running.stop()
        assert not any(t.is_alive() for t in running._threads), "a preview thread outlived stop()"
        assert not folder.exists(), "the preview folder was left behind"
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(url, timeout=2)


# -- helpers -------------------------------------------------------------------------------


def wait_for(what: str, probe: Callable[[], T | None], timeout: float = TIMEOUT) -> T:
    """Poll ``probe`` until it returns something truthy; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.02)


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def state(preview: Preview) -> dict[str, Any]:
    return json.loads(fetch(preview.url.rstrip("/") + STATE_PATH))


def failed_state(preview: Preview) -> dict[str, Any] | None:
    """The state once the latest build failed, else None."""
    current = state(preview)
    return None if current["ok"] else current


class EventStream:
    """A client of the Server-Sent Events endpoint, as the injected script is."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=TIMEOUT)
        self.connection.request("GET", EVENTS_PATH)
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type", "").startswith("text/event-stream")

    def next(self, deadline: float | None = None) -> dict[str, Any]:
        """The next ``build`` event's data (the stream sends a keep-alive comment when idle)."""
        deadline = deadline or time.monotonic() + TIMEOUT
        event, data = None, None
        while True:
            if time.monotonic() > deadline:
                pytest.fail("timed out waiting for an event")
            line = self.response.fp.readline().decode("utf-8")
            if not line:
                raise AssertionError("the event stream ended")
            line = line.rstrip("\n")
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: "):
                data = line.removeprefix("data: ")
            elif not line and event == "build" and data is not None:
                return json.loads(data)

    def until(self, predicate: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while True:
            payload = self.next(deadline)
            if predicate(payload):
                return payload

    def close(self) -> None:
        self.connection.close()


def edit(case_file: Path, old: str, new: str) -> None:
    text = case_file.read_text(encoding="utf-8")
    assert old in text
    case_file.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- the live preview ----------------------------------------------------------------------


def test_edit_break_fix(preview: Preview, case_file: Path, messages: list[str]) -> None:
    # Conditions are on content, not on build counts: a save elsewhere in a watched template
    # folder (the repository's templates/) may add a rebuild at any time.
    page = fetch(preview.url)
    assert SENTENCE in page
    assert EVENTS_PATH in page, "the live-reload script is injected into served pages"
    assert EVENTS_PATH not in (preview.folder / "index.html").read_text(encoding="utf-8"), "but not into files"
    assert page.index(EVENTS_PATH) > page.index(SENTENCE), "the script goes at the end of the body"
    assert state(preview)["ok"]

    events = EventStream(preview.url)
    try:
        first = events.next()
        assert first["ok"] and first["generation"] >= 1, "a new page is told the current state at once"

        # A save with a new sentence is rebuilt and served.
        edit(case_file, SENTENCE, "The knee healed in six weeks.")
        wait_for("the new sentence", lambda: "The knee healed in six weeks." in fetch(preview.url))
        good = events.until(lambda s: s["generation"] > first["generation"])
        assert good["ok"] and good["diagnostics"] == []

        # A save that breaks the YAML: the stream reports the located error, the page stays.
        edit(case_file, "journal: generic", "journal: [generic")
        broken = events.until(lambda s: not s["ok"])
        located = [d for d in broken["diagnostics"] if "error[yaml-syntax]" in d]
        assert located and re.search(r"case\.yaml:\d+:\d+: error\[yaml-syntax\] ", located[0]), broken
        assert broken["summary"].startswith("1 error")
        page = fetch(preview.url)
        assert "The knee healed in six weeks." in page, "the last good page stays"
        assert "casepress-banner" in page, "the served page carries the banner script"
        assert broken["generation"] == state(preview)["generation"], "no new page while broken"
        # The terminal shows the same line, as `casepress check` prints it.
        assert any(located[0] in m for m in messages), messages

        # Fixing it rebuilds, and the stream announces a new page.
        case_file.write_text(
            case_file.read_text(encoding="utf-8").replace("journal: [generic", "journal: generic", 1)
            .replace("The knee healed in six weeks.", "The knee healed in five weeks."),
            encoding="utf-8",
        )
        fixed = events.until(lambda s: s["ok"] and s["generation"] > broken["generation"])
        assert fixed["diagnostics"] == []
        wait_for("the fixed page", lambda: "The knee healed in five weeks." in fetch(preview.url))
    finally:
        events.close()


def test_a_validation_error_is_located_and_the_page_kept(preview: Preview, case_file: Path) -> None:
    edit(case_file, "paragraphs: [{text:", "paragraphs: [{txet:")
    broken = wait_for("the broken build", lambda: failed_state(preview))
    assert any(re.search(r"case\.yaml:\d+:\d+: error\[", d) for d in broken["diagnostics"]), broken
    assert SENTENCE in fetch(preview.url)


def test_a_save_the_watcher_missed_is_still_built(preview: Preview, case_file: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # As if no event arrived (a network mount, or watchfiles dropping one as it times out).
    monkeypatch.setattr(preview.watcher, "is_relevant", lambda path: False)
    edit(case_file, SENTENCE, "Seen without an event.")
    wait_for("the rebuild", lambda: "Seen without an event." in fetch(preview.url))


def test_broken_from_the_start_serves_a_waiting_page(case_file: Path, messages: list[str]) -> None:
    case_file.write_text('title: "unterminated\n', encoding="utf-8")
    with Preview(case_file, Project(case_file.parents[2]), WatchSettings(port=0, pdf=False), echo=messages.append) as p:
        assert p.ready.wait(TIMEOUT)
        page = fetch(p.url)
        assert "Waiting for the first good build" in page and EVENTS_PATH in page
        assert not state(p)["ok"] and state(p)["generation"] == 0
        write_minimal(case_file)
        wait_for("the first good build", lambda: SENTENCE in fetch(p.url))
        assert state(p)["ok"]
    assert any("error[yaml-syntax]" in m for m in messages)


def test_figures_assets_and_companion_pages_are_served(preview: Preview) -> None:
    page = fetch(preview.url)
    assert 'src="figures/knee.svg"' in page
    with urllib.request.urlopen(preview.url + "figures/knee.svg", timeout=10) as response:
        assert b"<rect" in response.read()
    stylesheets = re.findall(r'<link[^>]+href="([^"]+\.css)"', page)
    assert stylesheets
    for name in stylesheets:
        with urllib.request.urlopen(preview.url + name, timeout=10) as response:
            assert response.status == 200
            assert response.getheader("Cache-Control") == "no-store"
    assert EVENTS_PATH in fetch(preview.url + "care-checklist.html")
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(preview.url + "no-such-page.html", timeout=10)
    assert missing.value.code == 404


def test_an_external_bib_file_is_watched(tmp_path: Path, case_file: Path) -> None:
    shared = tmp_path / "library"
    shared.mkdir()
    (shared / "refs.bib").write_text(
        "@article{smith2020, author = {Smith, J.}, title = {Knees}, journal = {J Knee}, year = {2020}}\n",
        encoding="utf-8",
    )
    edit(case_file, "bibliography: []", "bibliography: [../../library/refs.bib]")
    edit(case_file, SENTENCE, "Knees heal [@smith2020].")
    with Preview(case_file, Project(tmp_path), WatchSettings(port=0, pdf=False), echo=lambda _: None) as p:
        assert p.ready.wait(TIMEOUT)
        assert state(p)["ok"], state(p)
        assert shared in p.watcher.watched_roots()
        (shared / "refs.bib").write_text("@article{smith2020, author = {Smith, J.}, title = {Knees\n", encoding="utf-8")
        broken = wait_for("the .bib error", lambda: failed_state(p))
        assert any("refs.bib" in d for d in broken["diagnostics"]), broken
        assert not p.watcher.is_relevant(tmp_path / "library-notes.txt")


def journal_family(root: Path) -> None:
    """Project journals ``child`` extends ``parent`` extends casepress's ``generic``; ``other`` is unrelated."""
    journals = root / "templates" / "journals"
    for name, settings in {"child": "name: Child\nextends: parent\n", "parent": "name: Parent\nextends: generic\n",
                           "other": "name: Other\n"}.items():
        (journals / name / "assets").mkdir(parents=True)
        (journals / name / "journal.yaml").write_text(settings, encoding="utf-8")
        (journals / name / "assets" / f"{name}.css").write_text("p { margin: 0 }\n", encoding="utf-8")


def test_watch_watches_exactly_the_files_the_build_read(tmp_path: Path, case_file: Path) -> None:
    from casepress.core.project import builtin_templates

    root, case = tmp_path.resolve(), case_file.parent.resolve()
    journal_family(root)
    (root / "library").mkdir()
    (root / "library" / "refs.bib").write_text("@misc{a, title = {A}}\n", encoding="utf-8")
    (root / "library" / "unused.bib").write_text("@misc{b, title = {B}}\n", encoding="utf-8")
    (case / "notes.txt").write_text("read by the DICOM scan of the de-identification check\n", encoding="utf-8")
    (case / ".case.yaml.swp").write_text("an editor's swap file\n", encoding="utf-8")
    (case / "output").mkdir()
    (case / "output" / "index.html").write_text("a build's output\n", encoding="utf-8")
    edit(case_file, "journal: generic", "journal: child")
    edit(case_file, "bibliography: []", "bibliography: [../../library/refs.bib]")
    edit(case_file, SENTENCE, f"{SENTENCE} [@a]")
    with Preview(case_file, Project(tmp_path), WatchSettings(port=0, pdf=False), echo=lambda _: None) as p:
        assert p.ready.wait(TIMEOUT)
        assert state(p)["ok"], state(p)
        inputs = p.watcher.inputs
        builtin = builtin_templates().resolve()
        journals = root / "templates" / "journals"
        assert inputs.files == {case / "case.yaml", case / "figures" / "knee.svg", root / "library" / "refs.bib"}
        # Every folder the lookup tries, found or not: creating one (an override) changes the build.
        assert inputs.folders == (case / "templates", journals / "child", builtin / "journals" / "child",
                                  journals / "parent", builtin / "journals" / "parent",
                                  journals / "generic", builtin / "journals" / "generic",
                                  root / "templates" / "base", builtin / "base")
        templates = sorted(f for d in ("journals/generic", "base") for f in (builtin / d).rglob("*") if f.is_file())
        assert templates and p.watcher.watched_files() == sorted([
            case / "case.yaml", case / "figures" / "knee.svg", case / "notes.txt", root / "library" / "refs.bib",
            journals / "child" / "assets" / "child.css", journals / "child" / "journal.yaml",
            journals / "parent" / "assets" / "parent.css", journals / "parent" / "journal.yaml", *templates,
        ])
        # The missing project base is watched from the project's templates/, which holds child and parent.
        assert p.watcher.watched_roots() == [case, builtin / "journals", root / "templates", builtin / "base",
                                             root / "library"]
        assert not p.watcher.is_relevant(builtin / "journals" / "frontiers" / "journal.yaml")
        assert p.watcher.is_relevant(journals / "generic" / "article.html.j2"), "a project override, once made"
        # A save in the journal the case's journal extends rebuilds the page.
        built = state(p)["generation"]
        (journals / "parent" / "assets" / "parent.css").write_text("p { margin: 1px }\n", encoding="utf-8")
        wait_for("the rebuild", lambda: state(p)["generation"] > built)
        # A journal switched in the case file is watched from the next build on.
        edit(case_file, "journal: child", "journal: other")
        wait_for("the other journal watched", lambda: journals / "other" in p.watcher.inputs.folders)
        assert p.watcher.inputs.folders == (case / "templates", journals / "other", builtin / "journals" / "other",
                                            root / "templates" / "base", builtin / "base")


def test_rendering_and_watching_walk_one_chain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from casepress.build.inputs import build_inputs
    from casepress.core.diagnostics import Diagnostics
    from casepress.journals.journal import load_journal

    journal_family(tmp_path)
    monkeypatch.chdir(tmp_path)  # diagnostics name files relative to the working folder
    project = Project(tmp_path)
    diagnostics = Diagnostics()
    journal = load_journal(project, "child", diagnostics)
    assert journal is not None and not list(diagnostics)
    watched = build_inputs(tmp_path / "case.yaml", project, "journal: child\n").folders
    assert tuple(f.resolve() for f in journal.dirs + journal.base_dirs) == tuple(f for f in watched[1:] if f.is_dir())
    # A name that is no journal name is looked up nowhere (it named a folder outside journals/).
    (tmp_path / "templates" / "journals" / "other" / "journal.yaml").write_text(
        "name: Other\nextends: ../journals/parent\n", encoding="utf-8")
    assert load_journal(project, "other", diagnostics) is None
    assert [d.format() for d in diagnostics] == [
        "templates/journals/other/journal.yaml:2:10: error[unknown-journal] no journal template '../journals/parent'"]


# -- the PDF in the background -------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_follows_each_good_build(case_file: Path) -> None:
    settings = WatchSettings(port=0, pdf=True)
    with Preview(case_file, Project(case_file.parents[2]), settings, echo=lambda _: None) as p:
        assert p.ready.wait(TIMEOUT)
        assert state(p)["generation"] >= 1 and p.hub.state.pdf_generation == 0, "the HTML does not wait for the PDF"

        def pdf_of_the_page() -> PreviewState | None:
            return p.hub.wait_until(lambda s: s.pdf_generation == s.generation and s.pdf != "building", 120)

        done = pdf_of_the_page()
        assert done is not None and done.pdf == "ready", done
        with urllib.request.urlopen(p.url + "knee.pdf", timeout=10) as response:
            assert SENTENCE in pdf_text(response.read())
        edit(case_file, SENTENCE, "Edited.")
        wait_for("the edited page", lambda: "Edited." in fetch(p.url))
        done = pdf_of_the_page()
        assert done is not None and done.pdf == "ready", done
        with urllib.request.urlopen(p.url + "knee.pdf", timeout=10) as response:
            assert "Edited." in pdf_text(response.read())


def test_a_newer_pdf_job_supersedes_the_one_in_progress(tmp_path: Path) -> None:
    finished: list[tuple[PdfJob, PdfResult]] = []
    folder = PreviewFolder(tmp_path)
    runner = PdfRunner(folder, lambda job, result: finished.append((job, result)))
    runner.start()
    try:
        def job(generation: int) -> PdfJob:
            html = f"<html><body><p>Build {generation}</p></body></html>"
            return PdfJob(generation, "case.pdf", html, {}, None, Location("case.yaml"))

        runner.submit(job(1))
        runner.submit(job(2))  # at once: the first worker is still importing or laying out
        wait_for("the second PDF", lambda: finished, timeout=120)
    finally:
        runner.close()
    assert runner.superseded == 1
    assert [(j.generation, r.ok) for j, r in finished] == [(2, True)]
    assert (tmp_path / "case.pdf").read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.pdf"], "no staging file is left behind"


# -- the command ---------------------------------------------------------------------------


def test_port_in_use_is_an_error(case_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["watch", str(case_file.parent), "--port", str(port), "--no-pdf",
                     "--root", str(case_file.parents[2])])
    err = capsys.readouterr().err
    assert code == 1
    assert f"error: cannot serve on 127.0.0.1:{port}: the port is already in use" in err
    assert "Traceback" not in err


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_ctrl_c_stops_cleanly(case_file: Path) -> None:
    root = case_file.parents[2]
    process = subprocess.Popen(
        [sys.executable, "-c", "import sys; from casepress.cli import main; sys.exit(main())",
         "watch", "cases/knee", "--port", "0", "--no-pdf"],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        stdout = process.stdout
        assert stdout is not None
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(TIMEOUT)
        match = re.search(r"http://\S+", lines[0] if lines else "")
        assert match, f"no URL printed: {lines}"
        url = match.group()
        wait_for("the first page", lambda: SENTENCE in fetch(url))
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    folder = re.search(r"Preview folder: (\S+)", err)
    assert folder and not Path(folder.group(1)).exists()


# -- small pure parts ----------------------------------------------------------------------


def test_inject_goes_before_the_last_body_end() -> None:
    html = "<html><body><p>x</p></BODY></html>"
    out = inject(html, 7)
    assert out.startswith("<html><body><p>x</p><script>") and out.endswith("</script>\n</BODY></html>")
    assert "var PAGE_GENERATION = 7;" in out
    assert inject("<p>fragment</p>", 1).startswith("<p>fragment</p><script>")


def test_state_payload_and_diagnostics_round_trip() -> None:
    error = Diagnostic(Severity.ERROR, "yaml-syntax", "YAML syntax error: bad", Location("cases/x/case.yaml", 3, 5))
    payload = PreviewState(version=4, generation=2, ok=False, diagnostics=(error,)).to_json()
    assert payload["diagnostics"] == ["cases/x/case.yaml:3:5: error[yaml-syntax] YAML syntax error: bad"]
    assert payload["summary"] == "1 error, 0 warnings"
    assert diagnostic_from_json(error.to_json()) == error


def test_preview_folder_replaces_files_and_skips_unchanged_copies(tmp_path: Path) -> None:
    source = tmp_path / "src.png"
    source.write_bytes(b"png")
    folder = PreviewFolder(tmp_path / "site")
    folder.root.mkdir()
    published = folder.publish({"index.html": "one"}, {"figures/c.png": b"stripped"},
                               {"figures/a.png": source, "figures/b.png": source})
    assert published == ["figures/a.png", "figures/b.png", "figures/c.png", "index.html"]
    copied = (folder.root / "figures" / "a.png").stat()
    blob = (folder.root / "figures" / "c.png").stat()
    folder.publish({"index.html": "two"}, {"figures/c.png": b"stripped"}, {"figures/a.png": source})
    assert (folder.root / "index.html").read_text(encoding="utf-8") == "two"
    assert (folder.root / "figures" / "a.png").stat().st_ino == copied.st_ino, "an unchanged copy is not rewritten"
    assert (folder.root / "figures" / "c.png").stat().st_ino == blob.st_ino, "nor an unchanged blob"
    assert not (folder.root / "figures" / "b.png").exists(), "files the build dropped are removed"
    assert not [p for p in folder.root.rglob(".*")], "no temporary file is left"
    with pytest.raises(OSError):
        folder.publish({"../escape.html": "x"}, {}, {})
