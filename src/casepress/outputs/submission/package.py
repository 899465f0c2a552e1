"""``<slug>-submission.zip``: the manuscript, the JATS XML, the figures, the CARE checklist and
a ``manifest.json`` listing each file with its role, size and SHA-256.

The archive is deterministic: entries sorted by name (the manifest last), every timestamp
the build time (``SOURCE_DATE_EPOCH``), fixed permissions, so the same inputs give the same
bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from casepress.core.reproducible import fixed_info

MANIFEST = "manifest.json"
"""The manifest's name inside the zip."""

ROLES = ("manuscript-docx", "manuscript-pdf", "jats", "figure", "figure-png", "care-checklist")
"""What a file of the package is."""


@dataclass(frozen=True)
class PackageFile:
    """One file of the submission package."""

    name: str
    """Its name in the zip (no folders)."""
    role: str
    """One of :data:`ROLES`."""
    data: bytes
    """Its bytes."""


def submission_name(slug: str) -> str:
    """``<slug>-submission.zip``."""
    return f"{slug}-submission.zip"


def package_files(slug: str, *, docx: bytes | None = None, pdf: bytes | None = None, jats: bytes | None = None,
                  figures: Sequence[tuple[str, str, bytes]] = (), checklist_pdf: bytes | None = None) -> list[PackageFile]:
    """The files of a case's package, named as a submission system shows them: ``<slug>.docx``,
    ``<slug>.pdf``, ``<slug>.xml``, the figures (name, role, bytes), ``care-checklist.pdf``."""
    named = [(f"{slug}.docx", "manuscript-docx", docx), (f"{slug}.pdf", "manuscript-pdf", pdf),
             (f"{slug}.xml", "jats", jats), ("care-checklist.pdf", "care-checklist", checklist_pdf)]
    files = [PackageFile(name, role, data) for name, role, data in named if data is not None]
    return files + [PackageFile(name, role, data) for name, role, data in figures]


def manifest(files: Sequence[PackageFile]) -> bytes:
    """``manifest.json``: every file (sorted by name) with its role, size and SHA-256."""
    entries = [{"file": f.name, "role": f.role, "size": len(f.data), "sha256": hashlib.sha256(f.data).hexdigest()}
               for f in sorted(files, key=lambda f: f.name)]
    return (json.dumps({"files": entries}, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def submission_zip(files: Sequence[PackageFile], when: datetime) -> bytes:
    """The zip's bytes. Raises ValueError for a duplicate or unsafe name or an unknown role."""
    names = [f.name for f in files]
    for f in files:
        if f.role not in ROLES:
            raise ValueError(f"'{f.name}' has an unknown role '{f.role}'")
        if not f.name or "/" in f.name or "\\" in f.name or f.name in (".", "..", MANIFEST):
            raise ValueError(f"'{f.name}' cannot be a file of the package")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"two files named {', '.join(duplicates)}")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for f in sorted(files, key=lambda f: f.name):
            archive.writestr(fixed_info(f.name, when), f.data)
        archive.writestr(fixed_info(MANIFEST, when), manifest(files))
    return out.getvalue()
