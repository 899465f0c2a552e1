"""casepress.check.images: the SVG sanitizer, the raster check and the figure-file confinement.

The end-to-end promise (no planted metadata in any output file) is in
test_published_metadata.py; the bad-input scenarios are under tests/corpus/images/.
"""

from __future__ import annotations

import base64
import io
import os
import struct
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image

from casepress.core.confine import Refused
from casepress.check.images import ImageError, check_image, strip_bytes
from casepress.check.images.check import figure_file, read_figure

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="9" height="9">{}</svg>'


def svg(body: str, head: str = "") -> bytes:
    return (head + SVG.format(body)).encode()


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    row = b"\x00" * (1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def test_css_split_by_a_comment_or_instruction_is_cleaned_as_one() -> None:
    """A renderer joins a <style>'s text around comments: 'u<!---->rl(' is url( to it."""
    out = strip_bytes(svg('<style>rect { fill: u<!-- x -->rl(https://t.example/a) } @im<?p?>port "x.css";</style>'))
    text = out.decode()
    assert "t.example" not in text and "@import" not in text and "<?p" not in text


def test_css_with_escapes_is_dropped() -> None:
    text = strip_bytes(svg('<rect width="9" height="9" style="fill: \\75rl(https://t.example/a)"/>')).decode()
    assert "t.example" not in text and "style=" not in text


def test_local_references_stay() -> None:
    body = ('<defs><linearGradient id="g"/></defs><rect fill="url(#g)" style="stroke: url(\'#g\')"/>'
            '<use href="#g"/><a xlink:href="#g"><text>t</text></a>')
    text = strip_bytes(svg(body)).decode()
    for kept in ('fill="url(#g)"', "stroke: url('#g')", '<use href="#g"/>', 'xlink:href="#g"'):
        assert kept in text, kept


def test_elements_that_lost_their_link_go_with_it() -> None:
    text = strip_bytes(svg('<image href="https://t.example/x.png"/><use xlink:href="other.svg#a"/><rect/>')).decode()
    assert "<image" not in text and "<use" not in text and "<rect/>" in text


def test_text_around_removed_nodes_is_kept() -> None:
    text = strip_bytes(svg("<text>A<!-- secret -->B<?pi x?>C<script>x()</script>D</text>")).decode()
    assert "<text>ABCD</text>" in text


def test_simple_internal_entities_are_expanded_and_the_doctype_dropped() -> None:
    head = ('<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
            '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [<!ENTITY st "fill:red">]>')
    text = strip_bytes(svg('<rect style="&st;"/>', head)).decode()
    assert 'style="fill:red"' in text and "DOCTYPE" not in text and "svg11.dtd" not in text


def test_undeclared_entity_is_an_error() -> None:
    head = '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
    with pytest.raises(ImageError, match=r"uses the entity '&nbsp;', which it does not declare"):
        check_image(svg("<text>a&nbsp;b</text>", head), "x.svg")


def test_external_parameter_entity_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.dtd"
    secret.write_text('<!ENTITY leak "TOPSECRET">')
    head = f'<!DOCTYPE svg [<!ENTITY % ext SYSTEM "{secret.as_uri()}"> %ext;]>'
    with pytest.raises(ImageError, match="declares an external entity 'ext'") as caught:
        check_image(svg("<text>&leak;</text>", head), "x.svg")
    assert caught.value.code == "image-unsafe"


def test_the_dtd_an_svg_names_is_never_read(tmp_path: Path) -> None:
    dtd = tmp_path / "leak.dtd"
    dtd.write_text('<!ENTITY leak "TOPSECRET">')
    for head in (f'<!DOCTYPE svg SYSTEM "{dtd.as_uri()}">', f'<!DOCTYPE svg SYSTEM "{dtd.as_uri()}" [<!ENTITY a "b">]>'):
        with pytest.raises(ImageError, match="uses the entity '&leak;', which it does not declare"):
            check_image(svg("<text>&a;&leak;</text>" if "ENTITY a" in head else "<text>&leak;</text>", head), "x.svg")
        text = strip_bytes(svg('<rect style="&leak;"/>', head)).decode()
        assert "TOPSECRET" not in text


def test_xml_that_is_not_svg_is_refused() -> None:
    with pytest.raises(ImageError, match=r"not an SVG image \(its root element is <svg>, not <svg> in the SVG"):
        check_image(b"<?xml version='1.0'?><svg><rect/></svg>", "x.svg")


@pytest.mark.parametrize("body", ["<!--" * 250_000, "<metadata>" * 100_000, "<g>" * 100_000,
                                  '<rect style="' + "url(" * 200_000 + '"/>'])
def test_malformed_or_adversarial_svg_is_handled_in_linear_time(body: str) -> None:
    data = ('<svg xmlns="http://www.w3.org/2000/svg">' + body).encode()
    if body.startswith("<rect"):
        data += b"</svg>"
    started = time.perf_counter()
    try:
        strip_bytes(data, "x.svg")
    except ImageError:
        pass
    assert time.perf_counter() - started < 2.0


def test_an_embedded_bomb_is_refused_and_embedded_images_share_one_budget() -> None:
    bomb = base64.b64encode(png(30000, 30000)).decode()
    with pytest.raises(ImageError, match=r"embedded image 1 of 'x.svg' has 900,000,000 pixels") as caught:
        check_image(svg(f'<image href="data:image/png;base64,{bomb}"/>'), "x.svg")
    assert caught.value.code == "image-too-large"
    half = base64.b64encode(png(5000, 6000)).decode()  # 30 megapixels each, 50 allowed in all
    image = f'<image href="data:image/png;base64,{half}"/>'
    check_image(svg(image), "x.svg")
    with pytest.raises(ImageError, match=r"embedded image 2 of 'x.svg' has 30,000,000 pixels; the limit is 20,000,000"):
        check_image(svg(image * 2), "x.svg")


def test_a_broken_embedded_image_is_an_error() -> None:
    with pytest.raises(ImageError, match="embedded image 1 of 'x.svg' is not valid base64"):
        check_image(svg('<image href="data:image/png;base64,!!!!"/>'), "x.svg")


def test_an_animation_counts_every_frame() -> None:
    frames = [Image.new("P", (2000, 2000), i) for i in range(13)]  # 52 megapixels in all
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    with pytest.raises(ImageError, match=r"has 13 frames of 2000 x 2000 pixels; the limit is 50,000,000 pixels in all"):
        check_image(out.getvalue(), "anim.gif")


def test_rasters_are_decoded_whole() -> None:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (1, 2, 3)).save(out, "PNG")
    data = out.getvalue()
    assert check_image(data, "ok.png") is not None
    with pytest.raises(ImageError, match="damaged or truncated") as caught:
        check_image(data[:-20], "cut.png")  # the IEND chunk and part of the image data are gone
    assert caught.value.code == "image-unreadable"


def test_suffix_and_content_must_agree_on_svg_or_raster() -> None:
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "JPEG")
    assert check_image(out.getvalue(), "photo.png") is not None  # rasters are sniffed: shown as is
    with pytest.raises(ImageError, match=r"'x.png' is an SVG image, though its name ends in .png"):
        check_image(svg("<rect/>"), "x.png")
    with pytest.raises(ImageError, match=r"'x.svg' holds a JPEG image, not SVG: give it the suffix .jpeg"):
        check_image(out.getvalue(), "x.svg")


def test_figure_files_are_confined_and_never_raise_the_os_error(tmp_path: Path) -> None:
    os.symlink("b.png", tmp_path / "a.png")
    os.symlink("a.png", tmp_path / "b.png")
    os.mkfifo(tmp_path / "pipe.png")
    (tmp_path / "outside.png").write_bytes(b"x")
    case = tmp_path / "case"
    case.mkdir()
    os.symlink("../outside.png", case / "link.png")
    os.symlink("../a.png", case / "loop.png")
    for name, message in [("loop.png", "symlink"), ("link.png", "outside"), ("x\0.png", "control character"),
                          ("x" * 5000 + ".png", "5004 characters"), ("../pipe.png", "outside")]:
        with pytest.raises(Refused, match=message):
            figure_file(case, name)
    os.mkfifo(case / "pipe.png")
    with pytest.raises(Refused, match="not a regular file"):
        read_figure(case, "pipe.png")
    with pytest.raises(FileNotFoundError):
        figure_file(case, "missing.png")


def test_an_image_the_pdf_layout_cannot_show_is_an_error() -> None:
    """Whatever check missed, WeasyPrint failing to load an image fails the PDF (it was a warning)."""
    from casepress.core.diagnostics import Diagnostics, Location
    from casepress.outputs.pdf import html_to_pdf

    broken = b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><image width="9" height="9"/></svg>'
    diagnostics = Diagnostics()
    pdf = html_to_pdf('<p>x</p><img src="figures/x.svg" alt="x">', {"figures/x.svg": broken}, None,
                      Location("case.yaml"), diagnostics)
    assert pdf is None
    assert [d.code for d in diagnostics.errors] == ["image-unreadable"]
    assert diagnostics.errors[0].message.startswith("WeasyPrint could not show an image in the PDF: ")


def test_an_image_fit_to_show_is_decoded_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A later check reads the verdict from the cache by the file's content; a refusal is not kept."""
    from casepress.check.images import check
    from casepress.core.diagnostics import Diagnostics, Location

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(out, "PNG")
    (tmp_path / "ok.png").write_bytes(out.getvalue())
    (tmp_path / "cut.png").write_bytes(out.getvalue()[:-20])
    monkeypatch.setenv("CASEPRESS_CACHE_DIR", str(tmp_path / "cache"))
    images = [("ok.png", ("figures", 0, "file")), ("cut.png", ("figures", 1, "file"))]

    def run() -> list[str]:
        found = Diagnostics()
        check.check_image_files(images, tmp_path, lambda path: Location("case.yaml"), found)
        return [d.code for d in found]

    assert run() == ["image-unreadable"]
    assert check.shown_before(tmp_path / "ok.png") and check.refused_before(tmp_path / "cut.png")
    decoded: list[str] = []
    real = check.check_image
    monkeypatch.setattr(check, "check_image", lambda data, name: decoded.append(name) or real(data, name))
    assert run() == ["image-unreadable"]
    assert decoded == ["cut.png"]


def test_a_published_svg_is_remembered_by_its_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import casepress.check.images as images
    from casepress.check.images.check import published_copy

    monkeypatch.setenv("CASEPRESS_CACHE_DIR", str(tmp_path / "cache"))
    drawing = svg('<rect width="9" height="9" onclick="x()"/><script>x()</script>')
    first = published_copy(drawing, "a.svg")
    assert b"script" not in first and b"onclick" not in first
    sanitized: list[str] = []
    real = images.sanitize_svg
    monkeypatch.setattr(images, "sanitize_svg", lambda data, name, strip: sanitized.append(name) or real(data, name, strip))
    assert published_copy(drawing, "b.svg") == first  # read back: not sanitized again
    assert sanitized == []
    other = svg('<circle r="3"/>')
    assert b"circle" in published_copy(other, "c.svg") and sanitized == ["c.svg"]
    with pytest.raises(ImageError):  # a refusal is never remembered: it is raised every time
        published_copy(b"<svg><!DOCTYPE x [<!ENTITY a SYSTEM 'file:///etc/passwd'>]>&a;</svg>", "d.svg")
