"""A real 12000 x 12000 RGB PNG (144 megapixels, over the limit; decoding it took 1.2 GB)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path


def chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def generate(folder: Path, base: str) -> None:
    width = height = 12000
    row = b"\x00" + b"\x80\x40\x20" * width
    packer = zlib.compressobj(6)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    (folder / "large.png").write_bytes(png)
    text = base.replace("Fixture.}]", "See @fig-x.}]") + """figures:
  - id: fig-x
    file: large.png
    caption: A figure.
    alt: A figure.
"""
    (folder / "case.yaml").write_text(text, encoding="utf-8")
