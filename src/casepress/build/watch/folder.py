"""The preview folder (each file replaced atomically), and the warm Jinja environments."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from casepress.build.output import replace_file


class PreviewFolder:
    """The served folder: the latest good build's pages and the files they need.

    Files are replaced one by one, each atomically, rather than swapping the whole
    folder as ``casepress build`` does: a swap leaves an instant with no folder (a
    request then fails), and copying every font again on each keystroke is wasted time.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        """The folder served."""
        self._signatures: dict[str, tuple[object, ...]] = {}
        """Output-relative path -> what it was written from (a source's mtime and size, or a digest)."""

    def publish(self, texts: Mapping[str, str], blobs: Mapping[str, bytes], copies: Mapping[str, Path]) -> list[str]:
        """Write what a build gathered (as ``write_built`` would), skipping files that did not
        change, and remove the files the build no longer has. Returns every file now published.

        Pages go last, so a reloading page finds its figures and stylesheets in place.
        """
        for name, source in copies.items():
            stat = source.stat()
            self._put(name, ("copy", str(source), stat.st_mtime_ns, stat.st_size), source)
        for name, data in blobs.items():
            self._put(name, ("data", hashlib.blake2b(data).digest()), data)
        for name, text in texts.items():
            encoded = text.encode("utf-8")
            self._put(name, ("data", hashlib.blake2b(encoded).digest()), encoded)
        published = {*texts, *blobs, *copies}
        for name in set(self._signatures) - published:
            self._inside(name).unlink(missing_ok=True)
            del self._signatures[name]
        return sorted(published)

    def _put(self, name: str, signature: tuple[object, ...], content: bytes | Path) -> None:
        """Write ``name`` unless it was last written from the same ``signature``."""
        if self._signatures.get(name) != signature:
            data = content.read_bytes() if isinstance(content, Path) else content
            replace_file(self._inside(name), data)
            self._signatures[name] = signature

    def install(self, name: str, staged: Path) -> None:
        """Move a finished file (the PDF, written beside its place) into place atomically."""
        os.replace(staged, self._inside(name))

    def staging(self, name: str) -> Path:
        """A hidden path beside ``name`` to write it to first."""
        handle, path = tempfile.mkstemp(prefix=f".{Path(name).name}.", suffix=".tmp", dir=self.root)
        os.close(handle)
        return Path(path)

    def _inside(self, name: str) -> Path:
        dest = (self.root / name).resolve()
        if not dest.is_relative_to(self.root.resolve()):
            raise OSError(f"refusing to write outside the preview folder: {name}")
        return dest



def forget_templates() -> None:
    """Drop the process's Jinja environments, so the next build looks every template up again.

    ``render_html`` keeps one environment per lookup chain, and Jinja re-checks the
    mtime of each template it loaded, so an edited template is picked up without
    this. A *new* file that shadows a loaded one (a case's own ``templates/`` copy of
    a partial, say) is not: Jinja never looks for it. The watcher calls this on any
    change in a template folder; the next build compiles again (from Jinja's
    bytecode cache when one is set), every other build stays warm.
    """
    from casepress.outputs.html import forget_environments

    forget_environments()

