"""A small on-disk cache of JSON records, shared by the stages that can skip work.

Records live under ``$CASEPRESS_CACHE_DIR`` (else ``$XDG_CACHE_HOME/casepress``, else
``~/.cache/casepress``), one file each, written atomically. Keys are content hashes
of everything that shapes a record, so a record is never stale; any failure (a
read-only disk, a corrupt file) is a miss: the cache only saves time, and deleting
it is always safe.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


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
