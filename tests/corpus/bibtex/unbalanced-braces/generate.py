"""A field whose brace never closes, followed by good entries: a located error, the rest read."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    (folder / "refs.bib").write_text(
        "@article{open, author = {Doe, Jane}, title = {Never {closed}, journal = {J}, year = 2020}\n\n"
        "@article{good, author = {Roe, Rick}, title = {Fine}, journal = {J}, year = 2021}\n",
        encoding="utf-8")
    text = base.replace("bibliography: []", "bibliography: [refs.bib]")
    text = text.replace("paragraphs: [{text: Fixture.}]", "paragraphs: [{text: 'Fixture [@good].'}]")
    (folder / "case.yaml").write_text(text, encoding="utf-8")
