"""code_digest, the one hash of the code that makes a cached record (casepress.core.cache): it
changes with the bytes of the modules it is named, with a package's files and with a library's
installed version, is equal for equal inputs, and imports nothing it hashes."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from casepress.core import cache
from casepress.core.cache import code_digest

from .conftest import REPO

LIBRARIES = ("PIL", "lxml", "citeproc", "jinja2", "tinycss2", "pydantic", "pydantic_core", "bibtexparser", "pylatexenc")
"""Every library a cache key names today."""


def _forget() -> None:
    """Drop what the process remembered: the digests and the folder listings."""
    code_digest.cache_clear()
    cache._library_version.cache_clear()
    cache._installed.cache_clear()
    importlib.invalidate_caches()


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A stand-in for casepress's folder: a module ``alone`` and a package ``group`` (with a sub-package)."""
    root = tmp_path / "casepress"
    (root / "group" / "inner").mkdir(parents=True)
    (root / "__init__.py").write_text("", encoding="utf-8")
    (root / "alone.py").write_text("X = 1\n", encoding="utf-8")
    (root / "group" / "__init__.py").write_text("", encoding="utf-8")
    (root / "group" / "one.py").write_text("Y = 1\n", encoding="utf-8")
    (root / "group" / "inner" / "__init__.py").write_text("", encoding="utf-8")
    monkeypatch.setattr(cache, "_PACKAGE", str(root))
    _forget()
    yield root
    _forget()


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A library ``fakelib`` 1.0 installed in a folder of its own on sys.path (its metadata folder beside it)."""
    site = tmp_path / "site"
    (site / "fakelib").mkdir(parents=True)
    (site / "fakelib" / "__init__.py").write_text("", encoding="utf-8")
    (site / "fakelib-1.0.dist-info").mkdir()
    monkeypatch.syspath_prepend(str(site))
    _forget()
    yield site
    _forget()


def test_equal_inputs_give_equal_digests(package: Path) -> None:
    first = code_digest("casepress.alone", "casepress.group", libraries=("fakelib", "pydantic"))
    _forget()
    assert code_digest("casepress.group", "casepress.alone", libraries=("pydantic", "fakelib", "pydantic")) == first
    assert code_digest("casepress.alone") != first


def test_it_changes_with_a_modules_bytes(package: Path) -> None:
    before = code_digest("casepress.alone")
    (package / "alone.py").write_text("X = 2\n", encoding="utf-8")
    _forget()
    assert code_digest("casepress.alone") != before


def test_a_package_stands_for_every_file_under_it(package: Path) -> None:
    before = code_digest("casepress.group")
    (package / "group" / "inner" / "two.py").write_text("Z = 1\n", encoding="utf-8")
    _forget()
    added = code_digest("casepress.group")
    assert added != before
    (package / "group" / "inner" / "two.py").rename(package / "group" / "inner" / "three.py")
    _forget()
    assert code_digest("casepress.group") not in (before, added)  # a file's path counts, not only its bytes


def test_it_changes_with_a_librarys_version(package: Path, library: Path) -> None:
    before = code_digest("casepress.alone", libraries=("fakelib",))
    assert "fakelib-1.0.dist-info" in cache._library_version("fakelib")
    (library / "fakelib-1.0.dist-info").rename(library / "fakelib-1.1.dist-info")  # what an upgrade leaves
    _forget()
    assert code_digest("casepress.alone", libraries=("fakelib",)) != before


def test_it_changes_with_python_and_casepress_versions(package: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = code_digest("casepress.alone")
    monkeypatch.setattr(cache, "__version__", "0.0.0-test")
    _forget()
    casepress_changed = code_digest("casepress.alone")
    monkeypatch.setattr(sys, "version", "3.0.0 (test)")
    _forget()
    assert len({before, casepress_changed, code_digest("casepress.alone")}) == 3


def test_a_single_module_and_a_namespace_package_are_found_by_their_metadata(library: Path) -> None:
    (library / "onefile.py").write_text("", encoding="utf-8")
    (library / "onefile-2.0.dist-info").mkdir()
    (library / "spread" / "part").mkdir(parents=True)  # no __init__.py: a namespace package
    (library / "Spread-3.0.dist-info").mkdir()  # (older wheels keep the name's case)
    _forget()
    assert cache._library_version("onefile") == "onefile: onefile-2.0.dist-info"
    assert cache._library_version("spread") == "spread: Spread-3.0.dist-info"


def test_a_library_without_metadata_is_known_by_its_first_file(library: Path) -> None:
    """A source tree on the path (no metadata anywhere): the bytes of its __init__.py, where a version is kept."""
    (library / "bare").mkdir()
    (library / "bare" / "__init__.py").write_text("__version__ = '1'\n", encoding="utf-8")
    _forget()
    before = cache._library_version("bare")
    (library / "bare" / "__init__.py").write_text("__version__ = '2'\n", encoding="utf-8")
    _forget()
    assert cache._library_version("bare") != before


def test_a_submodule_is_refused_as_a_library() -> None:
    with pytest.raises(ValueError, match="top-level"):
        cache._library_version("jinja2.sandbox")  # finding it would import jinja2


def test_a_library_not_installed_is_part_of_the_key() -> None:
    assert cache._library_version("casepress_no_such_library") == "casepress_no_such_library: absent"


@pytest.mark.parametrize("name", LIBRARIES)
def test_every_library_a_key_names_is_found_by_its_metadata_folder(name: str) -> None:
    """The fast way, with the name of the distribution right (Pillow is imported as PIL, citeproc-py as citeproc);
    a name it misses would fall back to importlib.metadata, slow."""
    assert cache._library_version(name).endswith((".dist-info", ".egg-info"))


def test_a_name_outside_casepress_is_refused(package: Path) -> None:
    with pytest.raises(ValueError, match="not a casepress module"):
        code_digest("json")
    with pytest.raises(ValueError, match="no such casepress module"):
        code_digest("casepress.missing")


def test_it_imports_nothing_it_hashes() -> None:
    """A fresh process, so that the test's own imports do not count."""
    code = (
        "import sys\n"
        "from casepress.core.cache import code_digest\n"
        f"code_digest('casepress.cite', 'casepress.check.images', 'casepress.journals.templating', libraries={LIBRARIES!r})\n"
        "heavy = ('casepress.cite', 'casepress.check', 'casepress.journals', 'importlib.metadata', "
        "*[n.split('.')[0] for n in " + repr(LIBRARIES) + "])\n"
        "print(sorted(m for m in sys.modules if m in heavy or m.startswith(tuple(h + '.' for h in heavy))))\n"
    )
    source = str(Path(cache.__file__).resolve().parents[2])  # this casepress, wherever it runs from
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": source})
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
