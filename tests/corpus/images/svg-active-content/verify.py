"""The published SVG keeps its drawing and accessible text, and nothing active or external."""

from __future__ import annotations

from pathlib import Path


def verify(output: Path) -> None:
    text = (output / "drawing.svg").read_text(encoding="utf-8")
    for kept in ("<title>Excision site</title>", "<desc>A schematic drawing.</desc>", 'fill="url(#g)"',
                 '<use href="#g"/>', "<linearGradient", ">A</text>"):
        assert kept in text, kept
    lowered = text.lower()
    for gone in ("script", "onload", "onclick", "onmouseover", "javascript:", "foreignobject", "iframe",
                 "tracker.example.org", "other.svg", "data:text/html", "<set", "<animate", "handler",
                 "@import", "<?xml-stylesheet", "<!--", "marbleworth", "cookie"):
        assert gone not in lowered, gone
