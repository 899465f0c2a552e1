"""One confinement rule for every file a case names or a template reaches.

Bibliography files, figures and panels, case templates and their includes,
stylesheets and their ``url()``s, CSL files: each is read only when it lies
inside one of the folders it may come from (the case folder, or the project's
and casepress's shared template folders). A name is refused, with a sentence
the caller turns into a located error at the field, when it

- is a URL (``http:``, ``file:``, ``data:`` ...), an absolute path, or empty;
- holds a NUL or other control character, or is longer than :data:`MAX_NAME`;
- escapes with ``..`` (checked on the name itself, before the file system is
  asked anything), or through a symlink that leaves the allowed folders
  (or loops);
- is not a regular file (a FIFO, a device, a folder) or is larger than the
  size limit of its kind.

Nothing here opens a file; callers open the path this module returns.
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MAX_NAME = 1024
"""Longest file name (in characters) a case may give; longer ones are refused, not passed to the OS."""

MiB = 1024 * 1024


@dataclass
class Refused(Exception):  # not frozen: raising sets __traceback__ and __cause__ on it
    """A path that may not be read; ``reason`` is one sentence, without the location."""

    reason: str
    """Why, e.g. ``'../x.bib' points outside the case folder``."""

    def __str__(self) -> str:
        return self.reason


class TooLarge(Refused):
    """A file over the size limit of its kind (callers may report it under a limit code)."""


def _scheme(name: str) -> bool:
    head, sep, _ = name.partition(":")
    # "C:" style drive letters are not schemes, but they are not relative paths either.
    return bool(sep) and head.isascii() and head.replace("+", "").replace("-", "").replace(".", "").isalnum()


def check_name(name: str, where: str = "the case folder", *, parents_ok: bool = False) -> str:
    """Refuse names that are not plain relative paths; return the normalised POSIX name.

    ``parents_ok`` lets a leading ``..`` through, for callers whose roots include
    folders above the base (:func:`resolve_inside` still refuses any escape from them).
    """
    if not name or not name.strip():
        raise Refused("the file name is empty")
    if len(name) > MAX_NAME:
        raise Refused(f"the file name is {len(name)} characters long (at most {MAX_NAME})")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise Refused(f"{name!r} contains a control character")
    if "://" in name or _scheme(name):
        raise Refused(f"'{name}' is a URL; casepress only reads files inside {where}")
    if name.startswith(("/", "\\")) or Path(name).is_absolute():
        raise Refused(f"'{name}' is an absolute path; give a path relative to {where}")
    normal = posixpath.normpath(name.replace("\\", "/"))
    if not parents_ok and (normal == ".." or normal.startswith("../")):
        raise Refused(f"'{name}' points outside {where}")
    return normal


def resolve_inside(name: str, base: Path, roots: Sequence[Path] | None = None, where: str = "the case folder",
                   *, parents_ok: bool = False) -> Path:
    """The real path of ``name`` relative to ``base``, refused unless it stays inside ``roots``.

    ``roots`` defaults to ``[base]``. Symlinks are followed and must not leave
    the roots; a symlink loop is refused. The file need not exist (callers
    report a missing file themselves, with their own hint).
    """
    normal = check_name(name, where, parents_ok=parents_ok)
    allowed = [Path(os.path.realpath(r)) for r in (roots if roots is not None else [base])]
    lexical = Path(os.path.normpath(os.path.join(os.path.realpath(base), normal)))
    if not any(lexical.is_relative_to(r) for r in allowed):
        raise Refused(f"'{name}' points outside {where}")
    try:
        real = lexical.resolve(strict=False)
    except (RuntimeError, OSError):  # RuntimeError: symlink loop (Python < 3.13)
        raise Refused(f"'{name}' is a symlink loop") from None
    if not any(real.is_relative_to(r) for r in allowed):
        raise Refused(f"'{name}' points outside {where} (through a symlink)")
    return real


def regular_file(path: Path, name: str, max_bytes: int) -> int:
    """Refuse anything but an existing regular file of at most ``max_bytes``; returns its size.

    Raises FileNotFoundError when nothing is there (the caller's missing-file
    error, with its hint), :class:`TooLarge` over the size, :class:`Refused` otherwise.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            raise Refused(f"'{name}' is a symlink loop") from None
        raise Refused(f"'{name}' cannot be read: {exc.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise Refused(f"'{name}' is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise Refused(f"'{name}' is not a regular file (a FIFO, socket or device)")
    if info.st_size > max_bytes:
        raise TooLarge(f"'{name}' is {info.st_size / MiB:.1f} MiB; the limit is {max_bytes // MiB} MiB")
    return info.st_size


def confined_file(name: str, base: Path, max_bytes: int, roots: Sequence[Path] | None = None,
                  where: str = "the case folder") -> Path:
    """:func:`resolve_inside` then :func:`regular_file`: the path of a file that may be read."""
    path = resolve_inside(name, base, roots, where)
    regular_file(path, name, max_bytes)
    return path


OUTPUT_FOLDER = "output"
"""The project's default output folder, from which no case may read a bibliography."""


def bibliography_path(name: str, case_dir: Path, project_root: Path | None) -> Path:
    """The real path bibliography file ``name`` names (it need not exist), refused unless it lies
    inside the case folder or the project folder (a ``..`` that stays in the project is fine) and
    not in the project's output folder. Raises :class:`Refused`.

    Reading it is :func:`casepress.cite.library.confined_bibliography`; the rebuild check and
    ``casepress watch`` take the path from here too, so they hash and watch the file read.
    """
    check_name(name, "the case folder", parents_ok=True)
    roots = [case_dir] + ([project_root] if project_root is not None else [])
    where = "the project folder" if project_root is not None else "the case folder"
    path = resolve_inside(name, case_dir, roots, where, parents_ok=True)
    if project_root is not None and path.is_relative_to(os.path.realpath(project_root / OUTPUT_FOLDER)):
        raise Refused(f"'{name}' is inside the output folder; keep the bibliography with the case")
    return path
