"""Stage 1, load: read case YAML safely and remember where every node stands.

PyYAML's composer gives nodes with start and end marks; we build plain Python
values from those nodes ourselves so that we can keep a map from each field
path to its position, refuse duplicate keys, and leave dates as the strings the
author typed (the case model parses them and reports impossible ones). A float
written as decimals keeps its text too (:class:`~casepress.model.base.SourceFloat`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from casepress.core.diagnostics import Diagnostics, FieldPath, Location, display_path
from casepress.model.base import DECIMAL_TEXT, SourceFloat

try:  # libyaml is several times faster; the pure-Python loader is the fallback.
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


@dataclass(frozen=True, slots=True)
class Mark:
    """A position in the source text."""

    index: int
    """0-based character offset into the file's text."""
    line: int
    """1-based line."""
    column: int
    """1-based column (in characters)."""


@dataclass(frozen=True, slots=True)
class NodeSpan:
    """Where one value of the document stands in its file."""

    start: Mark
    """Start of the value."""
    end: Mark
    """End of the value (exclusive)."""
    key: Mark | None = None
    """Start of the mapping key naming the value, when the value belongs to a mapping."""
    style: str | None = None
    """Scalar style: None (plain), '|' (literal), '>' (folded), "'" or '"' (quoted)."""


@dataclass
class SourceDocument:
    """A loaded YAML file: its text, its plain data, and the position of every node."""

    path: Path
    """The file on disk."""
    text: str
    """The whole file's text."""
    data: Any
    """The document as plain dicts, lists, strings, numbers, booleans and None."""
    spans: dict[FieldPath, NodeSpan] = field(default_factory=dict)
    """Position of every value, by field path (the root is the empty tuple)."""
    _line_starts: list[int] = field(default_factory=list, repr=False)
    _checkpoints: dict[FieldPath, list[tuple[int, int]]] = field(default_factory=dict, repr=False)
    """Per field, alignment states (value offset, raw index) every few hundred characters,
    so that locating many offsets in one long value costs linear time, in any order."""
    _display: str | None = field(default=None, repr=False)

    @property
    def display(self) -> str:
        """The file name as diagnostics show it."""
        if self._display is None:
            self._display = display_path(self.path)
        return self._display

    def _mark(self, index: int) -> Location:
        if not self._line_starts:
            self._line_starts = [0] + [i + 1 for i, c in enumerate(self.text) if c == "\n"]
        line = bisect.bisect_right(self._line_starts, index) - 1
        return Location(self.display, line + 1, index - self._line_starts[line] + 1)

    def span(self, path: FieldPath) -> tuple[FieldPath, NodeSpan | None]:
        """The span of ``path``, or of its nearest ancestor that exists in the file."""
        probe = tuple(path)
        while probe and probe not in self.spans:
            probe = probe[:-1]
        return probe, self.spans.get(probe)

    def location(self, path: FieldPath, *, key: bool = False) -> Location:
        """Where the value at ``path`` stands (or its key, with ``key=True``).

        A path that is not in the file (a missing field) points at its nearest
        present ancestor's key, which is where the author has to add it.
        """
        found, span = self.span(path)
        if span is None:
            return Location(self.display, 1, 1)
        if found != tuple(path) or key:
            mark = span.key or span.start
        else:
            mark = span.start
        return Location(self.display, mark.line, mark.column)

    def location_in_text(self, path: FieldPath, offset: int) -> Location:
        """Where character ``offset`` of the string at ``path`` stands in the file.

        YAML folding, indentation and quoting only change whitespace and escape
        characters, so we align the value's non-space characters with the raw
        source's; this is exact for literal and folded blocks and plain scalars,
        and close for quoted scalars with escapes.
        """
        found, span = self.span(path)
        value = self.value_at(path)
        if span is None or found != tuple(path) or not isinstance(value, str):
            return self.location(path)
        raw_start = span.start.index
        if span.style in ("|", ">"):
            newline = self.text.find("\n", raw_start, span.end.index)
            raw_start = newline + 1 if newline != -1 else raw_start
        elif span.style in ("'", '"'):
            raw_start += 1
        checkpoints = self._checkpoints.setdefault(found, [(0, raw_start)])
        first, r = checkpoints[bisect.bisect_right(checkpoints, (offset, len(self.text))) - 1]
        raw_index = _align(value, offset, self.text, raw_start, span.end.index, first, r, checkpoints)
        return self._mark(raw_index)

    def value_at(self, path: FieldPath) -> Any:
        """The plain value at ``path``, or None when absent."""
        node: Any = self.data
        for part in path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return None
        return node


_CHECKPOINT_EVERY = 256
"""Value characters between two alignment checkpoints (see ``SourceDocument.location_in_text``)."""


def _align(value: str, offset: int, raw: str, start: int, end: int,
           first: int, r: int, checkpoints: list[tuple[int, int]]) -> int:
    """Index in ``raw`` of the character at ``value[offset]`` (see location_in_text).

    The value starts at ``raw[start]``; the walk resumes from the state ``(first, r)``
    (``value[first]`` is looked for from ``raw[r]`` on), a checkpoint of an earlier walk,
    and appends a checkpoint every :data:`_CHECKPOINT_EVERY` characters it walks past
    the last one.
    """
    last = checkpoints[-1][0]
    for i in range(first, min(offset + 1, len(value))):
        if i > last and i % _CHECKPOINT_EVERY == 0:
            checkpoints.append((i, r))
            last = i
        char = value[i]
        if char.isspace():
            continue
        probe = r
        # Look ahead a little: skipped characters are whitespace, line indentation,
        # escape backslashes or doubled quotes.
        while probe < end and raw[probe] != char and probe - r < 16:
            probe += 1
        if probe < end and raw[probe] == char:
            if i == offset:
                return probe
            r = probe + 1
        elif i == offset:
            return min(r, max(end - 1, start))
    return min(r, max(end - 1, start))


def load_yaml(path: Path, diagnostics: Diagnostics) -> SourceDocument | None:
    """Read and parse one YAML file; problems go to ``diagnostics``; None when unusable."""
    from casepress.core.confine import Refused, regular_file
    from casepress.core.limits import MAX_CASE_BYTES

    shown = display_path(path)
    try:
        regular_file(path, path.name, MAX_CASE_BYTES)  # a FIFO would block, a huge file exhaust memory
        raw = path.read_bytes()
    except FileNotFoundError:
        diagnostics.error("file-not-found", f"no such file: {shown}", Location(shown))
        return None
    except Refused as refusal:
        diagnostics.error("file-unreadable", f"cannot read {shown}: {refusal.reason}", Location(shown))
        return None
    except OSError as exc:
        diagnostics.error("file-unreadable", f"cannot read {shown}: {exc.strerror}", Location(shown))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        diagnostics.error(
            "encoding",
            "the file is not valid UTF-8; save it as UTF-8",
            Location(shown, line, column),
        )
        return None
    return parse_yaml(text, path, diagnostics)


def parse_yaml(text: str, path: Path, diagnostics: Diagnostics) -> SourceDocument | None:
    """Parse YAML text already in memory (see :func:`load_yaml`)."""
    from casepress.load.yaml_guard import Violation, check_characters, check_events

    doc = SourceDocument(path=path, text=text, data=None)
    try:
        check_characters(text)
        check_events(yaml.parse(text, Loader=_Loader))
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except Violation as violation:
        diagnostics.error(violation.code, violation.message, Location(doc.display, violation.line, violation.column))
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        location = Location(doc.display, mark.line + 1, mark.column + 1) if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        diagnostics.error("yaml-syntax", f"YAML syntax error: {problem}{context}", location)
        return None
    except yaml.YAMLError as exc:  # e.g. a reader error on a control character
        diagnostics.error("yaml-syntax", f"YAML error: {exc}", Location(doc.display))
        return None
    if len(nodes) > 1:
        second = nodes[1]
        diagnostics.error(
            "yaml-syntax",
            "the file holds more than one YAML document; a case is one document",
            Location(doc.display, second.start_mark.line + 1, second.start_mark.column + 1),
        )
        return None
    if nodes:
        doc.data = _build(nodes[0], (), None, doc, diagnostics)
    return doc


def _mark(m: yaml.Mark) -> Mark:
    return Mark(m.index, m.line + 1, m.column + 1)


def _build(
    node: yaml.Node,
    path: FieldPath,
    key_mark: Mark | None,
    doc: SourceDocument,
    diagnostics: Diagnostics,
) -> Any:
    style = getattr(node, "style", None) if isinstance(node, yaml.ScalarNode) else None
    doc.spans[path] = NodeSpan(_mark(node.start_mark), _mark(node.end_mark), key_mark, style)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        first_seen: dict[str, Mark] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                diagnostics.error(
                    "yaml-syntax",
                    "a mapping key must be a plain word, not a list or mapping",
                    Location(doc.display, key_node.start_mark.line + 1, key_node.start_mark.column + 1),
                    path,
                )
                continue
            # Keys stay the text the author typed: no YAML 1.1 'yes'/'no' surprises.
            key = str(key_node.value)
            kmark = _mark(key_node.start_mark)
            if key in first_seen:
                earlier = first_seen[key]
                diagnostics.error(
                    "duplicate-key",
                    f"key '{key}' appears twice in the same mapping "
                    f"(first at line {earlier.line}, column {earlier.column})",
                    Location(doc.display, kmark.line, kmark.column),
                    path + (key,),
                )
                continue
            first_seen[key] = kmark
            result[key] = _build(value_node, path + (key,), kmark, doc, diagnostics)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, path + (i,), None, doc, diagnostics) for i, item in enumerate(node.value)
        ]
    if node.tag in (_STR, _TIMESTAMP):
        # Dates stay text; the model parses them and says which ones are impossible.
        return node.value
    try:
        value = _CONSTRUCTOR.construct_object(node, deep=True)
    except yaml.YAMLError:
        return node.value
    if isinstance(value, float) and DECIMAL_TEXT.fullmatch(node.value):
        # 0.10 is read as 0.1; the text keeps the digits for fields that print numbers as written.
        # Only a float written as a report writes one (0.10, -11.4): other YAML spellings
        # (1_000.5, .5, 1:30.0, .inf) stay plain floats.
        return SourceFloat(value, node.value)
    return value
