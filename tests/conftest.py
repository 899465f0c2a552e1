"""Shared fixtures: the repository root, and running the CLI in-process from there."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REGENERATE = os.environ.get("CASEPRESS_REGEN") == "1"
"""Set CASEPRESS_REGEN=1 to rewrite golden files; review every rewritten file before committing."""

if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    # A shell without job control starts a background job (`pytest &`) with Ctrl-C ignored, and
    # every process the tests start would inherit that: the tests of Ctrl-C would fail. Ctrl-C
    # means what it means at a terminal (children get the default on exec, and Python its handler).
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests never write to the user's cache (~/.cache/casepress): one private cache per run."""
    previous = os.environ.get("CASEPRESS_CACHE_DIR")
    os.environ["CASEPRESS_CACHE_DIR"] = str(tmp_path_factory.mktemp("casepress-cache"))
    yield
    if previous is None:
        os.environ.pop("CASEPRESS_CACHE_DIR", None)
    else:
        os.environ["CASEPRESS_CACHE_DIR"] = previous


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the repository root, so diagnostics show repo-relative paths."""
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return REPO


SAMPLE_CASES = ("cases/dcis-bone-marrow", "cases/meningococcal-purpura-fulminans", "tests/samples/ankle-fracture")
"""The sample cases whose built PDFs several tests read (the page fill, the timeline figure, the
Nu checker): the two under cases/ and a small synthetic one."""


@pytest.fixture(scope="session")
def built_samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample cases built once with their PDFs: case folder name -> its output folder."""
    from casepress.cli import main

    out = tmp_path_factory.mktemp("samples")
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        assert main(["build", *SAMPLE_CASES, "--output", str(out), "--force", "--jobs", "1"]) == 0
    finally:
        os.chdir(cwd)
    return {Path(c).name: out / Path(c).name for c in SAMPLE_CASES}
