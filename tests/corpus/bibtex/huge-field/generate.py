"""One entry whose title is 1 MB of LaTeX (words, braces, accents, math): read in linear time."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    words = "Bone {DNA} marrow $\\alpha$-necrosis {\\\"u}ber \\emph{in situ} -- "
    title = words * (1_000_000 // len(words))
    (folder / "refs.bib").write_text(
        f"@article{{big, author = {{Doe, Jane}}, title = {{{title}}}, journal = {{J}}, year = 2020}}\n",
        encoding="utf-8")
    text = base.replace("bibliography: []", "bibliography: [refs.bib]")
    text = text.replace("paragraphs: [{text: Fixture.}]", "paragraphs: [{text: 'Fixture [@big].'}]")
    (folder / "case.yaml").write_text(text, encoding="utf-8")
