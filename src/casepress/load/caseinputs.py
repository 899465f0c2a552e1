"""What a case names outside its own folder, read from its raw YAML without building it.

The rebuild check (:mod:`casepress.build.batch`) must hash a case's journal, CSL style
and bibliography files before, and whether or not, the case is valid. So it
reads only three top-level keys from YAML *events* (PyYAML's parser, no
composer, no constructor): nothing is expanded (an alias bomb costs nothing),
nothing nests on the Python stack, no timestamp is built (``2024-02-30`` is just
text), and no pydantic is imported. Defaults are the case model's (a test keeps
them in step).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from casepress.core.limits import MAX_CASE_BYTES

DEFAULT_JOURNAL = "generic"
"""The model's default ``journal``."""
DEFAULT_BIBLIOGRAPHY = ("references.bib",)
"""The model's default ``bibliography``."""

try:  # libyaml's parser is several times faster; the pure-Python one is the fallback.
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


@dataclass(frozen=True)
class CaseInputs:
    """The case's references to shared inputs, as the author wrote them."""

    journal: str = DEFAULT_JOURNAL
    """Journal template name (not validated: the check does that)."""
    csl: str | None = None
    """Citation style: a packaged style name or a file name."""
    bibliography: tuple[str, ...] = field(default=DEFAULT_BIBLIOGRAPHY)
    """The .bib file names."""


_WANTED = ("journal", "csl", "bibliography")


def read_inputs(text: str) -> CaseInputs:
    """The top-level ``journal``, ``csl`` and ``bibliography`` of a case's YAML text.

    Never raises on bad YAML: what cannot be read keeps its default (the check
    reports the problem; the digest only has to be stable).
    """
    found = read_top_level(text, _WANTED)
    journal, csl = found.get("journal"), found.get("csl")
    bibliography = found.get("bibliography", DEFAULT_BIBLIOGRAPHY)
    if isinstance(bibliography, str):
        bibliography = [bibliography]
    return CaseInputs(
        journal=journal if isinstance(journal, str) and journal else DEFAULT_JOURNAL,
        csl=csl if isinstance(csl, str) and csl else None,
        bibliography=tuple(bibliography) if isinstance(bibliography, (tuple, list)) else DEFAULT_BIBLIOGRAPHY,
    )


def read_top_level(text: str, wanted: tuple[str, ...]) -> dict[str, object]:
    """The scalar (or list-of-scalars) values of the ``wanted`` top-level keys of a YAML
    mapping; other keys, nested values and unreadable YAML are skipped."""
    found: dict[str, object] = {}
    if len(text) <= MAX_CASE_BYTES:
        try:
            _scan(yaml.parse(text, Loader=_Loader), found, wanted)
        except (yaml.YAMLError, ValueError, TypeError):
            pass
    return found


def _scan(events: object, found: dict[str, object], wanted: tuple[str, ...]) -> None:
    """Walk the first document's events, keeping the wanted top-level scalars and scalar lists."""
    depth = 0
    key: str | None = None
    expect_key = True
    items: list[str] | None = None
    node_is_key = False
    for event in events:  # type: ignore[attr-defined]
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if depth == 1:
                node_is_key = expect_key
                if not expect_key and key in wanted and isinstance(event, yaml.SequenceStartEvent):
                    items = []
            depth += 1
            continue
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
            if depth == 1:
                if items is not None and key is not None:
                    found[key] = items
                items = None
                expect_key = not node_is_key
                key = None if node_is_key else key
            elif depth == 0:
                return
            continue
        if isinstance(event, yaml.DocumentEndEvent):
            return
        if depth == 2 and items is not None and isinstance(event, yaml.ScalarEvent):
            items.append(event.value)
        elif depth == 1 and isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
            if expect_key:
                key = event.value if isinstance(event, yaml.ScalarEvent) else None
                expect_key = False
            else:
                if key in wanted and isinstance(event, yaml.ScalarEvent):
                    found[key] = event.value
                expect_key = True
