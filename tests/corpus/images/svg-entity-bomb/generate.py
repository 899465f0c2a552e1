"""An SVG 'billion laughs' entity bomb: ten levels of ten references."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    svg = ('<?xml version="1.0"?>\n<!DOCTYPE svg [\n' + "\n".join(entities) + "\n]>\n"
           '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="40"><text>&lol9;</text></svg>\n')
    (folder / "drawing.svg").write_text(svg, encoding="utf-8")
    text = base.replace("Fixture.}]", "See @fig-x.}]") + """figures:
  - id: fig-x
    file: drawing.svg
    caption: A figure.
    alt: A figure.
"""
    (folder / "case.yaml").write_text(text, encoding="utf-8")
