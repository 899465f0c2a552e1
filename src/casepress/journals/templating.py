"""The one Jinja environment factory: every template casepress renders goes through it.

The article, the CARE checklist, the collection page and the scaffold all render in
Jinja's :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` (templates cannot reach
Python internals, call unsafe methods or mutate what they are given), with
``StrictUndefined`` and, for HTML, autoescape. Templates are read only through
:class:`ConfinedLoader`, which applies :mod:`casepress.journals.template_files`: the one
confinement rule, the lookup chain and its ``base/`` prefix. The sandbox also caps
what ``*``, ``%`` and ``**`` may build (:data:`~casepress.core.limits.MAX_TEMPLATE_RESULT`),
so a template cannot exhaust memory with one expression, nor hang the compiler
(Jinja folds constant expressions while compiling).

Errors are reported by :mod:`casepress.journals.template_errors`, the one reporter.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from jinja2.parser import Parser
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup

from casepress.core.confine import Refused
from casepress.journals.journal import Journal
from casepress.core.limits import MAX_TEMPLATE_RESULT
from casepress.journals.template_files import Chain, FileRefused, article_chain, find_template

PASS_KEY = "_casepress_pass"
"""Context variable holding the article's rendering pass: the shared environment's helpers read
their per-render state from the context, so one environment serves concurrent renders."""


class TemplateRefused(jinja2.TemplateError):
    """A template name or file the loader will not read (not a TemplateNotFound: ``ignore
    missing`` must not hide it)."""

    def __init__(self, name: str, reason: str, path: Path | None = None,
                 line: int | None = None, column: int | None = None) -> None:
        super().__init__(reason)
        self.name = name
        """The name the template asked for."""
        self.reason = reason
        """Why, in one sentence."""
        self.path = path
        """The refused file (None when the name itself was refused)."""
        self.line = line
        """Line in that file, when the problem has one (bad UTF-8)."""
        self.column = column
        """Column in that file."""


class ConfinedLoader(jinja2.BaseLoader):
    """Loads templates along a :class:`~casepress.journals.template_files.Chain`, refusing what it must."""

    def __init__(self, chain: Chain) -> None:
        self.chain = chain

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        try:
            found = find_template(self.chain, template)
        except Refused as exc:
            raise TemplateRefused(template, exc.reason) from None
        except FileRefused as exc:
            raise TemplateRefused(template, exc.reason, exc.path) from None
        if found is None:
            raise jinja2.TemplateNotFound(template)
        named, real = found
        return read_source(template, named, real), str(named), _uptodate(named)


def read_source(template: str, named: Path, real: Path) -> str:
    """The text of a confined template file; bad UTF-8 is refused at its line and column."""
    data = real.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise TemplateRefused(template, f"'{template}' is not UTF-8 text", named, line, column) from None


def _uptodate(named: Path) -> Callable[[], bool]:
    """Jinja's reload check: the file (or what its symlink points to) has not changed."""
    def stamp() -> tuple[int, int, int] | None:
        try:
            info = os.stat(named)
        except OSError:
            return None
        return info.st_ino, info.st_size, info.st_mtime_ns

    first = stamp()
    return lambda: first is not None and stamp() == first


_WIDTH = re.compile(r"%[-#0 +]*(\d*)(?:\.(\d+))?")


class SandboxedTemplates(ImmutableSandboxedEnvironment):
    """The sandbox, with a cap on what one operator may build and syntax errors that keep
    their offending token (for the column)."""

    intercepted_binops = frozenset({"*", "%", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if _too_large(operator, left, right):
            raise SecurityError(f"'{operator}' would build a value larger than {MAX_TEMPLATE_RESULT:,} "
                                "characters, items or bits")
        return super().call_binop(context, operator, left, right)

    def _parse(self, source: str, name: str | None, filename: str | None) -> Any:
        parser = Parser(self, source, name, filename)
        try:
            return parser.parse()
        except jinja2.TemplateSyntaxError as exc:
            exc.casepress_token = parser.stream.current  # type: ignore[attr-defined]
            raise


def _too_large(operator: str, left: Any, right: Any) -> bool:
    """True when ``left operator right`` would exceed :data:`MAX_TEMPLATE_RESULT`."""
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, str | bytes | list | tuple) and isinstance(times, int):
                return len(seq) * times > MAX_TEMPLATE_RESULT
        return False
    if operator == "%":
        if not isinstance(left, str):
            return False
        widths = [int(n) for m in _WIDTH.finditer(left) for n in m.groups() if n]
        return any(w > MAX_TEMPLATE_RESULT for w in widths)
    if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
        return right * abs(left).bit_length() > MAX_TEMPLATE_RESULT
    return False


# --------------------------------------------------------------------------- the HTML helpers

@jinja2.pass_context
def _md(context: Any, text: Any) -> Markup:
    return context[PASS_KEY].md(text)  # type: ignore[no-any-return]


@jinja2.pass_context
def _md_inline(context: Any, text: Any) -> Markup:
    return context[PASS_KEY].md_inline(text)  # type: ignore[no-any-return]


@jinja2.pass_context
def _place(context: Any, float_id: str) -> Markup:
    return context[PASS_KEY].template_place(float_id)  # type: ignore[no-any-return]


@jinja2.pass_context
def _floats_remaining(context: Any) -> Markup:
    return context[PASS_KEY].floats_remaining()  # type: ignore[no-any-return]


def _long_date(value: Any) -> str:
    from casepress.check.generated import long_date

    return long_date(value)


def _plain(text: Any) -> str:
    from casepress.text.prose import plain_text

    return plain_text(str(text)) if text else ""


def _reported(value: Any) -> bool:
    from casepress.model import is_reported

    return is_reported(value)


def _html_helpers(env: jinja2.Environment) -> None:
    """The filters, functions and tests of the HTML templates (see render_html's docstring)."""
    env.filters.update(long_date=_long_date, md=_md, md_inline=_md_inline, plain=_plain)
    env.globals.update(place=_place, floats_remaining=_floats_remaining)
    env.tests["reported"] = _reported


# --------------------------------------------------------------------------- the factory

def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates on disk: a cold build skips compiling them (a large part of an
    HTML-only build). Jinja keys its buckets by the template's source only, but the code
    depends on the environment (the sandbox's calls, filters that take the context,
    autoescape): the folder is keyed by this module, which defines all of it, and Jinja's
    version, so compiled code never outlives them and unsandboxed code is never loaded."""
    from casepress.core.cache import cache_dir, code_digest, digest

    engine = digest(code_digest(__name__, libraries=("jinja2",)), SandboxedTemplates.__qualname__)[:16]
    folder = cache_dir() / "jinja" / engine
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def make_environment(chain: Chain, *, html: bool = True) -> SandboxedTemplates:
    """A new sandboxed environment reading ``chain``: for HTML (autoescape, block trimming,
    the article's helpers, compiled templates cached) or for plain text (the scaffold's YAML)."""
    env = SandboxedTemplates(
        loader=ConfinedLoader(chain),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        trim_blocks=html,
        lstrip_blocks=html,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache() if html else None,
    )
    if html:
        _html_helpers(env)
    return env


_ENVIRONMENTS: dict[tuple[str, ...], SandboxedTemplates] = {}
"""One HTML environment per chain for the process: Jinja then compiles each template once
(it still reloads a template whose file changed, which watch mode relies on)."""


def html_environment(chain: Chain) -> SandboxedTemplates:
    """The shared HTML environment of ``chain``."""
    key = chain.key()
    if key not in _ENVIRONMENTS:
        _ENVIRONMENTS[key] = make_environment(chain)
    return _ENVIRONMENTS[key]


def article_environment(journal: Journal, case_dir: Path) -> SandboxedTemplates:
    """The environment of a case's article and checklist (shared by every case with that chain)."""
    return html_environment(article_chain(journal, case_dir))


def forget_environments() -> None:
    """Drop the shared environments (watch mode, when a template file appears that may
    shadow one Jinja already loaded: Jinja re-checks loaded files, never new ones)."""
    _ENVIRONMENTS.clear()
