"""No page of a sample PDF but the last is less than half full (issue 14 item 6).

Measured from the PDF itself: ``pdftotext -bbox`` gives every word's box; the running heads and
page numbers (in the page margins) are left out, and the lowest word of the text area must lie
below the middle of the page. A figure's caption follows its image, so a page whose figure
left the rest of it empty shows as a high lowest word.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from .conftest import SAMPLE_CASES

MARGIN = 56.0
"""Points at the top and the bottom of a page taken as the margins (running heads, page numbers)."""


def page_fill(pdf: Path) -> list[float]:
    """For each page, how far down (0-1 of the page's height) its lowest word of text reaches."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    fills = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', xml, re.S):
        height = float(page.group(2))
        bottoms = [float(y1) for y0, y1 in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', page.group(3))
                   if float(y0) > MARGIN and float(y1) < height - MARGIN]
        fills.append(max(bottoms, default=0.0) / height)
    return fills


@pytest.mark.parametrize("case", [Path(c).name for c in SAMPLE_CASES])
def test_every_page_but_the_last_is_at_least_half_full(case: str, built_samples: dict[str, Path]) -> None:
    fills = page_fill(built_samples[case] / f"{case}.pdf")
    assert len(fills) > 1
    short = {n: round(f, 2) for n, f in enumerate(fills[:-1], start=1) if f < 0.5}
    assert not short, f"{case}: pages less than half full (page: lowest text): {short}"


def test_the_measure_sees_a_page_left_mostly_empty(tmp_path: Path) -> None:
    import weasyprint

    pdf = tmp_path / "gap.pdf"
    weasyprint.HTML(string="<p>One line, then a page break.</p><p style='break-before: page'>Next page.</p>"
                           "<p style='margin-top: 200mm'>Low on the page.</p>").write_pdf(pdf)
    fills = page_fill(pdf)
    assert len(fills) == 2 and fills[0] < 0.2 and fills[1] > 0.7
