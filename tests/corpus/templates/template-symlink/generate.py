"""A case template that is a symlink to a file outside every template folder (/etc/passwd)."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    (folder / "case.yaml").write_text(base, encoding="utf-8")
    (folder / "templates").mkdir()
    (folder / "templates" / "article.html.j2").symlink_to("/etc/passwd")
