"""Lists nested 900 deep (under libyaml's own limit of 1000; turning them into values recursively overflows the stack)."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    deep = "[" * 900 + "]" * 900
    (folder / "case.yaml").write_text(base.replace("keywords: [case report, fixture]", f"keywords: {deep}"),
                                      encoding="utf-8")
