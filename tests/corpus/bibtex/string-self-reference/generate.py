"""An @string that names itself, and two that name each other."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    (folder / "refs.bib").write_text(
        '@string{loop = loop # "x"}\n'
        '@string{ping = pong # "a"}\n'
        '@string{pong = ping # "b"}\n'
        "@article{uses, author = {Doe, Jane}, title = loop # ping, journal = pong, year = 2020}\n",
        encoding="utf-8")
    text = base.replace("bibliography: []", "bibliography: [refs.bib]")
    text = text.replace("paragraphs: [{text: Fixture.}]", "paragraphs: [{text: 'Fixture [@uses].'}]")
    (folder / "case.yaml").write_text(text, encoding="utf-8")
