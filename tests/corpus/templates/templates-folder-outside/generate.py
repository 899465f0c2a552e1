"""The case's templates/ folder is a symlink to a folder outside the case (and the project)."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    (folder / "case.yaml").write_text(base, encoding="utf-8")
    elsewhere = folder.parents[2] / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "article.html.j2").write_text('{% extends "base/article.html.j2" %}\n'
                                               "{% block body %}<p>LEAKED</p>{% endblock %}\n", encoding="utf-8")
    (folder / "templates").symlink_to(elsewhere, target_is_directory=True)
