"""A PNG whose image data is damaged (a valid header, then garbage): it passed check before."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path


def chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def generate(folder: Path, base: str) -> None:
    header = struct.pack(">IIBBBBB", 32, 32, 8, 2, 0, 0, 0)
    garbage = bytes((i * 37 + 11) % 256 for i in range(200))  # not a zlib stream
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", garbage) + chunk(b"IEND", b"")
    (folder / "scan.png").write_bytes(data)
    text = base.replace("Fixture.}]", "See @fig-x.}]") + """figures:
  - id: fig-x
    file: scan.png
    caption: A figure.
    alt: A figure.
"""
    (folder / "case.yaml").write_text(text, encoding="utf-8")
