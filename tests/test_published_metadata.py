"""No identifying metadata of a figure survives in any file a build publishes.

A case with one figure of every accepted format, each carrying a made-up patient's
name and record number in every metadata container the format has (JPEG: EXIF, XMP,
COM, IPTC; PNG: tEXt, zTXt, iTXt, eXIf, XMP; WebP: EXIF, XMP; GIF: comment; SVG:
<metadata>, comments, scripts, event handlers, links, foreignObject, an editor's file
name, an embedded JPEG), is built with the real CLI, PDF included. Every output file
is then searched for the planted strings: the raw bytes, every PDF stream decoded,
in UTF-8 and UTF-16.
"""

from __future__ import annotations

import base64
import io
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from casepress.cli import main

from .conftest import REPO

NAME = "Quillon Marbleworth"
"""A made-up patient's name."""
RECORD = "48213377"
"""A made-up medical record number."""
PLANTED = (b"Marbleworth", RECORD.encode(), b"Quillon")
BASE = (REPO / "tests" / "corpus" / "base.yaml").read_text(encoding="utf-8")

XMP = f"""<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:creator><rdf:Seq><rdf:li>{NAME}</rdf:li></rdf:Seq></dc:creator>
<dc:description>MRN {RECORD}</dc:description>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>""".encode()


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x013B] = NAME  # Artist
    exif[0x010E] = f"patient {NAME}, MRN {RECORD}"  # ImageDescription
    exif[0x9C9D] = NAME.encode("utf-16-le")  # XPAuthor
    exif.get_ifd(0x8769)[0xA430] = NAME  # CameraOwnerName
    return exif


def _pixels(size: tuple[int, int] = (24, 16)) -> Image.Image:
    image = Image.new("RGB", size)
    image.putdata([(x * 9 % 256, y * 15 % 256, 90) for y in range(size[1]) for x in range(size[0])])
    return image


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg() -> bytes:
    out = io.BytesIO()
    _pixels().save(out, "JPEG", quality=90, exif=_exif(), comment=f"{NAME} MRN {RECORD}".encode())
    data = out.getvalue()
    iim = b"".join(b"\x1c\x02" + bytes([tag]) + struct.pack(">H", len(v)) + v
                   for tag, v in {80: NAME.encode(), 120: f"MRN {RECORD}".encode()}.items())
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(iim)) + iim + b"\x00" * (len(iim) & 1)
    extra = _segment(0xED, b"Photoshop 3.0\x00" + resource)
    extra += _segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + XMP)
    extra += _segment(0xEB, f"vendor {NAME}".encode())  # an unknown APPn
    return data[:2] + extra + data[2:]


def png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", NAME)
    info.add_text("Comment", f"MRN {RECORD}", zip=True)  # zTXt
    info.add_itxt("Description", f"patient {NAME}", lang="en", tkey="Beschreibung")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    out = io.BytesIO()
    _pixels().save(out, "PNG", pnginfo=info, exif=_exif())
    data = out.getvalue()
    # A text chunk after the image data too (readers find those only at the end).
    tail = b"tEXt" + b"Source\x00" + NAME.encode()
    chunk = struct.pack(">I", len(tail) - 4) + tail + struct.pack(">I", __import__("zlib").crc32(tail))
    return data[:-12] + chunk + data[-12:]


def webp() -> bytes:
    out = io.BytesIO()
    _pixels().save(out, "WEBP", lossless=True, exif=_exif(), xmp=XMP)
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    _pixels().convert("P").save(out, "GIF", comment=f"{NAME} MRN {RECORD}".encode())
    return out.getvalue()


def svg() -> bytes:
    embedded = base64.b64encode(jpeg()).decode("ascii")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- drawn for {NAME}, MRN {RECORD} -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
     sodipodi:docname="marbleworth-{RECORD}.svg" width="60" height="40" viewBox="0 0 60 40"
     onload="alert('{NAME}')">
  <title>Excision site</title>
  <desc>A schematic drawing.</desc>
  <metadata><rdf:RDF><rdf:Description><dc:creator>{NAME}</dc:creator></rdf:Description></rdf:RDF></metadata>
  <script>var patient = "{NAME} {RECORD}";</script>
  <foreignObject width="10" height="10"><p xmlns="http://www.w3.org/1999/xhtml">{NAME}</p></foreignObject>
  <a xlink:href="javascript:alert('{RECORD}')"><rect width="60" height="40" fill="#dddddd"/></a>
  <a href="https://example.org/patients/{RECORD}"><circle cx="30" cy="20" r="5"/></a>
  <image width="24" height="16" xlink:href="data:image/jpeg;base64,{embedded}"/>
  <?editor saved-by="{NAME}"?>
</svg>
""".encode()


FIGURES = {"photo.jpg": jpeg, "scan.png": png, "lossless.webp": webp, "anim.gif": gif, "drawing.svg": svg}


def _case(folder: Path) -> None:
    (folder / "figures").mkdir(parents=True)
    text = BASE.replace("paragraphs: [{text: Fixture.}]",
                        "paragraphs: [{text: '" + " ".join(f"@fig-{i}" for i in range(len(FIGURES))) + ".'}]")
    text += "figures:\n"
    for i, (name, make) in enumerate(FIGURES.items()):
        (folder / "figures" / name).write_bytes(make())
        text += f"  - {{id: fig-{i}, file: figures/{name}, caption: A figure., alt: A figure.}}\n"
    (folder / "case.yaml").write_text(text, encoding="utf-8")


def _variants(needle: bytes) -> list[bytes]:
    text = needle.decode()
    return [needle, text.encode("utf-16-le"), text.encode("utf-16-be")]


def _pdf_streams(path: Path) -> Iterator[tuple[str, bytes]]:
    """Every object of a PDF, streams decoded (images as their encoded bytes: JPEG stays JPEG)."""
    from pypdf import PdfReader
    from pypdf.generic import StreamObject

    reader = PdfReader(path)
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(number)
        except Exception:  # noqa: BLE001 - a free entry
            continue
        if isinstance(obj, StreamObject):
            yield f"object {number} stream", obj.get_data()
        if obj is not None:
            yield f"object {number}", repr(obj).encode("utf-8", "replace")


def _contents(path: Path) -> Iterator[tuple[str, bytes]]:
    data = path.read_bytes()
    yield "raw bytes", data
    if path.suffix == ".pdf":
        yield from _pdf_streams(path)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("planted")
    _case(project / "cases" / "planted")
    monkey = pytest.MonkeyPatch()
    monkey.chdir(project)
    monkey.delenv("GITHUB_ACTIONS", raising=False)
    try:
        assert main(["build", "cases/planted", "--output", "output", "--jobs", "1"]) == 0
    finally:
        monkey.undo()
    return project / "output" / "planted"


def test_every_format_is_published(built: Path) -> None:
    assert sorted(p.name for p in (built / "figures").iterdir()) == sorted(FIGURES)
    assert (built / "planted.pdf").is_file() and (built / "care-checklist.pdf").is_file()


def test_the_pdf_shows_the_jpeg(built: Path) -> None:
    """The article's PDF embeds the (stripped) JPEG as a DCT image: figures are not lost."""
    jpegs = [data for where, data in _pdf_streams(built / "planted.pdf") if data.startswith(b"\xff\xd8")]
    assert jpegs, "the PDF holds no JPEG image"
    assert all(data == (built / "figures" / "photo.jpg").read_bytes() for data in jpegs)


def test_no_planted_string_survives_in_any_output_file(built: Path) -> None:
    survivors = []
    files = sorted(p for p in built.rglob("*") if p.is_file())
    assert len(files) >= 9
    for path in files:
        for where, data in _contents(path):
            for needle in PLANTED:
                if any(v in data for v in _variants(needle)):
                    survivors.append(f"{path.relative_to(built)} ({where}): {needle.decode()}")
    assert not survivors, "\n".join(survivors)


def test_the_published_svg_keeps_its_accessible_text_and_nothing_active(built: Path) -> None:
    text = (built / "figures" / "drawing.svg").read_text(encoding="utf-8")
    assert "<title>Excision site</title>" in text and "<desc>A schematic drawing.</desc>" in text
    for gone in ("<script", "onload", "javascript:", "foreignObject", "<metadata", "<!--", "<?editor",
                 "example.org", "docname"):
        assert gone not in text, gone
    assert "data:image/jpeg;base64," in text  # the embedded image stays, stripped in turn


def test_the_published_images_keep_their_pixels(built: Path) -> None:
    for name, make in FIGURES.items():
        if name.endswith(".svg"):
            continue
        with Image.open(io.BytesIO(make())) as before, Image.open(built / "figures" / name) as after:
            assert (after.format, after.size, after.mode) == (before.format, before.size, before.mode)
            assert after.tobytes() == before.tobytes(), name
