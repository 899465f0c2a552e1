"""Unexpected exceptions become one diagnostic, ``error[internal]``, never a traceback.

Bad input gets a located diagnostic from the stage that found it; anything else
that raises is a bug in casepress. Each command runs under one handler (see
:mod:`casepress.cli`) and each case of a batch under another (see
:mod:`casepress.build.batch`): both turn the exception into an ``internal`` error
naming the case and the stage it was in, asking for a report, so one bad case
never stops the others and the user never sees a traceback.

The stage is read off the traceback (the innermost frame in casepress's own
code), so the pipeline needs no bookkeeping to be named correctly.
"""

from __future__ import annotations

import traceback
from contextvars import ContextVar
from pathlib import Path

from casepress.core.diagnostics import Diagnostic, Location, Severity, display_path

CODE = "internal"

STAGES: dict[str, str] = {
    "source": "load",
    "validate": "validate",
    "model": "validate",
    "timeline": "validate",
    "number": "number",
    "generated": "validate",
    "cite": "cite",
    "bibtex": "cite",
    "refs": "cite",
    "markup": "render HTML",
    "prose": "render HTML",
    "render_html": "render HTML",
    "journal": "render HTML",
    "csl": "render HTML",
    "render_pdf": "PDF",
    "care": "checklist",
    "care_report": "checklist",
    "deid": "strip figures",
    "output": "write",
    "publish": "write",
    "batch": "rebuild check",
    "caseinputs": "rebuild check",
    "collection": "index",
    "scaffold": "new case",
    "watch": "watch",
    "pipeline": "build",
    "cli": "command",
}
"""casepress module -> the pipeline stage it belongs to; helpers not listed (diagnostics,
confine, limits) take the stage of their caller."""

HINT = (
    "this is a bug in casepress, not a problem with your input; please report it to the casepress "
    "developers with this message and, if you can, the case (or a copy that still shows the problem)"
)

current_case: ContextVar[Path | None] = ContextVar("current_case", default=None)
"""The case being worked on, for handlers that only see the exception."""


def stage_of(exc: BaseException) -> str:
    """The pipeline stage the exception was raised in (the innermost casepress frame)."""
    found = "command"
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        if path.parent.name == "casepress" and path.stem in STAGES:
            found = STAGES[path.stem]
    return found


def diagnostic(exc: BaseException, case: Path | None = None, stage: str | None = None) -> Diagnostic:
    """``error[internal]`` for an unexpected exception, naming the case (if any) and the stage."""
    case = case if case is not None else current_case.get()
    where = stage or stage_of(exc)
    subject = "this case" if case is not None else "the command"
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    message = f"casepress failed unexpectedly on {subject} (stage: {where}): {text}"
    location = Location(display_path(case)) if case is not None else None
    return Diagnostic(Severity.ERROR, CODE, message, location, None, HINT)
