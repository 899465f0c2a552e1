"""Reproducible bytes: the build time from ``SOURCE_DATE_EPOCH``, zip archives with fixed timestamps."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime

ZIP_EPOCH = datetime(1980, 1, 1, tzinfo=UTC)
"""The earliest time a zip entry can record."""


def build_time(environ: Mapping[str, str] | None = None) -> datetime:
    """The time of the build: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now.

    An unparsable value is treated as unset (the build is then simply not reproducible)."""
    value = (environ if environ is not None else os.environ).get("SOURCE_DATE_EPOCH", "").strip()
    if value.isdigit():
        return datetime.fromtimestamp(int(value), UTC)
    return datetime.now(UTC).replace(microsecond=0)


def zip_time(when: datetime) -> tuple[int, int, int, int, int, int]:
    """A zip entry's ``date_time`` for ``when`` (clamped to 1980, the format's first year)."""
    when = max(when, ZIP_EPOCH)
    return (when.year, when.month, when.day, when.hour, when.minute, when.second - when.second % 2)


def normalize_zip(data: bytes, when: datetime, first: tuple[str, ...] = ("[Content_Types].xml",)) -> bytes:
    """The same archive with every entry stamped ``when``, fixed permissions and no extra
    fields, deflated, in a stable order (``first`` names, then the rest as they were)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    ordered = [n for n in first if n in names] + [n for n in names if n not in first]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in ordered:
            target.writestr(fixed_info(name, when), source.read(name))
    return out.getvalue()


def fixed_info(name: str, when: datetime) -> zipfile.ZipInfo:
    """A ZipInfo for ``name`` that records nothing of the machine: time ``when``, mode 0644."""
    info = zipfile.ZipInfo(name, date_time=zip_time(when))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, whatever the build machine
    info.external_attr = 0o644 << 16
    return info
