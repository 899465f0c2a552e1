"""The output folder as a store that a crash, a kill or a second build cannot corrupt.

A case folder is written whole into a hidden staging folder beside its place
(:mod:`casepress.build.output`), then swapped in here, under an exclusive lock on
the output folder itself (``fcntl.flock``, released by the kernel when its
holder dies), with a journal record written *before* the swap::

    .casepress-pending/<hash of slug>.json
        {"slug": ..., "entry": <manifest entry true before>,
         "next": {"staging": ..., "old": ..., "entry": <entry true after>}}

The swap is one atomic exchange of the two names on Linux (``renameat2``),
else two renames (``<slug>`` -> ``.<slug>.<pid>-<rand>.old``, staging ->
``<slug>``). Whatever instant a process dies at, the record says which state is
true: the swap happened exactly when ``<slug>`` is the staging folder (the
record holds its inode), and then ``next.entry`` is the truth; otherwise the
previous ``entry`` is (and a ``<slug>`` missing between the two renames is put
back from ``.old``). :func:`settle` (under the lock) applies that and hands the completed
entries to the manifest; :func:`peek` reads the same without changing anything,
so the manifest as casepress reads it is always in step with the folders.

Temporary names carry the writer's pid; :func:`sweep` removes leftovers whose
writer is dead (a concurrent build's are left alone).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PENDING = ".casepress-pending"
"""The journal folder in the output folder."""
LEGACY_AGE = 3600.0
"""Seconds after which a temporary name without a pid (older casepress) counts as stale."""

_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?:(?P<pid>\d+)-)?[A-Za-z0-9_]+\.(?:tmp|old)$")


def temp_prefix(name: str) -> str:
    """The prefix of a temporary name beside ``name``: ``.<name>.<pid>-`` (see :func:`sweep`)."""
    return f".{name}.{os.getpid()}-"


def replace_file(dest: Path, data: bytes) -> None:
    """Write ``dest`` through a temporary file in its folder, then rename it into place.

    A regular file that already holds exactly ``data`` is left alone, so a
    rebuild that changes nothing writes nothing (and works in a read-only folder).
    """
    if _holds(dest, data):
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=temp_prefix(dest.name), suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, dest)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _holds(dest: Path, data: bytes) -> bool:
    try:
        if not dest.is_file() or dest.is_symlink() or dest.stat().st_size != len(data):
            return False
        return dest.read_bytes() == data
    except OSError:
        return False


@contextlib.contextmanager
def lock(folder: Path) -> Iterator[None]:
    """Hold the output folder's exclusive lock (``flock`` on the folder itself, so no lock file
    is left in what gets published, and a read-only folder can be locked too).

    Creates the folder if needed; raises OSError when it can be neither created nor opened.
    """
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no locking
        yield
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _record_path(folder: Path, slug: str) -> Path:
    return folder / PENDING / f"{hashlib.sha256(slug.encode()).hexdigest()[:32]}.json"


def _read(path: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("slug"), str) else None


def _write(path: Path, record: dict[str, Any]) -> None:
    replace_file(path, json.dumps(record, sort_keys=True).encode("utf-8"))


def _identity(path: Path) -> list[int] | None:
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return [info.st_dev, info.st_ino]


def _resolve(folder: Path, record: dict[str, Any], mutate: bool) -> dict[str, Any] | None:
    """The manifest entry true now for the record's slug (None: the manifest's own is).

    The swap happened exactly when ``<slug>`` is the staging folder (same device
    and inode). With ``mutate`` (lock held), also finish an interrupted swap: put
    a missing folder back from ``.old`` and remove what is left over.
    """
    nxt = record.get("next")
    if not isinstance(nxt, dict):
        entry = record.get("entry")
        return entry if isinstance(entry, dict) else None
    staging, old = folder / str(nxt.get("staging")), folder / str(nxt.get("old"))
    target = folder / record["slug"]
    swapped = nxt.get("identity") is not None and _identity(target) == nxt.get("identity")
    if mutate:
        if not swapped and not os.path.lexists(target) and os.path.lexists(old):
            os.replace(old, target)  # killed between the two renames of the fallback swap
        for leftover in (staging, old):  # after an exchange, the staging name holds the old folder
            if os.path.lexists(leftover):
                shutil.rmtree(leftover, ignore_errors=True)
    entry = nxt.get("entry") if swapped else record.get("entry")
    return entry if isinstance(entry, dict) else None


def swap_in(target: Path, staging: Path, entry: dict[str, Any] | None) -> None:
    """Replace ``target`` with the finished ``staging`` folder; ``entry`` becomes its manifest entry.

    On OSError the previous folder is back in place and ``staging`` is removed.
    Killed or interrupted at any instant, the journal record lets :func:`settle`
    finish or undo the swap, so nothing here cleans up on other exceptions.
    """
    folder = target.parent
    old = folder / f"{temp_prefix(target.name)}{secrets.token_hex(4)}.old"
    record_path = _record_path(folder, target.name)
    try:
        with lock(folder):
            previous = _read(record_path)
            before = _resolve(folder, previous, mutate=True) if previous else None
            _write(record_path, {"slug": target.name, "entry": before, "next": {
                "staging": staging.name, "old": old.name, "identity": _identity(staging), "entry": entry}})
            try:
                swap_folders(target, staging, old)
            except OSError:
                _write(record_path, {"slug": target.name, "entry": before})
                raise
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for leftover in (staging, old):
        shutil.rmtree(leftover, ignore_errors=True)


def swap_folders(target: Path, staging: Path, old: Path) -> None:
    """Put ``staging`` in the place of ``target``.

    With a previous folder on Linux, one ``renameat2(RENAME_EXCHANGE)`` swaps the
    two names at once (the old folder ends up under the staging name), so there
    is no instant without ``target``. Elsewhere two renames: ``target`` ->
    ``old``, then ``staging`` -> ``target`` (the journal covers the gap).
    """
    if not os.path.lexists(target):
        os.replace(staging, target)
        return
    if EXCHANGE and _exchange(staging, target):
        return
    os.replace(target, old)
    try:
        os.replace(staging, target)
    except OSError:
        os.replace(old, target)  # put the previous output back
        raise


EXCHANGE = True
"""Use ``renameat2(RENAME_EXCHANGE)`` where the kernel and file system offer it."""
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two names atomically; False when the system cannot (then nothing changed)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: not offered here
        return False
    raise OSError(errno, os.strerror(errno), str(a), None, str(b))


def _records(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    journal = folder / PENDING
    if not journal.is_dir():
        return []
    found = []
    for path in sorted(journal.glob("*.json")):
        record = _read(path)
        if record is not None:
            found.append((path, record))
    return found


def peek(folder: Path) -> dict[str, dict[str, Any]]:
    """Completed swaps not yet in the manifest file: slug -> entry (reads only)."""
    found = {}
    for _, record in _records(folder):
        entry = _resolve(folder, record, mutate=False)
        if entry is not None:
            found[record["slug"]] = entry
    return found


def peek_slug(folder: Path, slug: str) -> dict[str, Any] | None:
    """:func:`peek` for one slug: its completed swap's entry, None when the manifest file's own is
    (one record read, however many swaps are pending)."""
    record = _read(_record_path(folder, slug))
    if record is None or record["slug"] != slug:
        return None
    return _resolve(folder, record, mutate=False)


@contextlib.contextmanager
def settle(folder: Path) -> Iterator[dict[str, dict[str, Any]]]:
    """Finish every interrupted swap (lock held) and yield the completed entries to save.

    The journal records are removed only after the body (which saves the
    manifest) returned normally, so a crash while saving loses nothing.
    """
    records = _records(folder)
    found = {}
    for _, record in records:
        entry = _resolve(folder, record, mutate=True)
        if entry is not None:
            found[record["slug"]] = entry
    yield found
    for path, _ in records:
        path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        (folder / PENDING).rmdir()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. EPERM: it exists, under another user
        return True
    return True


def sweep(folder: Path) -> list[str]:
    """Remove temporary folders and files left by dead writers (lock held); returns their names.

    Call after :func:`settle`, which owns the ones its journal names.
    """
    removed = []
    for place in (folder, folder / PENDING):
        removed += _sweep_one(place)
    with contextlib.suppress(OSError):
        (folder / PENDING).rmdir()  # only when empty: no record is pending
    return removed


def _sweep_one(folder: Path) -> list[str]:
    removed: list[str] = []
    try:
        names = [e.name for e in os.scandir(folder)]
    except OSError:
        return removed
    now = time.time()
    for name in names:
        match = _LEFTOVER.match(name)
        if match is None:
            continue
        path = folder / name
        pid = match.group("pid")
        if pid is not None:
            stale = not _alive(int(pid))
        else:
            try:
                stale = now - path.lstat().st_mtime > LEGACY_AGE
            except OSError:
                continue
        if not stale:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(name)
    return removed
