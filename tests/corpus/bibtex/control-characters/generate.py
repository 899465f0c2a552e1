"""Valid UTF-8 full of NUL, BEL and escape characters and stray @ signs: read without a traceback."""

from __future__ import annotations

import random
from pathlib import Path


def generate(folder: Path, base: str) -> None:
    rng = random.Random(15)
    junk = "".join(rng.choice("\x00\x07\x1b@{}=,#\"% \nab") for _ in range(4096))
    (folder / "refs.bib").write_text(junk, encoding="utf-8")
    (folder / "case.yaml").write_text(base.replace("bibliography: []", "bibliography: [refs.bib]"), encoding="utf-8")
