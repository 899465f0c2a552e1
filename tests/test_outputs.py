"""The outputs registry through the real CLI: ``casepress build`` writes JATS, DOCX and the
submission zip beside the HTML, PDF and checklist for both sample cases; ``--outputs`` chooses;
the manifest and incremental rebuilds know every output; a failing writer leaves the previous
folder untouched.

One full build of both cases is shared by the whole module (``built``); the other tests work
on copies of it or build the small second case with a few cheap outputs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from casepress.cli import main
from casepress.outputs import registry

from .conftest import REPO
from .judges import jats_errors, pandoc_text

REFERENCE, SECOND, THIRD = "dcis-bone-marrow", "ankle-fracture", "meningococcal-purpura-fulminans"
"""The two sample cases under cases/ and a small synthetic one (fast, for the partial builds)."""
SOURCES = {REFERENCE: "cases/dcis-bone-marrow", SECOND: "tests/samples/ankle-fracture",
           THIRD: "cases/meningococcal-purpura-fulminans"}
DRAWN = {REFERENCE: "fig-timeline", SECOND: "fig-course", THIRD: "fig-timeline"}
"""Each case's generated figure (``generate: timeline``)."""


def build(out: Path, *args: str, cases: tuple[str, ...] = (SECOND,)) -> int:
    return main(["build", *(SOURCES[c] for c in cases), "--root", str(REPO), "-o", str(out), "-j", "1", *args])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def entry(out: Path, slug: str) -> dict[str, object]:
    data = json.loads((out / ".casepress-manifest.json").read_text(encoding="utf-8"))
    return dict(data["cases"][slug])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample cases built with every output, once."""
    out = tmp_path_factory.mktemp("outputs") / "output"
    assert build(out, cases=(REFERENCE, SECOND, THIRD)) == 0
    return out


# --------------------------------------------------------------------------- the registry


def test_registry_order_and_files() -> None:
    assert registry.NAMES == ("html", "pdf", "checklist", "jats", "docx", "zip", "collection")
    assert [o.name for o in registry.select(["zip"])] == ["html", "pdf", "checklist", "jats", "docx", "zip"]
    assert [o.name for o in registry.select(None, pdf=False)] == ["html", "checklist", "collection"]
    assert registry.case_files("x", registry.select(["checklist"])) == {"html": "index.html",
                                                                       "checklist": "care-checklist.html"}
    assert registry.case_files("x", registry.select(["zip"])) == {
        "html": "index.html", "pdf": "x.pdf", "checklist": "care-checklist.html",
        "checklist_pdf": "care-checklist.pdf", "jats": "x.xml", "docx": "x.docx", "zip": "x-submission.zip"}


# --------------------------------------------------------------------------- what a full build writes


@pytest.mark.parametrize("slug", [REFERENCE, SECOND, THIRD])
def test_full_build_writes_every_output_and_lists_it(built: Path, slug: str) -> None:
    folder = built / slug
    files = {**registry.case_files(slug, registry.select(None)), f"figure:{DRAWN[slug]}": f"figures/{DRAWN[slug]}.svg"}
    assert all((folder / name).is_file() for name in files.values())
    assert entry(built, slug)["files"] == {kind: f"{slug}/{name}" for kind, name in files.items()}
    index = (built / "index.html").read_text(encoding="utf-8")
    assert f'href="{slug}/{slug}.xml"' in index and f'href="{slug}/{slug}-submission.zip"' in index


@pytest.mark.parametrize("slug", [REFERENCE, SECOND, THIRD])
def test_jats_is_dtd_valid_with_the_journal_metadata(built: Path, slug: str) -> None:
    data = (built / slug / f"{slug}.xml").read_bytes()
    assert jats_errors(data) == []
    root = etree.fromstring(data)
    assert root.get("article-type") == "case-report"
    if slug == REFERENCE:
        assert len(root.findall("back/ref-list/ref")) == 48
    # graphics point at the figures beside the file
    hrefs = [g.get("{http://www.w3.org/1999/xlink}href") for g in root.iter("graphic")]
    assert hrefs and all((built / slug / h).is_file() for h in hrefs)
    drawn = [g.get("{http://www.w3.org/1999/xlink}href") for g in root.findall(f".//fig[@id='{DRAWN[slug]}']/graphic")]
    assert drawn == [f"figures/{DRAWN[slug]}.svg"]
    assert (built / slug / drawn[0]).read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<svg ')


def test_jats_takes_issn_and_publisher_from_journal_yaml(tmp_path: Path) -> None:
    out = tmp_path / "output"
    assert build(out, "--outputs", "jats", "--journal", "bmj-case-reports") == 0
    meta = etree.fromstring((out / SECOND / f"{SECOND}.xml").read_bytes()).find("front/journal-meta")
    assert meta is not None
    assert meta.findtext("issn") == "1757-790X"
    assert meta.findtext("publisher/publisher-name") == "BMJ Publishing Group"


@pytest.mark.parametrize("slug", [REFERENCE, SECOND, THIRD])
def test_docx_reads_back(built: Path, slug: str, tmp_path: Path) -> None:
    data = (built / slug / f"{slug}.docx").read_bytes()
    document = docx.Document(io.BytesIO(data))
    assert document.core_properties.title
    assert any(p.style.name == "Heading 1" for p in document.paragraphs)
    references = [p for p in document.paragraphs if p.style.name == "Reference"]
    assert references
    if slug == REFERENCE:
        assert len(references) == 48 and len(document.tables) == 3 and len(document.inline_shapes) == 5
    text = " ".join(pandoc_text(data, "docx", tmp_path).split())
    assert " ".join(references[-1].text.split("\t", 1)[-1].split()) in text


@pytest.mark.parametrize("slug", [REFERENCE, SECOND, THIRD])
def test_zip_is_made_from_the_same_bytes(built: Path, slug: str) -> None:
    folder = built / slug
    archive = zipfile.ZipFile(folder / f"{slug}-submission.zip")
    listed = json.loads(archive.read("manifest.json"))["files"]
    assert [e["file"] for e in listed] == sorted(n for n in archive.namelist() if n != "manifest.json")
    for item in listed:
        body = archive.read(item["file"])
        assert item["size"] == len(body) and item["sha256"] == hashlib.sha256(body).hexdigest()
    roles = {e["role"] for e in listed}
    assert {"manuscript-docx", "manuscript-pdf", "jats", "care-checklist", "figure"} <= roles
    # the very bytes of the folder's PDF, checklist and manuscript: nothing rendered twice
    for name in (f"{slug}.pdf", "care-checklist.pdf", f"{slug}.docx"):
        assert archive.read(name) == (folder / name).read_bytes()
    jats = archive.read(f"{slug}.xml")
    assert jats_errors(jats) == []
    names = set(archive.namelist())
    assert all(g.get("{http://www.w3.org/1999/xlink}href") in names for g in etree.fromstring(jats).iter("graphic"))
    if slug == REFERENCE:
        assert {"Figure-1.svg", "Figure-1.png", "Figure-4.png"} <= names
    # the generated figure as the folder holds it, and its PNG
    label = etree.fromstring(jats).findtext(f".//fig[@id='{DRAWN[slug]}']/label")
    assert label == {REFERENCE: "FIGURE 5", SECOND: "Figure 5", THIRD: "Figure 1"}[slug]  # frontiers: FIGURE
    number = label.split()[-1]
    assert archive.read(f"Figure-{number}.svg") == (folder / "figures" / f"{DRAWN[slug]}.svg").read_bytes()
    assert archive.read(f"Figure-{number}.png").startswith(b"\x89PNG")
    assert {(e["file"], e["role"]) for e in listed} >= {(f"Figure-{number}.svg", "figure"),
                                                         (f"Figure-{number}.png", "figure-png")}


# --------------------------------------------------------------------------- incremental


def test_noop_rebuild_stays_a_noop(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(built)
    capsys.readouterr()
    assert build(built, cases=(REFERENCE, SECOND)) == 0
    assert capsys.readouterr().err.endswith(f"0 built, 0 failed, 2 unchanged -> {built}/\n")
    assert snapshot(built) == before
    # fewer outputs than the folder holds: nothing to do either
    assert build(built, "--outputs", "jats,html", cases=(REFERENCE, SECOND)) == 0
    assert build(built, "--no-pdf", cases=(REFERENCE, SECOND)) == 0
    assert "0 built, 0 failed, 2 unchanged" in capsys.readouterr().err
    assert snapshot(built) == before


def test_generated_figure_missing_is_rebuilt_and_kept_with_the_article(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "output"
    figure = out / SECOND / "figures" / "fig-course.svg"
    assert build(out, "--outputs", "html") == 0
    drawn = figure.read_bytes()
    assert entry(out, SECOND)["files"] == {"html": f"{SECOND}/index.html",
                                           "figure:fig-course": f"{SECOND}/figures/fig-course.svg"}
    figure.unlink()
    capsys.readouterr()
    assert build(out, "--outputs", "html") == 0  # the manifest lists it: the folder is not fresh without it
    assert "1 built, 0 failed, 0 unchanged" in capsys.readouterr().err
    assert figure.read_bytes() == drawn
    assert build(out, "--outputs", "jats") == 0  # the article kept, with its generated figure
    assert figure.read_bytes() == drawn
    assert entry(out, SECOND)["files"] == {"html": f"{SECOND}/index.html", "jats": f"{SECOND}/{SECOND}.xml",
                                           "figure:fig-course": f"{SECOND}/figures/fig-course.svg"}
    capsys.readouterr()
    assert build(out, "--outputs", "html,jats") == 0
    assert "0 built, 0 failed, 1 unchanged" in capsys.readouterr().err


def test_a_case_image_under_the_generated_name_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           in_repo: Path) -> None:
    case = tmp_path / "ankle"
    shutil.copytree(REPO / SOURCES[SECOND], case)
    (case / "figures" / "ct.svg").rename(case / "figures" / "Fig-Course.svg")
    text = (case / "case.yaml").read_text(encoding="utf-8")
    (case / "case.yaml").write_text(text.replace("file: figures/ct.svg", "file: figures/Fig-Course.svg"), encoding="utf-8")
    capsys.readouterr()
    assert main(["build", str(case), "--root", str(REPO), "-o", str(tmp_path / "output"), "-j", "1",
                 "--outputs", "html"]) == 1
    err = capsys.readouterr().err
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.strip() == "generate: timeline")
    assert (f"{case}/case.yaml:{line}:15: error[generated-name-taken] figures[4].generate: figure 'fig-course' is "
            "drawn into figures/fig-course.svg, which is also an image of figure 'fig-ct'\n"
            "    hint: rename that image file, or give the generated figure another id\n") in err
    assert not (tmp_path / "output" / "ankle").exists()


def test_outputs_subset_then_the_missing_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "output"
    assert build(out, "--outputs", "jats") == 0
    assert sorted(snapshot(out)) == [".casepress-manifest.json", f"{SECOND}/{SECOND}.xml"]  # no index page
    assert entry(out, SECOND)["files"] == {"jats": f"{SECOND}/{SECOND}.xml"}
    xml = (out / SECOND / f"{SECOND}.xml").read_bytes()
    capsys.readouterr()
    assert build(out, "--outputs", "html") == 0  # html is missing: built, the XML kept
    assert "1 built, 0 failed, 0 unchanged" in capsys.readouterr().err
    assert (out / SECOND / "index.html").is_file() and (out / SECOND / f"{SECOND}.xml").read_bytes() == xml
    assert entry(out, SECOND)["files"] == {"html": f"{SECOND}/index.html", "jats": f"{SECOND}/{SECOND}.xml",
                                           "figure:fig-course": f"{SECOND}/figures/fig-course.svg"}
    assert any(name.startswith(f"{SECOND}/assets/") for name in snapshot(out))
    assert build(out, "--outputs", "html,jats") == 0
    assert "0 built, 0 failed, 1 unchanged" in capsys.readouterr().err
    # an input changed: what is not rebuilt is not kept (it would be stale)
    case = tmp_path / "case"
    shutil.copytree(REPO / SOURCES[SECOND], case)
    text = (case / "case.yaml").read_text(encoding="utf-8")
    (case / "case.yaml").write_text(text + "\n# edited\n", encoding="utf-8")
    assert main(["build", str(case), "--root", str(REPO), "-o", str(out), "-j", "1", "--outputs", "jats"]) == 0
    assert set(entry(out, "case")["files"]) == {"jats"}


def test_dependencies_are_pulled_in_and_said(built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "output"
    shutil.copytree(built, out)
    capsys.readouterr()
    assert build(out, "--outputs", "zip") == 0  # fresh: nothing built, but the note says what zip needs
    err = capsys.readouterr().err
    assert err.startswith("note: also writing html, pdf, checklist, jats, docx (needed by zip)\n")
    assert "0 built, 0 failed, 1 unchanged" in err


@pytest.mark.parametrize(("args", "message"), [
    (["--outputs", "html,jsts"],
     "unknown output 'jsts' (outputs: html, pdf, checklist, jats, docx, zip, collection); did you mean 'jats'?"),
    (["--outputs", ","], "name at least one output (outputs: html, pdf, checklist, jats, docx, zip, collection)"),
    (["--outputs", "jats,zip", "--no-pdf"], "--no-pdf turns off the PDF, which zip needs"),
])
def test_bad_outputs_are_usage_errors(args: list[str], message: str, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert build(tmp_path / "output", *args) == 2
    assert f"Error: Invalid value for '--outputs': {message}\n" in capsys.readouterr().err
    assert not (tmp_path / "output").exists()


# --------------------------------------------------------------------------- a writer failing


def test_failing_writer_leaves_the_previous_folder_untouched(built: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "output"
    shutil.copytree(built, out)
    before = snapshot(out)

    def failing(work: object, diagnostics: object) -> bool:
        raise RuntimeError("the Word writer broke")

    broken = tuple(dataclasses.replace(o, write=failing) if o.name == "docx" else o for o in registry.OUTPUTS)
    monkeypatch.setattr(registry, "OUTPUTS", broken)
    capsys.readouterr()
    assert build(out, "--force", "--outputs", "html,docx") == 1
    err = capsys.readouterr().err
    assert "error[internal]" in err and "RuntimeError: the Word writer broke" in err
    assert snapshot(out) == before  # the folder, its manifest entry and the index as they were
