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
    "load": "load",
    "model": "validate",
    "model.care": "checklist",
    "check": "validate",
    "check.deid": "de-identification",
    "check.images": "strip figures",
    "cite": "cite",
    "cite.csl": "render HTML",
    "text": "render HTML",
    "journals": "render HTML",
    "journals.number": "number",
    "resolve": "resolve",
    "outputs": "render HTML",
    "outputs.pdf": "PDF",
    "outputs.checklist": "checklist",
    "build.collection": "index",
    "outputs.jats": "JATS",
    "outputs.word": "Word",
    "outputs.submission": "submission",
    "build.output": "write",
    "build.publish": "write",
    "build.batch": "rebuild check",
    "build.inputs": "rebuild check",
    "load.caseinputs": "rebuild check",
    "build.watch": "watch",
    "build.pipeline": "build",
    "build.layout": "PDF",
    "scaffold": "new case",
    "cli": "command",
}
"""casepress module or package (dotted, inside casepress) -> the pipeline stage it belongs to;
the longest listed prefix wins, so a new module takes its package's stage. ``core`` is not
listed: its helpers (diagnostics, confine, limits) take the stage of their caller."""

HINT = (
    "this is a bug in casepress, not a problem with your input; please report it to the casepress "
    "developers with this message and, if you can, the case (or a copy that still shows the problem)"
)

current_case: ContextVar[Path | None] = ContextVar("current_case", default=None)
"""The case being worked on, for handlers that only see the exception."""

_PACKAGE = Path(__file__).resolve().parents[1]
"""The casepress package folder, to name a frame's module."""


def _stage_of_file(filename: str) -> str | None:
    """The stage of the casepress module at ``filename``, or None outside casepress or unlisted."""
    try:
        parts = list(Path(filename).resolve().relative_to(_PACKAGE).with_suffix("").parts)
    except ValueError:
        return None
    if parts and parts[-1] == "__init__":
        parts.pop()
    for end in range(len(parts), 0, -1):
        stage = STAGES.get(".".join(parts[:end]))
        if stage is not None:
            return stage
    return None


def stage_of(exc: BaseException) -> str:
    """The pipeline stage the exception was raised in (the innermost listed casepress frame)."""
    found = "command"
    for frame in traceback.extract_tb(exc.__traceback__):
        stage = _stage_of_file(frame.filename)
        if stage is not None:
            found = stage
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
