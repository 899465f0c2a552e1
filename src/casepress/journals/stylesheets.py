"""Every URL a document or its stylesheets would make WeasyPrint fetch, and which of them are refused.

CSS is read with tinycss2 (WeasyPrint's own tokenizer), so what casepress checks
is what WeasyPrint would fetch: escapes are decoded (``\\68ttp:`` is ``http:``,
``\\75rl(`` is ``url(``), comments are skipped, and every ``url()``,
``@import`` and ``@font-face`` source carries its line and column. Only the
build's own files (the case's figures and the templates' assets) may be fetched:
network URLs, ``file:`` URLs and paths leaving the case are refused, each an
error at its stylesheet's (or template's) line and column. ``casepress check``
runs this on the templates' sources and stylesheets; the build runs it again on
the finished HTML before any layout.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from casepress.core.diagnostics import Diagnostics, Location, display_path

BASE_URL = "https://casepress.invalid/case/"
"""The document's base URL: relative URLs resolve below it, and only those are served."""

_HTML_URL = re.compile(r'<(?:img|link|script|source|object|embed|iframe)\b[^>]*?\s(?:src|href|data)="([^"]*)"',
                       re.IGNORECASE)
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.IGNORECASE | re.DOTALL)
_STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_FETCHING_FUNCTIONS = frozenset({"url", "src"})


@dataclass(frozen=True)
class Reference:
    """One URL in a text, at its 1-based line and column."""

    url: str
    """The URL, escapes decoded."""
    line: int
    """Line of the ``url(``, ``@import`` or attribute value."""
    column: int
    """Column of it."""


def classify(url: str, base: str, files: Mapping[str, Path | bytes]) -> str | None:
    """None when the URL may be fetched, else why not."""
    if url.startswith(("data:", "#")) or not url:
        return None
    absolute = urljoin(base, url)
    parts = urlsplit(absolute)
    base_parts = urlsplit(BASE_URL)
    if (parts.scheme, parts.netloc) == (base_parts.scheme, base_parts.netloc):
        if not parts.path.startswith(base_parts.path):
            return "it points outside the case and template folders"
        name = unquote(parts.path.removeprefix(base_parts.path))
        return None if name in files else "it is not a file of the case or of its templates"
    if parts.scheme in ("http", "https"):
        return "it is on the network, and casepress builds offline: put the file in the case or template folder"
    if parts.scheme == "file":
        return "file:// URLs are not allowed: use a path relative to the case or template folder"
    return f"casepress does not fetch '{parts.scheme}:' URLs"


def css_references(css: str, declarations: bool = False) -> list[Reference]:
    """Every URL a stylesheet (or, with ``declarations``, a ``style`` attribute) would fetch."""
    import tinycss2

    if not css.strip():
        return []
    if declarations:
        nodes = tinycss2.parse_component_value_list(css, skip_comments=True)
    else:
        nodes = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return list(_walk(nodes))


def _walk(nodes: Iterable[Any]) -> Iterator[Reference]:
    for node in nodes:
        kind = node.type
        if kind == "url":
            yield Reference(node.value, node.source_line, node.source_column)
        elif kind == "function":
            first = next((a for a in node.arguments if a.type not in ("whitespace", "comment")), None)
            if node.lower_name in _FETCHING_FUNCTIONS and first is not None and first.type == "string":
                yield Reference(first.value, node.source_line, node.source_column)
            yield from _walk(node.arguments)
        elif kind == "at-rule":
            first = next((a for a in node.prelude if a.type not in ("whitespace", "comment")), None)
            if node.lower_at_keyword == "import" and first is not None and first.type == "string":
                yield Reference(first.value, node.source_line, node.source_column)
            yield from _walk(node.prelude)
            yield from _walk(node.content or [])
        elif kind == "qualified-rule":
            yield from _walk(node.prelude)
            yield from _walk(node.content)
        elif kind in ("() block", "[] block", "{} block"):
            yield from _walk(node.content)


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _shift(ref: Reference, text: str, offset: int) -> Reference:
    """A reference found in ``text[offset:]``, placed in ``text``."""
    line, column = _position(text, offset)
    return Reference(ref.url, line + ref.line - 1, ref.column + (column - 1 if ref.line == 1 else 0))


def html_references(html: str) -> list[Reference]:
    """URLs of an HTML text (or template): fetching attributes, ``<style>`` blocks, ``style`` attributes."""
    refs = []
    for match in _HTML_URL.finditer(html):
        refs.append(Reference(match.group(1), *_position(html, match.start(1))))
    for match in _STYLE_BLOCK.finditer(html):
        refs += [_shift(r, html, match.start(1)) for r in css_references(match.group(1))]
    for match in _STYLE_ATTRIBUTE.finditer(html):
        group = 1 if match.group(1) is not None else 2
        refs += [_shift(r, html, match.start(group)) for r in css_references(match.group(group), declarations=True)]
    return sorted(refs, key=lambda r: (r.line, r.column))


def refused(ref: Reference, why: str, location: Location | None, diagnostics: Diagnostics) -> None:
    """Record one refused URL."""
    diagnostics.error("fetch-refused", f"refused to fetch '{ref.url}': {why}", location)


def stylesheet_references(data: bytes) -> list[Reference]:
    """:func:`css_references` of a stylesheet file's bytes, cached by content (an unchanged
    stylesheet costs neither tinycss2's import nor a parse)."""
    from casepress.core.cache import JsonCache, digest
    from casepress.journals.template_files import engine

    cache = JsonCache.named("css-urls")
    key = digest(engine(), data)
    cached = cache.get(key)
    if isinstance(cached, list):
        return [Reference(*r) for r in cached]
    refs = css_references(data.decode("utf-8", errors="replace"))
    cache.put(key, [[r.url, r.line, r.column] for r in refs])
    return refs


def check_stylesheets(files: Mapping[str, Path | bytes], diagnostics: Diagnostics) -> bool:
    """Refuse every URL in the build's stylesheets (files, or bytes the build made) that would
    fetch from outside the build."""
    ok = True
    for name, source in files.items():
        if not name.endswith(".css"):
            continue
        shown = display_path(source) if isinstance(source, Path) else name
        data = source.read_bytes() if isinstance(source, Path) else source
        for ref in stylesheet_references(data):
            why = classify(ref.url, urljoin(BASE_URL, name), files)
            if why:
                refused(ref, why, Location(shown, ref.line, ref.column), diagnostics)
                ok = False
    return ok
