"""Code Python compiles at every import, compiled once and kept, as Python keeps a module's
bytecode in ``.pyc``: dataclass methods, regular expressions and forward references.

- ``dataclasses`` writes each class's ``__init__``, ``__repr__``, ``__eq__``, ``__hash__`` and
  (frozen) ``__setattr__``/``__delattr__`` as source text and compiles it with ``exec`` every
  time the class is defined. On the 2-core machine we measure on, that is about 1 ms per frozen
  dataclass, 0.9 ms of it compiling; a cold ``check`` defines 106 (casepress's own, and
  annotated-types' and markdown-it's), the HTML build 152.
- ``re`` parses and compiles every pattern in Python; the HTML build compiles about 200 (YAML's
  reader, Jinja's lexer, markdown-it's rules, ours), about 40 ms.

- ``typing`` compiles the text of every string annotation it meets into a ``ForwardRef``:
  pydantic-core's schema types alone are about 800 (``TypedDict`` classes of a module written
  with ``from __future__ import annotations``), about 10 ms of a cold ``check``.

Together that was about a sixth of a cold ``check`` or HTML build. :func:`install` gives
``dataclasses`` its own ``exec`` and ``typing`` its own ``compile`` (a module global shadows the
builtin; each module calls it only for these), and ``re`` its own pattern compiler: text seen before runs
from the code kept for it, in marshal files in the cache folder named by the interpreter's exact
build. The source text (the pattern and its flags) is the key, and what is kept is exactly what
Python's own compiler made of it, so a changed class or pattern is a new key and another Python
reads another file. Any failure to read or write a file leaves compiling as it was.
"""

from __future__ import annotations

import builtins
import marshal
import sys
from types import CodeType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from casepress.core.cache import JsonCache


class _Kept:
    """One kind of kept code: what is known, and what this process added. (Not a dataclass: it
    exists before there is kept code to define one with.)"""

    __slots__ = ("store", "name", "known", "added", "used")

    LIMIT = 5000
    """Entries a file may hold before a save keeps only what its process used (old classes and
    patterns of code since changed would otherwise pile up)."""

    def __init__(self) -> None:
        self.store: JsonCache | None = None
        """The cache folder the file is kept in (set at install)."""
        self.name = ""
        """The file's record name in it."""
        self.known: dict[Any, Any] = {}
        """Compiled form by source key, read from the file and added to."""
        self.added: list[Any] = []
        """Keys compiled in this process that the file lacks."""
        self.used: set[Any] = set()
        """Keys this process took from the file."""

    def get(self, key: Any) -> Any:
        """The kept compiled form of ``key``, or None."""
        found = self.known.get(key)
        if found is not None:
            self.used.add(key)
        return found

    def load(self, store: JsonCache, name: str) -> None:
        """Read the record ``name`` of ``store`` (keys already compiled in this process stay)."""
        self.store, self.name = store, name
        data = store.get_bytes(name, ".marshal")
        try:
            # loads of the whole file: marshal.load(stream) reads in small pieces, 10x slower
            loaded = marshal.loads(data) if data is not None else None
        except (ValueError, EOFError, TypeError):
            return  # a file this Python cannot read: compile as before
        if isinstance(loaded, dict):
            for key, value in loaded.items():
                self.known.setdefault(key, value)
            self.added[:] = [key for key in self.added if key not in loaded]

    def remember(self, key: Any, value: Any) -> Any:
        """Keep ``value``, compiled for ``key`` in this process; return it."""
        self.known[key] = value
        self.added.append(key)
        return value

    def save(self) -> None:
        """Write the file again when this process compiled what it lacked (atomically, as every
        cache record: a reader sees the old file or the new one)."""
        if not self.added or self.store is None:
            return
        kept = self.known
        if len(kept) > self.LIMIT:
            kept = {key: kept[key] for key in (*self.used, *self.added)}
        try:
            data = marshal.dumps(kept)
        except ValueError:  # a value marshal cannot write: keep the file as it is
            return
        self.store.put_bytes(self.name, data, ".marshal")


_methods = _Kept()
"""Dataclass methods: compiled code by source text."""

_patterns = _Kept()
"""Regular expressions: the arguments of ``_sre.compile`` by (pattern, flags)."""

_expressions = _Kept()
"""Forward references: compiled code by the annotation's text."""


def install() -> None:
    """Compile dataclass methods, regular expressions and forward references through the kept
    code (once per process)."""
    import dataclasses
    import re

    if getattr(dataclasses, "exec", None) is _exec:
        return
    dataclasses.exec = _exec  # type: ignore[attr-defined]
    import typing

    typing.compile = _compile_expression  # type: ignore[attr-defined]
    compiler = getattr(re, "_compiler", None)
    if compiler is not None and all(hasattr(compiler, name) for name in ("compile", "_code", "_parser", "_sre")):
        _compile.original = compiler.compile  # type: ignore[attr-defined]
        compiler.compile = _compile
    from casepress.core.cache import JsonCache  # defines a dataclass itself: after the patch

    store, tag = JsonCache.named("code"), _version_tag()
    _methods.load(store, f"dataclasses-{tag}")
    _patterns.load(store, f"regex-{tag}")
    _expressions.load(store, f"annotations-{tag}")
    import atexit

    for kept in (_methods, _patterns, _expressions):
        atexit.register(kept.save)


def _exec(source: Any, globals: dict[str, Any] | None = None, locals: dict[str, Any] | None = None, /) -> None:
    """``exec``, with source text run from its kept compiled code."""
    if type(source) is str:
        code: CodeType | None = _methods.get(source)
        if code is None:
            code = _methods.remember(source, compile(source, "<string>", "exec"))
        source = code
    builtins.exec(source, globals, locals)


def _compile_expression(source: Any, filename: Any, mode: str, *args: Any, **kwargs: Any) -> Any:
    """``compile``, with the text of a forward reference (``typing.ForwardRef``) compiled once."""
    if type(source) is not str or mode != "eval" or filename != "<string>" or args or kwargs:
        return compile(source, filename, mode, *args, **kwargs)
    code = _expressions.get(source)
    if code is None:
        code = _expressions.remember(source, compile(source, filename, mode))
    return code


def _compile(p: Any, flags: int = 0) -> Any:
    """``re._compiler.compile``, with a pattern's compiled form taken from the kept ones.

    What a miss stores is what ``re._compiler.compile`` itself hands ``_sre.compile`` (the same
    lines in Python 3.11 to 3.13). Parsed patterns (not text), debug output and locale-dependent
    flags take the original path."""
    import re

    compiler = re._compiler  # type: ignore[attr-defined]
    if type(p) not in (str, bytes) or flags & (re.DEBUG | re.LOCALE):
        return _compile.original(p, flags)  # type: ignore[attr-defined]
    key = (p, flags)
    kept = _patterns.get(key)
    if kept is None:
        parsed = compiler._parser.parse(p, flags)
        code = [int(op) for op in compiler._code(parsed, flags)]  # opcodes are int subclasses marshal refuses
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        kept = _patterns.remember(key, (int(flags | parsed.state.flags), code, parsed.state.groups - 1, groupindex, tuple(indexgroup)))
    final_flags, code, groups, groupindex, indexgroup = kept
    return compiler._sre.compile(p, final_flags, code, groups, groupindex, indexgroup)


def _version_tag() -> str:
    """A file name part that differs for every interpreter build (marshal, bytecode and the
    regular-expression engine's code change between versions)."""
    import zlib

    return f"{sys.implementation.cache_tag}-{zlib.crc32(sys.version.encode()):08x}"
