"""A 30000 x 30000 PNG decompression bomb (900 megapixels in a few hundred kilobytes)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path


def chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png(width: int, height: int, bit_depth: int = 1, colour: int = 0) -> bytes:
    """A valid all-black PNG, compressed row by row (never held whole in memory)."""
    channels = {0: 1, 2: 3}[colour]
    row = b"\x00" * (1 + (width * channels * bit_depth + 7) // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def generate(folder: Path, base: str) -> None:
    (folder / "bomb.png").write_bytes(png(30000, 30000))
    text = base.replace("Fixture.}]", "See @fig-x.}]") + """figures:
  - id: fig-x
    file: bomb.png
    caption: A figure.
    alt: A figure.
"""
    (folder / "case.yaml").write_text(text, encoding="utf-8")
