"""An alias inside the value its anchor names: a list that contains itself."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    (folder / "case.yaml").write_text(base.replace("keywords: [case report, fixture]",
                                                   "keywords: &k [case report, *k]"), encoding="utf-8")
