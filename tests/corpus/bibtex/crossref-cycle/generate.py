"""Entries that inherit from each other in a ring (a -> b -> c -> a) and one from itself."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    (folder / "refs.bib").write_text(
        "@incollection{a, author = {Doe, Jane}, title = {A}, crossref = {b}, year = 2020}\n"
        "@collection{b, editor = {Roe, Rick}, title = {B}, crossref = {c}, publisher = {P}}\n"
        "@collection{c, editor = {Poe, Pat}, title = {C}, crossref = {a}, location = {L}}\n"
        "@book{self, author = {Self, Sam}, title = {Me}, crossref = {self}, year = 2019}\n",
        encoding="utf-8")
    text = base.replace("bibliography: []", "bibliography: [refs.bib]")
    text = text.replace("paragraphs: [{text: Fixture.}]", "paragraphs: [{text: 'Fixture [@a; @b; @c; @self].'}]")
    (folder / "case.yaml").write_text(text, encoding="utf-8")
