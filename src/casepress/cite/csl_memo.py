"""citeproc-py's style elements with the lookups they repeat memoised (see :class:`Memoized`).

Imports citeproc-py: only :mod:`casepress.cite.csl_citeproc` and :mod:`casepress.cite.csl_sort`
import this module, when a formatting run needs citeproc-py.
"""

from __future__ import annotations

from typing import Any

from citeproc import model  # type: ignore[import-untyped]

# ---------------------------------------------------------------------------------------
# XPath lookups, once per element and expression
# ---------------------------------------------------------------------------------------

_XPATH: dict[tuple[Any, str], Any] = {}
"""(element, expression) -> result. citeproc-py evaluates an XPath expression for every
option, term, macro and layout it looks up, for every item: with 571 items that was a
quarter of the formatting time. A loaded style's tree does not change while it renders
(its structure is fixed when it is parsed, see :class:`_StyleXML`; the only attributes
set later are cs:name's form and initialize-with, which no expression tests), so a result
never goes stale. The elements are the keys, which keeps their lxml proxies alive, so an
element is never confused with a later one."""
_XPATH_LIMIT = 200_000
"""Entries kept before the table starts afresh (a long process loading many styles)."""


_FORMAT_ATTRIBUTES = ("font-style", "font-variant", "font-weight", "text-decoration", "vertical-align")
"""The attributes citeproc-py's ``Formatted.format`` reads (an element without any leaves
the text as it is)."""


class Memoized:
    """Mixed into every element class of a style: :meth:`xpath_search` memoised, and the
    lookups citeproc-py repeats for every element of every item (the root, the formatter,
    a child by tag, formatting that is absent) answered from what the style fixed when it
    was parsed. Each of these ran hundreds of thousands of times for 571 entries."""

    _root: Any = None
    """The tree's root, set on every element when the style is parsed (see :func:`fix`)."""

    def get_root(self) -> Any:
        return self._root if self._root is not None else self.getroottree().getroot()  # type: ignore[attr-defined]

    def get_formatter(self) -> Any:
        root = self.get_root()
        return root.style.formatter if isinstance(root, model.Locale) else root.formatter

    def __getattr__(self, name: str) -> Any:
        """citeproc-py's ``self.layout``, ``self.sort``: the first child of that tag (fixed,
        as the XPath results are)."""
        if name.startswith("__"):
            raise AttributeError(name)
        key = (self, "cs:" + name)
        if key in _XPATH:
            return _XPATH[key]
        found = self.find("cs:" + name, self.nsmap)  # type: ignore[attr-defined]
        _XPATH[key] = found
        return found

    _formats: bool = True
    """The element sets one of :data:`_FORMAT_ATTRIBUTES` (set when the style is parsed,
    see :func:`fix`: no style changes them later)."""

    def format(self, string: Any) -> Any:
        """``Formatted.format``, skipped when the element sets no formatting."""
        if self._formats:
            return super().format(string)  # type: ignore[misc]
        return str(string) if isinstance(string, (int, float)) else string

    def xpath_search(self, expression: str) -> Any:
        key = (self, expression)
        found = _XPATH.get(key)
        if found is None:
            if len(_XPATH) >= _XPATH_LIMIT:
                _XPATH.clear()
            found = self.xpath(expression, namespaces=self.nsmap)  # type: ignore[attr-defined]
            found = tuple(found) if isinstance(found, list) else found
            _XPATH[key] = found
        return found


def fix(element: Memoized, root: Any) -> None:
    """Record on a parsed element what :class:`Memoized` answers from: its root, and
    whether it sets any formatting."""
    element._root = root
    attrib = element.attrib  # type: ignore[attr-defined]
    element._formats = any(name in attrib for name in _FORMAT_ATTRIBUTES)


_CITEPROC_CLASSES = {cls.__name__.replace("_", "-").lower(): cls
                     for cls in model.CitationStylesElement.__subclasses__()}
"""citeproc-py's element classes by CSL tag (taken before any subclass of ours exists)."""
MEMOIZED = {tag: type(cls.__name__, (Memoized, cls), {"__doc__": cls.__doc__})
             for tag, cls in _CITEPROC_CLASSES.items()}
"""The same classes with :class:`Memoized` mixed in."""
ANY_ELEMENT = type("CitationStylesElement", (Memoized, model.CitationStylesElement), {})
"""The class of an element with a tag citeproc-py has no class for."""
