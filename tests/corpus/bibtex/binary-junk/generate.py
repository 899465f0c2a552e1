"""A .bib file of random bytes (a PDF saved under the wrong name): an encoding error at its byte."""

from __future__ import annotations

import random
from pathlib import Path


def generate(folder: Path, base: str) -> None:
    rng = random.Random(15)
    (folder / "refs.bib").write_bytes(b"@article{a, title = {x}}\n" + bytes(rng.randrange(256) for _ in range(65536)))
    (folder / "case.yaml").write_text(base.replace("bibliography: []", "bibliography: [refs.bib]"), encoding="utf-8")
