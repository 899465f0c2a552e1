"""Template errors in every environment (article, checklist, collection, scaffold) are located
errors, never tracebacks; the sandbox holds, also for compiled templates read back from the cache;
check's cached verdict notices an edited template.

The case-level scenarios (sandbox escapes, refused includes, recursion, stylesheets, csl, journal
cycles) are in the corpus, tests/corpus/templates/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
import pytest
from jinja2.sandbox import SecurityError

from casepress.cli import main
from casepress.core.diagnostics import Diagnostics
from casepress.journals.template_errors import report_template_error
from casepress.journals.template_files import Chain
from casepress.journals.templating import make_environment

from .conftest import REPO

BASE = (REPO / "tests" / "corpus" / "base.yaml").read_text(encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with one valid case, run from its root."""
    case = tmp_path / "cases" / "one"
    case.mkdir(parents=True)
    (case / "case.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "templates" / "base").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_checklist_template_error_is_located(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(project / "templates" / "base" / "care-checklist.html.j2",
           '<!DOCTYPE html>\n<html lang="en"><body>\n<p>{{ case.title }} {{ no_such_thing }}</p>\n</body></html>\n')
    assert main(["build", "--no-pdf"]) == 1
    err = capsys.readouterr().err
    assert "templates/base/care-checklist.html.j2:3:24: error[template] 'no_such_thing' is undefined\n" in err
    assert "Traceback" not in err
    assert not (project / "output" / "one").exists(), "nothing is written for the case"


def test_a_collection_template_error_is_located(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(project / "templates" / "base" / "collection.html.j2",
           "<!DOCTYPE html>\n<html lang=\"en\"><body>\n"
           "{% for e in entries %}<p>{{ e.no_such_field }}</p>{% endfor %}\n</body></html>\n")
    assert main(["build", "--no-pdf"]) == 1
    err = capsys.readouterr().err
    located = ("templates/base/collection.html.j2:3:31: error[template] "
               "'casepress.build.manifest.CaseEntry object' has no attribute 'no_such_field'\n")
    assert located in err
    assert "Traceback" not in err
    assert not (project / "output" / "index.html").exists()

    assert main(["index"]) == 1, "casepress index reports it too"
    err = capsys.readouterr().err
    assert located in err and "Traceback" not in err
    assert not (project / "output" / "index.html").exists()


def test_a_collection_syntax_error_has_a_column(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.rmtree(project / "cases")
    _write(project / "templates" / "base" / "collection.html.j2", "<h1>{{ collection_title }</h1>\n")
    assert main(["index"]) == 1
    err = capsys.readouterr().err
    assert "templates/base/collection.html.j2:1:25: error[template] syntax error: unexpected '}'\n" in err
    assert "Traceback" not in err


def test_a_scaffold_template_error_is_located(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(project / "templates" / "scaffold" / "case.yaml.j2", "title: {{ title }}\nauthor: {{ doc('no_such_field') }}\n")
    assert main(["new", "fresh"]) == 1
    err = capsys.readouterr().err
    assert "templates/scaffold/case.yaml.j2:2:9: error[template] the template raised KeyError: " in err
    assert "Traceback" not in err
    assert not (project / "cases" / "fresh").exists()
    assert not [p for p in (project / "cases").iterdir() if p.name.startswith(".")], "no staging folder is left"


def test_the_sandbox_holds_for_compiled_templates_read_back_from_the_cache(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    _write(folder / "t.html.j2", "{% set n = '__' ~ 'class' ~ '__' %}\n{{ ''|attr(n) }}\n")
    for _ in range(2):  # the second environment loads the compiled template from the bytecode cache
        env = make_environment(Chain.of((folder,)))
        with pytest.raises(SecurityError):
            env.get_template("t.html.j2").render()
        diagnostics = Diagnostics()
        try:
            env.get_template("t.html.j2").render()
        except SecurityError as exc:
            report_template_error(exc, diagnostics)
        [error] = diagnostics.errors
        assert error.location is not None and (error.location.line, error.location.column) == (2, 1)  # the tag: the name is computed


def test_the_sandbox_refuses_mutation_and_huge_values(tmp_path: Path) -> None:
    env = make_environment(Chain.of((tmp_path,)))
    with pytest.raises(SecurityError):
        env.from_string("{% set xs = [] %}{{ xs.append(1) }}").render()
    with pytest.raises(SecurityError):
        env.from_string("{{ 'x' * 100000000 }}").render()
    with pytest.raises(SecurityError):
        env.from_string("{{ '%999999999s' % 'x' }}").render()
    assert env.from_string("{{ 2 ** 10 }} {{ 'ab' * 2 }} {{ '%5s' % 'x' }}").render() == "1024 abab     x"


def test_the_loader_refuses_absolute_and_escaping_names(tmp_path: Path) -> None:
    from casepress.journals.templating import TemplateRefused

    (tmp_path / "t.html.j2").write_text("ok", encoding="utf-8")
    env = make_environment(Chain.of((tmp_path,)))
    for name in ("/etc/passwd", "../t.html.j2", "file:///etc/passwd"):
        with pytest.raises(TemplateRefused):
            env.get_template(name)
    with pytest.raises(jinja2.TemplateNotFound):
        env.get_template("absent.html.j2")
    assert env.get_template("sub/../t.html.j2").render() == "ok"


def test_check_notices_an_edited_template(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = project / "cases" / "one" / "templates" / "body.html.j2"
    _write(body, "<section>\n<p>{{ case.title | md_inline }}</p>\n</section>\n")
    assert main(["check"]) == 0, capsys.readouterr().err
    assert main(["check"]) == 0  # from the cached verdict
    text = body.read_text(encoding="utf-8")
    body.write_text(text.replace("}}</p>", "}</p>"), encoding="utf-8")  # same length matters not: content is hashed
    capsys.readouterr()
    assert main(["check"]) == 1
    assert "cases/one/templates/body.html.j2:2:" in capsys.readouterr().err
