"""A bibliography shared by the project, above the case folder: '..' that stays inside the project is fine."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    text = base.replace("bibliography: []", "bibliography: [../../shared/refs.bib]")
    (folder / "case.yaml").write_text(text, encoding="utf-8")
    (folder.parent.parent / "shared").mkdir()
    (folder.parent.parent / "shared" / "refs.bib").write_text(
        "@article{lovelace1843, author={Lovelace, Ada}, title={Notes}, journal={Taylor}, year={1843}}\\n", encoding="utf-8")
    case = (folder / "case.yaml").read_text(encoding="utf-8")
    (folder / "case.yaml").write_text(case.replace("[{text: Fixture.}]", "[{text: 'Fixture [@lovelace1843].'}]"), encoding="utf-8")
