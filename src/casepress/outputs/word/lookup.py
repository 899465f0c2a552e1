"""Which reference document a case's manuscript starts from: the first ``reference.docx`` on the
journal's template chain (the case's own ``templates/``, the journal, its parents, then
``templates/base``), read through the one path-confinement rule."""

from __future__ import annotations

from pathlib import Path

from casepress.core.confine import Refused, regular_file
from casepress.journals.journal import Journal, template_search_path
from casepress.core.limits import MAX_TEMPLATE_BYTES

REFERENCE_DOCX = "reference.docx"
"""The file name a journal template ships its Word styles under."""


def find_reference_docx(journal: Journal, case_dir: Path) -> Path | None:
    """The most specific ``reference.docx`` on the template chain, or None when there is none.

    Raises :class:`casepress.core.confine.Refused` for one that is not a regular file or is too large."""
    for folder in template_search_path(journal, case_dir):
        path = folder / REFERENCE_DOCX
        if path.exists() or path.is_symlink():
            try:
                regular_file(path, REFERENCE_DOCX, MAX_TEMPLATE_BYTES)
            except FileNotFoundError as exc:
                raise Refused(f"'{path}' cannot be read") from exc
            return path
    return None
