"""HTML, JavaScript and Jinja in every kind of text field and in a .bib title.

The case is valid: it must build, and the output must show the payload as text
(see verify.py), never run it, follow it or evaluate it.
"""

from __future__ import annotations

import json
from pathlib import Path

PAYLOAD = "{{ 7*7 }} <script>alert(1)</script> <img src=x onerror=alert(1)> [link](javascript:alert(1)) {% raw %}"
"""One line holding every kind of injection; used in each field."""


def generate(folder: Path, base: str) -> None:
    q = json.dumps(PAYLOAD)  # a YAML double-quoted string
    text = base
    text = text.replace('title: "Fixture: knee pain after a fall, a case report"', f"title: {json.dumps('A case report: ' + PAYLOAD)}")
    text = text.replace("bibliography: []", "bibliography: [refs.bib]")
    text = text.replace("  - {given: Ada, family: Lovelace}",
                        f"  - {{given: {q}, family: {q}, affiliations: [inj]}}\naffiliations:\n  - {{id: inj, name: {q}}}")
    text = text.replace("keywords: [case report, fixture]", f"keywords: [case report, {q}]")
    text = text.replace("timeline: {not_reported: fixture}",
                        f"timeline:\n  events:\n    - {{date: 2020-01-01, kind: history, text: {q}}}")
    text = text.replace("[{text: Fixture.}]", json.dumps([{"text": PAYLOAD + " See @fig-x and @tbl-x [@inj2020]."}]))
    text += f"""figures:
  - id: fig-x
    file: x.png
    caption: {q}
    alt: {q}
tables:
  - id: tbl-x
    caption: {q}
    columns: [{q}, Value]
    rows:
      - [{q}, {q}]
"""
    (folder / "case.yaml").write_text(text, encoding="utf-8")
    from PIL import Image

    Image.new("RGB", (8, 8), "white").save(folder / "x.png")
    (folder / "refs.bib").write_text(
        "@article{inj2020, author = {Lovelace, Ada}, title = {<script>alert(1)</script> {{ 7*7 }}},\n"
        "  journal = {J <b>Knee</b>}, year = {2020}, url = {javascript:alert(1)}}\n",
        encoding="utf-8",
    )
