"""Tables the PDF sets wider than their column are found from WeasyPrint's boxes and reported
as a located warning (a journal page with text running into the next column is not a page to send)."""

from __future__ import annotations

from pathlib import Path

from casepress.core.diagnostics import Diagnostics, Location
from casepress.outputs.pdf import html_to_pdf

COLUMN = '<div style="width: 200pt"><figure id="{id}" style="margin: 0"><table>{rows}</table></figure></div>'


def _warnings(html: str) -> list[str]:
    diagnostics = Diagnostics()
    located = {"tbl-wide": Location("case.yaml", 30, 9)}
    pdf = html_to_pdf(html, {}, None, Location("case.yaml"), diagnostics,
                      lambda ident: located.get(ident, Location("case.yaml")))
    assert pdf is not None
    return [f"{d.location.file}:{d.location.line}:{d.location.column}: {d.code}: {d.message}"
            for d in diagnostics.warnings]


def test_a_table_wider_than_its_column_is_a_located_warning() -> None:
    cells = "".join(f"<td>Unbreakable{n}columnheadingtext</td>" for n in range(6))
    html = COLUMN.format(id="tbl-wide", rows=f"<tr>{cells}</tr>")
    (warning,) = _warnings(html)
    assert warning.startswith("case.yaml:30:9: layout-overflow: table 'tbl-wide' is ")
    assert warning.endswith(" pt wide in the PDF, in a column of 200 pt: its text runs into the next column")
    assert int(warning.split(" is ")[1].split()[0]) > 600


def test_a_table_that_fits_is_not_reported() -> None:
    html = COLUMN.format(id="tbl-narrow", rows="<tr><td>Dose</td><td>Route</td></tr>")
    assert _warnings(html) == []


def test_documents_share_a_font_configuration_only_while_their_font_files_are_the_same(tmp_path: Path) -> None:
    from casepress.outputs import pdf

    regular, other = tmp_path / "a.ttf", tmp_path / "b.ttf"
    regular.write_bytes(b"font one")
    other.write_bytes(b"font two, longer")
    article = {"assets/fonts/Serif.ttf": regular, "index.css": b"p {}", "figures/f.png": b"png"}
    checklist = {"assets/fonts/Serif.ttf": regular, "checklist.css": b"td {}"}
    first = pdf._font_configuration(article)
    assert pdf._font_configuration(checklist) is first  # the same fonts: set up once
    # Another journal serving another file under the same name: a configuration of its own (the
    # rule's URL would otherwise find the first journal's font).
    assert pdf._font_configuration({"assets/fonts/Serif.ttf": other}) is not first
    assert pdf._font_configuration({"assets/fonts/Serif.ttf": b"font bytes"}) is not pdf._font_configuration(
        {"assets/fonts/Serif.ttf": b"other bytes"})
