"""SVG figures: parsed by a real XML parser, published without metadata or anything active.

The parser is lxml's (libxml2) with the network off, no DTD loaded, entities not
expanded and libxml2's limits on (nesting depth, entity amplification): it runs in
linear time on any input, and malformed XML is an error with its line and column.
An SVG that declares an external entity is refused (casepress never reads a file an
SVG points to); one whose entities expand too far (an entity bomb) is refused by
libxml2's amplification limit. Simple internal entities (old Illustrator files
declare their namespaces so) are expanded.

:func:`sanitize` then removes, from the parsed tree,

- ``<script>``, ``<foreignObject>``, ``<metadata>``, SVG Tiny's ``<handler>`` and
  ``<listener>``, animations that set a link or an event handler, and every element
  outside the SVG namespace (editors' private data, XHTML, RDF);
- event-handler attributes (``on*``), attributes outside the SVG, XLink and XML
  namespaces (``sodipodi:docname``, ``inkscape:export-filename`` ...) and ``xml:base``;
- every link (``href``, ``xlink:href``) except in-document ``#fragments`` and embedded
  raster images (``data:image/png;base64,...``), which are checked and stripped of
  their own metadata in turn;
- external ``url()`` references and ``@import`` rules in ``style`` attributes,
  ``<style>`` elements and presentation attributes (``url(#gradient)`` stays); CSS
  written with escapes is dropped whole;
- comments (except inside ``<style>``, where ``<!--`` may wrap the CSS itself),
  processing instructions (``<?xml-stylesheet?>`` included) and the DOCTYPE.

Titles, descriptions and text are the author's content (and the figure's accessible
text): they are kept, and the de-identification lint reports names in them.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any

from casepress.check.images.errors import ImageError, unreadable

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

_DROPPED = frozenset({"script", "foreignObject", "metadata", "handler", "listener"})
"""SVG elements that run code, embed other documents or hold metadata."""
_ANIMATIONS = frozenset({"set", "animate", "animateColor", "animateMotion", "animateTransform"})
_NEED_LINK = frozenset({"image", "use", "feImage", "tref", "mpath"})
"""Elements that show nothing without their link (and trip renderers when it is gone)."""
# Patterns, compiled on first use (re's cache keeps them): importing the check compiles nothing.
_DATA_IMAGE = r"(?is)data:image/(?:png|jpe?g|gif|webp);base64,(?P<data>.*)"
_CSS_URL = r"""(?i)url\(\s*(?:"([^"(\n]*)"|'([^'(\n]*)'|([^)\s'"(]*))\s*\)"""
_CSS_IMPORT = r"(?i)@import\b[^;]*;?"


def looks_like_svg(data: bytes) -> bool:
    """True when ``data`` starts like an XML document with an ``<svg`` element early on."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")) and b"<svg" in data[:65536].lower()


def _parser(resolve: bool | str) -> Any:
    from lxml import etree

    # (Not collect_ids=False: with it, libxml2 goes to fetch the external DTD an SVG names.)
    return etree.XMLParser(resolve_entities=resolve, no_network=True, load_dtd=False, dtd_validation=False,
                           attribute_defaults=False, huge_tree=False)


def _syntax_error(exc: Any, name: str) -> ImageError:
    entry = exc.error_log.last_error if exc.error_log else None
    message = (entry.message if entry is not None else str(exc)).strip().rstrip(".")
    line, column = (entry.line, entry.column) if entry is not None else exc.position
    where = f"line {line}, column {column}"
    if "amplification" in message or "entity reference loop" in message.lower():
        # (libxml2 reports where it gave up, not where the bomb is: no position is given.)
        return ImageError("image-unsafe", f"'{name}' is refused: its entities expand too far (an entity bomb)")
    if "Excessive depth" in message:
        return unreadable(f"'{name}' nests its elements more than 256 deep ({where})")
    return unreadable(f"'{name}' is not well-formed XML: {message} ({where})")


def _parse(data: bytes, name: str, resolve: bool | str) -> Any:
    from lxml import etree

    try:
        return etree.fromstring(data, _parser(resolve))
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, name) from None
    except (ValueError, etree.LxmlError) as exc:  # e.g. an unknown encoding
        raise unreadable(f"'{name}' is not a readable SVG file: {exc}") from None


def parse_svg(data: bytes, name: str) -> Any:
    """The root ``<svg>`` element of ``data``; ImageError for malformed, unsafe or non-SVG XML.

    Nothing is ever loaded: not the DTD an SVG names (``svg11.dtd``), not an entity.
    Plain-text internal entities are expanded here, in the tree.
    """
    from lxml import etree

    root = _parse(data, name, False)
    dtd = root.getroottree().docinfo.internalDTD
    declared: dict[str, str] = {}
    for entity in dtd.iterentities() if dtd is not None else ():
        if entity.system_url is not None or entity.content is None:
            url = f" ({entity.system_url})" if entity.system_url else ""
            raise ImageError("image-unsafe", f"'{name}' is refused: it declares an external entity "
                                             f"'{entity.name}'{url}, and casepress never reads files an SVG names")
        if "&" in entity.content or "<" in entity.content or "%" in entity.content:
            raise ImageError("image-unsafe", f"'{name}' is refused: its entity '{entity.name}' holds markup or "
                                             "other entities (casepress expands only plain-text entities)")
        declared[entity.name] = entity.content
    if declared:
        _expand(root, declared)
    for node in root.iter(etree.Entity):
        raise unreadable(f"'{name}' uses the entity '&{node.name};', which it does not declare "
                         f"(line {node.sourceline})")
    if root.tag != f"{{{SVG_NS}}}svg":
        local = etree.QName(root).localname if isinstance(root.tag, str) else "?"
        raise ImageError("unsupported-image", f"'{name}' is XML, but not an SVG image (its root element is "
                                              f"<{local}>, not <svg> in the SVG namespace)")
    return root


def _expand(root: Any, declared: dict[str, str]) -> None:
    """Replace references to the declared plain-text entities by their text (the output
    has no DOCTYPE to declare them); an undeclared one is left for the caller to refuse."""
    from lxml import etree

    for element in root.iter(tag=etree.Element):
        for key, value in element.attrib.items():
            element.set(key, value)  # libxml2 keeps attribute entity references: make them text
    for node in list(root.iter(etree.Entity)):
        if node.name in declared:
            node.tail = declared[node.name] + (node.tail or "")
            _remove(node)


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _clean_css(text: str) -> str | None:
    """CSS with its external ``url()``s and ``@import``s removed; None to drop it whole."""
    if "\\" in text:
        return None  # an escape can spell url( or an import in a way no pattern sees
    text = re.sub(_CSS_IMPORT, "", text)

    def local_only(match: re.Match[str]) -> str:
        target = next((g for g in match.groups() if g is not None), "").strip()
        return match.group(0) if target.startswith("#") else "none"

    return re.sub(_CSS_URL, local_only, text)


def _clean_style(style: Any) -> None:
    """A ``<style>`` element: its CSS (the text a renderer joins, around any comments or
    other nodes) cleaned as one; comments kept after it, their text cleaned as CSS too."""
    from lxml import etree

    css = (style.text or "") + "".join(child.tail or "" for child in style)
    comments = [child for child in style if child.tag is etree.Comment]
    for child in list(style):
        style.remove(child)
    style.text = (_clean_css(css) or None) if css else None
    for comment in comments:
        comment.text = _clean_css(comment.text or "") or ""
        comment.tail = None
        style.append(comment)


class _Sanitizer:
    """One pass over a parsed SVG; ``strip_embedded`` checks and strips an embedded raster."""

    def __init__(self, name: str, strip_embedded: Callable[[bytes, str], bytes]) -> None:
        self.name = name
        self.strip_embedded = strip_embedded
        self.embedded = 0

    def run(self, root: Any) -> None:
        from lxml import etree

        self._attributes(root)
        stack = [root]
        while stack:
            element = stack.pop()
            if _split(element.tag)[1] == "style":
                _clean_style(element)
                continue
            for child in list(element):
                if not isinstance(child.tag, str):  # comment, processing instruction, entity
                    _remove(child)
                elif self._dropped(child):
                    _remove(child)
                else:
                    self._attributes(child)
                    if _split(child.tag)[1] in _NEED_LINK and not _has_link(child):
                        _remove(child)
                    else:
                        stack.append(child)
        etree.cleanup_namespaces(root)

    def _dropped(self, element: Any) -> bool:
        namespace, local = _split(element.tag)
        if namespace != SVG_NS or local in _DROPPED:
            return True
        if local in _ANIMATIONS:
            target = (element.get("attributeName") or "").rpartition(":")[2].strip().lower()
            return target == "href" or target.startswith("on")
        return False

    def _attributes(self, element: Any) -> None:
        for key in list(element.attrib):
            namespace, local = _split(key)
            value = element.attrib[key]
            keep: str | None = value
            if local.lower().startswith("on") or namespace not in ("", XLINK_NS, XML_NS):
                keep = None
            elif namespace == XML_NS:
                keep = None if local == "base" else value
            elif namespace == XLINK_NS and local not in ("href", "title"):
                keep = None
            elif local == "href":
                keep = self._href(value)
            elif local == "style" or "url(" in value.lower():
                keep = _clean_css(value)
            if keep is None:
                del element.attrib[key]
            elif keep != value:
                element.attrib[key] = keep

    def _href(self, value: str) -> str | None:
        target = value.strip()
        if target.startswith("#"):
            return value
        match = re.fullmatch(_DATA_IMAGE, target)
        if match is None:
            return None  # javascript:, http(s):, file:, other files, other data: documents
        self.embedded += 1
        label = f"embedded image {self.embedded} of '{self.name}'"
        try:
            raw = base64.b64decode(re.sub(r"\s", "", match.group("data")), validate=True)
        except (binascii.Error, ValueError):
            raise unreadable(f"{label} is not valid base64") from None
        stripped = self.strip_embedded(raw, label)
        head = target[: match.start("data")]
        return head + base64.b64encode(stripped).decode("ascii")


def _has_link(element: Any) -> bool:
    return element.get("href") is not None or element.get(f"{{{XLINK_NS}}}href") is not None


def _remove(node: Any) -> None:
    """Remove ``node`` from its parent, keeping the text that follows it."""
    parent = node.getparent()
    tail = node.tail
    if tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(node)


def sanitize_svg(data: bytes, name: str, strip_embedded: Callable[[bytes, str], bytes]) -> bytes:
    """The published form of an SVG: parsed, sanitized (see the module), serialized as UTF-8.

    ``strip_embedded(raw, label)`` checks an embedded raster image and returns it
    without metadata (raising ImageError when it cannot be shown).
    """
    from lxml import etree

    root = parse_svg(data, name)
    _Sanitizer(name, strip_embedded).run(root)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"
