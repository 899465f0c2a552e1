"""A BibTeX @string expansion bomb: each string twice the one before, 30 levels (2**30
characters at the end). Must stop at limits.MAX_MACRO_LENGTH with a located error."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    lines = ['@string{s0 = "ab"}']
    lines += [f"@string{{s{n} = s{n - 1} # s{n - 1}}}" for n in range(1, 31)]
    lines.append("@article{bomb, author = {Doe, Jane}, title = s30, journal = {J}, year = 2020}")
    (folder / "refs.bib").write_text("\n".join(lines) + "\n", encoding="utf-8")
    text = base.replace("bibliography: []", "bibliography: [refs.bib]")
    text = text.replace("paragraphs: [{text: Fixture.}]", "paragraphs: [{text: 'Fixture [@bomb].'}]")
    (folder / "case.yaml").write_text(text, encoding="utf-8")
