"""Shared fixtures: the repository root, and running the CLI in-process from there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REGENERATE = os.environ.get("CASEPRESS_REGEN") == "1"
"""Set CASEPRESS_REGEN=1 to rewrite golden files; review every rewritten file before committing."""


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the repository root, so diagnostics show repo-relative paths."""
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return REPO
