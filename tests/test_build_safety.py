"""Builds that must fail safely: escaping, strict templates, refused URLs, atomic output.

Fixture cases live under tests/build/<scenario>/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from casepress.cli import main

from .conftest import REPO

BUILD = REPO / "tests" / "build"
SCRIPT = "<script>alert(1)</script>"


def _build(case: Path | str, out: Path, *extra: str) -> int:
    return main(["build", str(case), "--output", str(out), "--force", *extra])


def test_every_text_field_is_escaped(in_repo: Path, tmp_path: Path) -> None:
    assert _build("tests/build/escape", tmp_path, "--no-pdf") == 0
    for name in ("index.html", "care-checklist.html"):
        html = (tmp_path / "escape" / name).read_text(encoding="utf-8")
        assert "<script" not in html
    html = (tmp_path / "escape" / "index.html").read_text(encoding="utf-8")
    escaped = html.count("&lt;script&gt;alert(1)&lt;/script&gt;")
    # title (head and body), author, affiliation, keyword, introduction, discussion, figure alt
    # and caption, table caption, heading, cell and note: every one shows the text, none runs it.
    assert escaped >= 12, escaped
    assert "&lt;b&gt;bold&lt;/b&gt;" in html, "raw HTML in Markdown prose is shown, not interpreted"
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<script" not in index and "&lt;script&gt;" in index


def test_undefined_template_variable_fails_with_its_location(
    in_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _build("tests/build/strict-undefined", tmp_path, "--no-pdf") == 1
    err = capsys.readouterr().err
    assert "tests/build/strict-undefined/templates/article.html.j2:5:7: error[template]" in err
    assert "'no_such_variable' is undefined" in err
    assert "Traceback" not in err
    assert not (tmp_path / "strict-undefined").exists()


def test_urls_outside_the_build_are_refused_before_layout(
    in_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _build("tests/build/outside-urls", tmp_path) == 1
    err = capsys.readouterr().err
    css = "tests/build/outside-urls/templates/assets/casepress.css"
    assert f"{css}:2:20: error[fetch-refused] refused to fetch 'https://example.org/tracker.png': it is on the network" in err
    assert f"{css}:3:37: error[fetch-refused] refused to fetch 'file:///usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'" in err
    assert f"{css}:4:18: error[fetch-refused] refused to fetch '../../../secret.png': it points outside" in err
    assert "data:image/gif" not in err, "inline data is fine"
    assert not (tmp_path / "outside-urls").exists(), "nothing is written"


def test_symlink_out_of_the_case_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "cases" / "linked"
    shutil.copytree(BUILD / "escape", case)
    secret = tmp_path / "secret.svg"
    secret.write_text((case / "figures" / "x.svg").read_text(encoding="utf-8"), encoding="utf-8")
    (case / "figures" / "x.svg").unlink()
    (case / "figures" / "x.svg").symlink_to(secret)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "cases/linked"]) == 1
    assert "error[unsafe-path] figures[0].file: 'figures/x.svg' points outside the case folder" in capsys.readouterr().err


def test_failed_build_leaves_previous_output_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "cases" / "atomic"
    shutil.copytree(BUILD / "escape", case)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "output"
    assert main(["build", "--no-pdf"]) == 0
    before = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    text = (case / "case.yaml").read_text(encoding="utf-8")
    (case / "case.yaml").write_text(text.replace("Intro", "Intro @fig-nowhere"), encoding="utf-8")
    capsys.readouterr()
    assert main(["build", "--no-pdf"]) == 1
    assert "error[undefined-ref]" in capsys.readouterr().err
    after = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert after == before, "the failed build changed the previous output"
    assert not [p for p in out.iterdir() if p.name.startswith(".atomic")], "temporary folders were left behind"
