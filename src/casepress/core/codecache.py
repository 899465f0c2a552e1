"""Dataclass methods compiled once and kept, as Python keeps a module's bytecode in ``.pyc``.

``dataclasses`` writes each class's ``__init__``, ``__repr__``, ``__eq__``, ``__hash__`` and
(frozen) ``__setattr__``/``__delattr__`` as source text and compiles it with ``exec`` every time
the class is defined, that is at every import. On the 2-core machine we measure on, that costs
about 1 ms per frozen dataclass, 0.9 ms of it compiling; casepress defines about 140 of them and
its libraries (annotated-types, markdown-it) some more, so a cold ``check`` or HTML build spent
about a tenth of its time compiling the same text again.

:func:`install` gives the ``dataclasses`` module its own ``exec`` (a module global shadows the
builtin, and ``dataclasses`` calls ``exec`` only to build these methods): source text seen
before runs from its compiled code object, kept in a marshal file in the cache folder named by
the interpreter's exact version. The text is the key, so the code run is always what
``compile`` makes of that text: a class that changes has new text, and a cache from another
Python is another file. Any failure to read or write the file leaves compiling as it was.
"""

from __future__ import annotations

import builtins
import marshal
import os
import sys
from types import CodeType
from typing import Any

_codes: dict[str, CodeType] = {}
"""Compiled code by source text: read from the file at install, added to by new text."""

_added: list[str] = []
"""Source texts compiled in this process, not yet in the file."""


def install() -> None:
    """Compile dataclass methods through the code kept in the cache folder (once per process)."""
    import dataclasses

    if getattr(dataclasses, "exec", None) is _exec:
        return
    dataclasses.exec = _exec  # type: ignore[attr-defined]
    from casepress.core.cache import cache_dir  # defines a dataclass itself: after the line above

    path = os.path.join(cache_dir(), "code", f"dataclasses-{_version_tag()}.marshal")
    try:
        with open(path, "rb") as stream:
            loaded = marshal.load(stream)
        if isinstance(loaded, dict):
            for text, code in loaded.items():
                _codes.setdefault(text, code)
            _added[:] = [text for text in _added if text not in loaded]
    except (OSError, ValueError, EOFError, TypeError):
        pass  # no file yet, or one this Python cannot read: compile as before
    import atexit

    atexit.register(_save, path)


def _exec(source: Any, globals: dict[str, Any] | None = None, locals: dict[str, Any] | None = None, /) -> None:
    """``exec``, with source text run from its kept compiled code."""
    if type(source) is str:
        code = _codes.get(source)
        if code is None:
            code = _codes[source] = compile(source, "<string>", "exec")
            _added.append(source)
        source = code
    builtins.exec(source, globals, locals)


def _save(path: str) -> None:
    """Write the file again when this process compiled text it lacked (atomically: a reader
    sees the old file or the new one)."""
    if not _added:
        return
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as stream:
            marshal.dump(_codes, stream)
        os.replace(temporary, path)
    except (OSError, ValueError):
        try:
            os.unlink(temporary)
        except OSError:
            pass


def _version_tag() -> str:
    """A file name part that differs for every interpreter build (marshal and bytecode change
    between versions)."""
    import zlib

    return f"{sys.implementation.cache_tag}-{zlib.crc32(sys.version.encode()):08x}"
