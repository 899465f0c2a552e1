"""A case template in Latin-1, not UTF-8."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    (folder / "case.yaml").write_text(base, encoding="utf-8")
    (folder / "templates").mkdir()
    (folder / "templates" / "body.html.j2").write_bytes("<section>\n<p>Caf\u00e9</p>\n</section>\n".encode("latin-1"))
