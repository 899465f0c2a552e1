"""The one reporter of template errors, for every environment :mod:`casepress.journals.templating` makes.

Whatever goes wrong in a template (a syntax error, an undefined variable, the
sandbox refusing an attribute, a missing or refused include, endless recursion,
an exception such as ``{{ 1 // 0 }}`` while rendering) becomes one
``error[template]`` at the template's file, line and column, never a traceback.
Jinja knows the line; the column is found on that line from the offending token
(the undefined name, the refused attribute, the template name, the operator), or
else it is the start of the tag.
"""

from __future__ import annotations

import os
import re
import stat
import traceback
from typing import Any

import jinja2
from jinja2.sandbox import SecurityError

from casepress.core.diagnostics import Diagnostics, Location, display_path
from casepress.core.limits import MAX_TEMPLATE_BYTES
from casepress.journals.template_messages import (
    CHAIN_HINT,
    Needle,
    column_in,
    name_needles,
    not_found_message,
    recursion_message,
)
from casepress.journals.templating import TemplateRefused

_RUNTIME_FAULTS = (ArithmeticError, TypeError, ValueError, AttributeError, LookupError, RecursionError)
"""Python exceptions a template can cause (calling a string, ``1 // 0``, a bad filter argument)."""

_QUOTED = re.compile(r"'([^']+)'")
_STATEMENT = re.compile(r"\{%[-+]?\s*(extends|include|import|from)\b(?:\s+(['\"])(.*?)\2)?")
_UNCLOSED = re.compile(r"innermost block that needs to be closed is '(\w+)'")
_AT_OFFSET = re.compile(r" at (\d+)$")


def is_template_error(exc: BaseException) -> bool:
    """True for an exception a template caused (the reporter's business); False for a bug elsewhere."""
    if isinstance(exc, jinja2.TemplateError):
        return True
    return isinstance(exc, _RUNTIME_FAULTS) and bool(template_frames(exc))


def report_template_error(exc: BaseException, diagnostics: Diagnostics) -> None:
    """Record ``exc`` as a located ``error[template]``."""
    location, message, hint = describe(exc)
    diagnostics.error("template", message, location, hint=hint)


def describe(exc: BaseException) -> tuple[Location | None, str, str | None]:
    """Where the error is, what it says, and an optional hint."""
    if isinstance(exc, TemplateRefused) and exc.path is not None:
        return Location(display_path(exc.path), exc.line, exc.column), exc.reason, None
    if isinstance(exc, jinja2.TemplateSyntaxError):
        filename, lineno = exc.filename, exc.lineno
        source = exc.source
        message, needles, hint = f"syntax error: {exc.message}", _syntax_needles(exc), None
        opened = _unclosed(exc, source or _text(filename))
        if opened is not None and filename is not None:
            return Location(display_path(filename), *opened), message, hint
    else:
        frames = template_frames(exc)
        filename, lineno = frames[-1] if frames else (None, None)
        source = None
        message, needles, hint = _runtime(exc, _line(filename, lineno, None))
    if filename is None or filename.startswith("<"):
        return None, message, hint
    line_text = _line(filename, lineno, source)
    column = _exact_column(exc, source) if isinstance(exc, jinja2.TemplateSyntaxError) else None
    return Location(display_path(filename), lineno, column or column_in(line_text, needles)), message, hint


def template_frames(exc: BaseException) -> list[tuple[str, int]]:
    """(template file, line) of each template frame of the traceback, outermost first."""
    frames = []
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        name = frame.f_code.co_filename
        if not name.endswith(".py") and not name.startswith("<"):
            frames.append((name, lineno))
    return frames


def _text(filename: str | None) -> str:
    """The template's source ('' when it cannot be read): a file the confined loader served,
    still never a FIFO or an oversized file."""
    if filename is None or filename.startswith("<"):
        return ""
    try:
        info = os.stat(filename)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_TEMPLATE_BYTES:
            return ""
        with open(filename, encoding="utf-8", errors="replace") as stream:
            return stream.read()
    except OSError:
        return ""


def _line(filename: str | None, lineno: int | None, source: str | None) -> str:
    """Line ``lineno`` of the template (from ``source`` when Jinja kept it)."""
    if lineno is None:
        return ""
    lines = (source if source is not None else _text(filename)).splitlines()
    return lines[lineno - 1] if 0 < lineno <= len(lines) else ""


def _unclosed(exc: jinja2.TemplateSyntaxError, source: str) -> tuple[int, int] | None:
    """Line and column of the block an 'Unexpected end of template' leaves open: the last
    opening tag of that kind before the end."""
    match = _UNCLOSED.search(exc.message or "")
    if match is None:
        return None
    tag = re.compile(rf"\{{%[-+]?\s*{match.group(1)}\b")
    lines = source.splitlines()
    for index in range(min(exc.lineno, len(lines)) - 1, -1, -1):
        found = tag.search(lines[index])
        if found:
            return index + 1, found.start() + 1
    return None


def _exact_column(exc: jinja2.TemplateSyntaxError, source: str | None) -> int | None:
    """The lexer's 'unexpected char ... at <offset>' gives the position exactly."""
    match = _AT_OFFSET.search(exc.message or "")
    if match is None or source is None:
        return None
    offset = int(match.group(1))
    return offset - (source.rfind("\n", 0, offset) + 1) + 1


def _syntax_needles(exc: jinja2.TemplateSyntaxError) -> list[Needle]:
    message = exc.message or ""
    quoted = [Needle(q) for q in _QUOTED.findall(message)]
    token = getattr(exc, "casepress_token", None)
    from_stream: list[Needle] = []
    if token is not None and token.lineno == exc.lineno and token.type not in ("data", "eof") and str(token.value):
        from_stream = [Needle(str(token.value), str(token.value).isidentifier())]
    if message.startswith("unexpected '"):  # the lexer's, whose stream token is stale
        return quoted + from_stream
    return from_stream + quoted


def _identifiers(message: str) -> list[Needle]:
    return [Needle(q, True) for q in _QUOTED.findall(message) if q.isidentifier()]


def _runtime(exc: BaseException, line: str) -> tuple[str, list[Needle], str | None]:
    """Message, what to look for on the line, and a hint, for an error raised while rendering."""
    if isinstance(exc, TemplateRefused):
        return exc.reason, name_needles([exc.name]), None
    if isinstance(exc, jinja2.TemplateNotFound):
        names = [str(n) for n in exc.templates]
        if len(names) > 1:
            listed = ", ".join(f"'{n}'" for n in names)
            return f"none of the templates {listed} is along the lookup chain", name_needles(names), CHAIN_HINT
        return not_found_message(names[0]), name_needles(names), CHAIN_HINT
    if isinstance(exc, jinja2.UndefinedError):
        return exc.message or str(exc), _identifiers(exc.message or "")[::-1], None
    if isinstance(exc, SecurityError):
        text = str(exc).rstrip(".")
        return f"refused by the template sandbox: {text}", _identifiers(text) or [Needle(q) for q in _QUOTED.findall(text)], None
    if isinstance(exc, RecursionError):
        return _recursion(line)
    if isinstance(exc, jinja2.TemplateError):
        return exc.message or str(exc), [Needle(q) for q in _QUOTED.findall(exc.message or "")], None
    needles = [Needle("//"), Needle("/"), Needle("%")] if isinstance(exc, ZeroDivisionError) else []
    return f"the template raised {type(exc).__name__}: {exc}", needles, None


def _recursion(line: str) -> tuple[str, list[Needle], str | None]:
    match = _STATEMENT.search(line)
    if match is None:
        return "endless recursion (a macro that calls itself?)", [], None
    name = match.group(3)
    message, hint = recursion_message(match.group(1), name)
    return message, name_needles([name]) if name else [Needle(match.group(1), True)], hint


def render_or_report(env: jinja2.Environment, name: str, values: dict[str, Any], diagnostics: Diagnostics) -> str | None:
    """Render template ``name`` with ``values``; None (and a located error) when the template fails."""
    try:
        return env.get_template(name).render(values)
    except Exception as exc:
        if not is_template_error(exc):
            raise
        report_template_error(exc, diagnostics)
        return None
