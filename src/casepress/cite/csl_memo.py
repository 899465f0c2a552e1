"""citeproc-py's style elements with the lookups they repeat memoised (see :class:`Memoized`).

Imports citeproc-py: only :mod:`casepress.cite.csl_citeproc` and :mod:`casepress.cite.csl_sort`
import this module, when a formatting run needs citeproc-py.
"""

from __future__ import annotations

from typing import Any

from citeproc import CitationItem, model  # type: ignore[import-untyped]
from citeproc.source import VariableError  # type: ignore[import-untyped]
from citeproc.string import join  # type: ignore[import-untyped]

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


_NAMES_TAG = "{http://purl.org/net/xbiblio/csl}names"

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

    _kids: tuple[tuple[Any, bool], ...] | None = None
    """The children, each with "is a cs:choose" (kept for all but cs:names, the one
    element citeproc-py adds a child to while rendering)."""

    def fixed_children(self) -> tuple[tuple[Any, bool], ...]:
        """The children, each with "is a cs:choose", listed once (lxml made a new
        iterator and found each child's proxy on every visit)."""
        kids = self._kids
        if kids is None:
            kids = tuple((child, isinstance(child, model.Choose)) for child in self.iterchildren())  # type: ignore[attr-defined]
            if self.tag != _NAMES_TAG:  # type: ignore[attr-defined]
                self._kids = kids
        return kids

    def render_children(self, item: Any, delimiter: str = "", **kwargs: Any) -> Any:
        """citeproc-py's ``Parent.render_children``, step for step, over :meth:`fixed_children`."""
        output = []
        for child, choose in self.fixed_children():
            try:
                text = child.render(item, delimiter=delimiter, **kwargs) if choose else child.render(item, **kwargs)
                if text is not None:
                    output.append(text)
            except VariableError:
                pass
        return join(output, delimiter) if output else None

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


class _Choose(Memoized, model.Choose):
    """``cs:choose``: citeproc-py's ``Choose.render`` over :meth:`Memoized.fixed_children`
    (it listed the branches anew on each of 25,000 visits)."""

    def render(self, item: Any, context: Any = None, delimiter: str = "", **kwargs: Any) -> Any:
        for child, _ in self.fixed_children():
            try:
                return child.render(item, context=context, delimiter=delimiter, **kwargs)
            except model.ConditionFailed:
                continue
        return None


MEMOIZED["choose"] = _Choose


class _FoundOnce:
    """A non-data descriptor: the first read looks the reference up and stores it in the
    item's ``__dict__``, where every later read finds it as a plain attribute (no call;
    a property ran Python code for each of those 200,000 reads)."""

    def __get__(self, item: Any, owner: Any = None) -> Any:
        if item is None:
            return self
        found = item.bibliography.source[item.key]
        item.__dict__["reference"] = found
        return found


class Item(CitationItem):
    """A citeproc-py CitationItem that finds its reference once: citeproc-py looked it up
    through the citation and the bibliography (three dictionary lookups in Python) every
    time an element read a variable, some 200,000 times for 571 entries. An item belongs
    to one citation of one bibliography, whose source keeps the same reference objects."""

    reference = _FoundOnce()
