"""Billion laughs: ten levels of ten aliases (10^10 values once expanded; small as text)."""

from __future__ import annotations

from pathlib import Path


def generate(folder: Path, base: str) -> None:
    lines = ["x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 11):
        lines.append(f"x{level}: &x{level} [" + ", ".join([f"*x{level - 1}"] * 10) + "]")
    bomb = "laughs:\n" + "".join(f"  {line}\n" for line in lines)
    (folder / "case.yaml").write_text(base + bomb, encoding="utf-8")
