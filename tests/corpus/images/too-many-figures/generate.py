"""10,000 figures (each a real, tiny PNG): over the limit of figures and panels in one case."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

COUNT = 10_000


def generate(folder: Path, base: str) -> None:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 100, 50)).save(out, "PNG")
    (folder / "figures").mkdir()
    refs = " ".join(f"@fig-n{i}" for i in range(COUNT))
    lines = [base.replace("Fixture.}]", f"See {refs}.}}]"), "figures:"]
    for i in range(COUNT):
        (folder / "figures" / f"n{i}.png").write_bytes(out.getvalue())
        lines.append(f"  - {{id: fig-n{i}, file: figures/n{i}.png, caption: A figure., alt: A figure.}}")
    (folder / "case.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
