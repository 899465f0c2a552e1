"""The case's files: the figures' images and any DICOM file of the case folder, each finding located."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casepress.check.deid.dicom import dicom_hits, is_dicom
from casepress.check.deid.findings import Finding, KnownPeople
from casepress.check.deid.metadata import MetaHit
from casepress.check.deid.raster import raster_hits
from casepress.check.deid.svg import svg_hits
from casepress.core.diagnostics import FieldPath, Location, display_path, format_path

if TYPE_CHECKING:
    from casepress.check.context import CaseContext


def file_hits(path: Path, known: KnownPeople, decoded: bool = False, remember: bool = False) -> list[MetaHit]:
    """Identifying metadata of one file, by its content (not its name); ``decoded``: the image
    check decoded the file whole (see raster_hits); ``remember``: keep the answer in the cache,
    by the file's content (with the known people and the reading code and libraries), and
    look it up there first, so that a later ``check`` reads no metadata again."""
    if is_dicom(path):
        return dicom_hits(path, known)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [MetaHit("unreadable", f"unreadable file ({exc.strerror})", "file")]
    if not remember:
        return _content_hits(data, known, decoded)
    from casepress.core.cache import JsonCache, digest

    cache = JsonCache.named("deid-file")
    key = digest("deid-file-v1", _reading_code(), known.digest(), decoded, data)
    hits = _replay(cache.get(key))
    if hits is None:
        hits = _content_hits(data, known, decoded)
        if all(h.kind != "unreadable" for h in hits):  # (a failure may be of the moment: out of memory)
            cache.put(key, [[h.kind, h.what, h.key, h.shown] for h in hits])
    return hits


def _content_hits(data: bytes, known: KnownPeople, decoded: bool) -> list[MetaHit]:
    from casepress.check.images import looks_like_svg

    if looks_like_svg(data):
        return svg_hits(data, known)
    return raster_hits(data, known, decoded=decoded)


def _replay(record: Any) -> list[MetaHit] | None:
    """A cached record back as hits; None when it is not one (a miss)."""
    if not isinstance(record, list) or not all(isinstance(h, list) and len(h) == 4 for h in record):
        return None
    if not all(isinstance(v, str) or (v is None and n == 3) for h in record for n, v in enumerate(h)):
        return None
    return [MetaHit(*h) for h in record]


_READING_CODE = ("casepress.check.deid.files", "casepress.check.deid.metadata", "casepress.check.deid.raster",
                 "casepress.check.deid.svg", "casepress.check.deid.dicom")
"""The modules whose code shapes a file's hits, with the text detectors and the image check's."""


@functools.cache
def _reading_code() -> str:
    """What shapes a file's hits besides the file and the people: the reading modules, Pillow and
    lxml (which read rasters' and drawings' metadata), the text detectors and the image check."""
    from casepress.check.deid.text import scanning_code
    from casepress.check.images.check import engine
    from casepress.core.cache import code_digest, digest

    return digest(scanning_code(), engine(), code_digest(*_READING_CODE, libraries=("PIL", "lxml")))


_META_HINT = (
    "remove the metadata from the image file (a build publishes figures without it, "
    "but the file itself still carries it)"
)


def _meta_message(hit: MetaHit, name: str) -> str:
    if hit.kind in ("unreadable", "dicom-unchecked"):
        return f"{hit.what}: {name}"
    message = f"{hit.what} in '{hit.key}' of {name}"
    return message + (f": '{hit.shown}'" if hit.shown else "")


def file_findings(data: Any, ctx: CaseContext, known: KnownPeople) -> list[Finding]:
    """Identifying metadata in the figures' images and in any DICOM file of the case folder."""
    from casepress.core.confine import Refused
    from casepress.check.images.check import figure_file, refused_before, shown_before
    from casepress.core.limits import MAX_FIGURES

    findings: list[Finding] = []
    checked: set[Path] = set()
    for name, path in itertools.islice(named_figure_files(data), MAX_FIGURES):
        try:
            resolved = figure_file(ctx.case_dir, name)
        except (Refused, FileNotFoundError):
            continue  # the image check reports missing, unsafe and oversized files
        if resolved in checked or refused_before(resolved):
            continue  # ... and images that cannot be shown
        checked.add(resolved)
        where = ctx.doc.location(path)
        for hit in file_hits(resolved, known, shown_before(resolved), remember=True):
            findings.append(_meta_finding(hit, name, where, format_path(path), format_path(path)))
    for dicom in _dicom_files(ctx.case_dir):
        if dicom.resolve() in checked:
            continue
        relative = dicom.relative_to(ctx.case_dir).as_posix()
        # A DICOM file that no field names is located in itself.
        where = Location(display_path(dicom))
        for hit in dicom_hits(dicom, known):
            findings.append(_meta_finding(hit, relative, where, None, relative))
    return findings


_FILE_HINTS = {
    "dicom-unchecked": "install pydicom (pip install pydicom), then check again",
    "unreadable": "check that the file is a valid image",
    "burned-in": "the pixels themselves show identifiers: mask them, or leave the file out",
}
_DICOM_HINT = (
    "de-identify the DICOM header (DICOM PS3.15 Basic Application Level Confidentiality "
    "Profile), or keep the file out of the case folder"
)


def _meta_finding(
    hit: MetaHit, name: str, where: Location, field: str | None, scope: str
) -> Finding:
    hint = _FILE_HINTS.get(hit.kind) or (_DICOM_HINT if hit.key.startswith("DICOM") else _META_HINT)
    return Finding(
        hit.kind, hit.key, hit.shown or hit.key, _meta_message(hit, name), where, field, hint, scope
    )


def named_figure_files(data: Any) -> Iterator[tuple[str, FieldPath]]:
    """Image files named by ``figures[].file`` and ``figures[].panels[].file``, as written."""
    figures = data.get("figures") if isinstance(data, dict) else None
    for i, figure in enumerate(figures if isinstance(figures, list) else []):
        if not isinstance(figure, dict):
            continue
        if isinstance(figure.get("file"), str):
            yield figure["file"], ("figures", i, "file")
        panels = figure.get("panels")
        for j, panel in enumerate(panels if isinstance(panels, list) else []):
            if isinstance(panel, dict) and isinstance(panel.get("file"), str):
                yield panel["file"], ("figures", i, "panels", j, "file")


NOT_CASE_FOLDERS = frozenset({"node_modules", "__pycache__", "venv", "output", "site-packages"})
"""Folders that hold tools or builds, not the case's material."""


def _dicom_files(case_dir: Path) -> list[Path]:
    """Every DICOM file in the case folder, hidden and tool folders excepted, in a stable order."""
    found: list[Path] = []
    for path in sorted(case_dir.rglob("*")):
        relative = path.relative_to(case_dir).parts
        if any(p.startswith(".") or p in NOT_CASE_FOLDERS for p in relative) or not path.is_file():
            continue
        if is_dicom(path):
            found.append(path)
    return found
