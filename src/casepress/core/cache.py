"""A small on-disk cache of JSON records, shared by the stages that can skip work.

Records live under ``$CASEPRESS_CACHE_DIR`` (else ``$XDG_CACHE_HOME/casepress``, else
``~/.cache/casepress``), one file each, written atomically. Keys are content hashes
of everything that shapes a record, so a record is never stale; any failure (a
read-only disk, a corrupt file) is a miss: the cache only saves time, and deleting
it is always safe. :func:`code_digest` is the one way a key names the code that makes its
record: casepress's own modules and third-party libraries' versions.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casepress import __version__


def cache_dir() -> Path:
    """The cache's root folder."""
    explicit = os.environ.get("CASEPRESS_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "casepress"


def digest(*parts: Any) -> str:
    """A stable hash of JSON-able parts (bytes are hashed as they are)."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else json.dumps(part, sort_keys=True, ensure_ascii=False).encode()
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
"""casepress's own folder, where :func:`code_digest` finds the modules it is named."""


@functools.cache
def code_digest(*modules: str, libraries: tuple[str, ...] = ()) -> str:
    """A hash of the code that makes a cached record, for its key: the bytes (and paths) of the
    casepress ``modules`` (dotted names; a package stands for every ``.py`` under it), the
    installed versions of the third-party ``libraries`` (import names), Python's and casepress's
    versions. Everything is read as files, nothing is imported: importing the code is what a
    cache hit saves. Memoised for the process (code does not change under a running process).
    A name that is no casepress module raises ValueError; an unreadable file, OSError."""
    parts: list[str | bytes] = [sys.version, __version__]
    for path in sorted({path for name in modules for path in _module_files(name)}):
        with open(path, "rb") as stream:
            parts += [path[len(_PACKAGE) + 1:].replace(os.sep, "/").encode(), stream.read()]
    parts += [_library_version(name) for name in sorted(set(libraries))]
    return digest("code", *parts)


def _module_files(name: str) -> list[str]:
    """The source files of the casepress module or package ``name``, found without importing it."""
    top, _, rest = name.partition(".")
    if top != "casepress":
        raise ValueError(f"not a casepress module: {name!r}")
    base = os.path.join(_PACKAGE, *rest.split(".")) if rest else _PACKAGE
    if os.path.isfile(os.path.join(base, "__init__.py")):
        found: list[str] = []
        for folder, folders, names in os.walk(base):
            folders[:] = [sub for sub in folders if sub != "__pycache__"]  # only compiled files there
            found += [os.path.join(folder, file) for file in names if file.endswith(".py")]
        return found
    if os.path.isfile(f"{base}.py"):
        return [f"{base}.py"]
    raise ValueError(f"no such casepress module: {name!r}")


_DISTRIBUTIONS = {"PIL": "pillow", "citeproc": "citeproc-py"}
"""Distribution names of the libraries whose import name differs (the others are named alike)."""


@functools.cache
def _library_version(name: str) -> str:
    """The installed version of the library imported as ``name``, read without importing it: the
    name of the ``*.dist-info`` (or ``*.egg-info``) folder installed beside it, which holds the
    distribution's name and version. importlib.metadata would find the same, but importing it
    costs more than a warm run (and its lookup lists every path entry); a version file differs
    by library (pydantic-core keeps its version in its compiled extension only). ``name`` is a
    top-level name: finding a submodule would import its package."""
    from importlib.util import find_spec

    if "." in name:
        raise ValueError(f"not a top-level import name: {name!r}")
    spec = find_spec(name)
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    origin = spec.origin if spec is not None and spec.origin and os.path.isfile(spec.origin) else None
    if origin is not None:  # a package's folder (or a module's file) stands beside the metadata
        folder = os.path.dirname(os.path.dirname(origin) if locations else origin)
    elif locations:  # a namespace package: no file of its own
        folder = os.path.dirname(locations[0])
    else:
        return f"{name}: absent"
    found = _installed(folder).get(_normalized(_DISTRIBUTIONS.get(name, name)))
    return f"{name}: {' '.join(found) if found else _unlisted_version(name, origin)}"


def _unlisted_version(name: str, origin: str | None) -> str:
    """The version of a library whose metadata is not beside it (an editable install, say): asked
    of importlib.metadata (slow, but such an install is rare); for a library with no metadata at all
    (a source tree on the path), the bytes of its first file (where libraries keep ``__version__``)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(_DISTRIBUTIONS.get(name, name))
    except PackageNotFoundError:
        return hashlib.sha256(Path(origin).read_bytes()).hexdigest() if origin else "unknown"


def _normalized(distribution: str) -> str:
    """A distribution's name as metadata folders compare (PEP 503: case and ``-_.`` runs do not count)."""
    return "_".join(part for part in distribution.lower().replace("-", "_").replace(".", "_").split("_") if part)


@functools.cache
def _installed(folder: str) -> dict[str, tuple[str, ...]]:
    """The metadata folders in ``folder`` (a site-packages folder, listed once for all its
    libraries) by normalized distribution name; two for one name where an install left a stale one."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return {}
    found: dict[str, tuple[str, ...]] = {}
    for entry in names:
        if entry.endswith((".dist-info", ".egg-info")):
            key = _normalized(entry.split("-", 1)[0])
            found[key] = (*found.get(key, ()), entry)
    return found


@dataclass(frozen=True)
class JsonCache:
    """JSON records in one namespace (a sub-folder of the cache)."""

    root: Path | None
    """The namespace's folder, or None when caching is off."""

    @classmethod
    def named(cls, namespace: str, enabled: bool = True) -> JsonCache:
        """The cache for ``namespace`` (e.g. ``bib`` or ``csl``)."""
        return cls(cache_dir() / namespace if enabled else None)

    def get(self, key: str) -> Any:
        """The record, or None on a miss."""
        data = self.get_bytes(key, ".json")
        if data is None:
            return None
        try:
            return json.loads(data)
        except ValueError:
            return None

    def put(self, key: str, value: Any) -> None:
        """Store a record (silently does nothing when the disk refuses)."""
        if self.root is not None:
            # dumps, not dump: json.dump encodes in Python, chunk by chunk; dumps uses the C
            # encoder (the same text; 571 formatted entries plus their library took 0.1 s)
            self.put_bytes(key, json.dumps(value, ensure_ascii=False).encode("utf-8"), ".json")

    def get_bytes(self, key: str, suffix: str = ".bin") -> bytes | None:
        """A record kept as bytes (not JSON: a published figure, say), or None on a miss."""
        if self.root is None:
            return None
        try:
            return (self.root / key[:2] / f"{key}{suffix}").read_bytes()
        except OSError:
            return None

    def put_bytes(self, key: str, data: bytes, suffix: str = ".bin") -> None:
        """Store a record of bytes, atomically (silently does nothing when the disk refuses)."""
        if self.root is None:
            return
        import tempfile  # only a miss writes: a warm run never pays for the import

        folder = self.root / key[:2]
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=suffix)
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, folder / f"{key}{suffix}")
        except OSError:
            pass
