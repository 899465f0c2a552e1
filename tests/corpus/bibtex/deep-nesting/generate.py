"""A title nested 20,000 braces deep (and math nested as deep): no recursion error, no hang."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    depth = 20_000
    title = "{" * depth + "Deep" + "}" * depth
    math = "$" + "{" * depth + "x" + "}" * depth + "$"
    (folder / "refs.bib").write_text(
        f"@article{{deep, author = {{Doe, Jane}}, title = {{{title}}}, journal = {{J}}, year = 2020}}\n"
        f"@article{{math, author = {{Doe, Jane}}, title = {{{math}}}, journal = {{J}}, year = 2021}}\n",
        encoding="utf-8")
    text = base.replace("bibliography: []", "bibliography: [refs.bib]")
    text = text.replace("paragraphs: [{text: Fixture.}]", "paragraphs: [{text: 'Fixture [@deep; @math].'}]")
    (folder / "case.yaml").write_text(text, encoding="utf-8")
