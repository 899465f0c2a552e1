"""The templates of a chain, checked without rendering them.

Each template compiles in the same sandboxed environment the build renders with;
from the templates the build renders, every ``extends``, ``include``, ``import``
and ``from`` with a constant name is followed along the chain: a name that is
refused, missing (without ``ignore missing``) or leads back to a template on the
way is an error at the statement; dunder attributes (``__class__``), which the
sandbox refuses at render time, are errors at their use; and the URLs the
template itself would make WeasyPrint fetch are checked as the build would.

What a template file says (its statements, dunders and URLs, with their
positions) is cached by its content: Jinja is imported only for a file not seen before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from casepress.core.confine import Refused
from casepress.core.diagnostics import Diagnostics, Location, display_path
from casepress.journals.stylesheets import BASE_URL, Reference, classify, refused
from casepress.journals.template_files import Chain, FileRefused, find_template
from casepress.journals.template_messages import CHAIN_HINT, not_found_message, recursion_message

_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)


@dataclass(frozen=True)
class Statement:
    """An extends, include, import or from statement."""

    keyword: str
    """``extends``, ``include``, ``import`` or ``from``."""
    name: str | None
    """The template it names; None when computed while rendering."""
    line: int
    """Its line."""
    column: int
    """The column of the name (else of the tag)."""
    ignore_missing: bool = False
    """``{% include ... ignore missing %}``."""


@dataclass(frozen=True)
class Facts:
    """What one template file says, positions included."""

    statements: tuple[Statement, ...]
    """Its statements naming other templates, in order."""
    dunders: tuple[tuple[str, int, int], ...]
    """(attribute, line, column) of each ``x.__attr__`` or ``x|attr('__attr__')``."""
    urls: tuple[Reference, ...]
    """URLs written into the template (attributes that fetch, inline CSS)."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Facts:
        return cls(tuple(Statement(**s) for s in data["statements"]), tuple(tuple(d) for d in data["dunders"]),
                   tuple(Reference(**r) for r in data["urls"]))


def compute_facts(name: str, named: Path, source: str) -> Facts:
    """Parse and compile ``source`` in the sandbox (raising its template errors) and read its facts."""
    from jinja2 import nodes

    from casepress.journals.stylesheets import html_references
    from casepress.journals.template_messages import Needle, column_in, name_needles
    from casepress.journals.templating import html_environment

    env = html_environment(Chain((), (), ()))
    tree = env.parse(source, name, str(named))
    env.compile(tree, name, str(named))
    lines = source.splitlines()

    def column(lineno: int, needles: list[Needle]) -> int:
        return column_in(lines[lineno - 1] if 0 < lineno <= len(lines) else "", needles)

    keywords = {nodes.Extends: "extends", nodes.Include: "include", nodes.Import: "import", nodes.FromImport: "from"}
    statements = []
    for node in tree.find_all(tuple(keywords)):
        target = node.template  # type: ignore[attr-defined]
        constant = target.value if isinstance(target, nodes.Const) and isinstance(target.value, str) else None
        keyword = keywords[type(node)]
        needles = name_needles([constant]) if constant else [Needle(keyword, True)]
        statements.append(Statement(keyword, constant, node.lineno, column(node.lineno, needles),
                                    bool(getattr(node, "ignore_missing", False))))
    dunders = []
    for node in tree.find_all((nodes.Getattr, nodes.Filter)):
        attr = node.attr if isinstance(node, nodes.Getattr) else (
            str(node.args[0].value) if node.name == "attr" and node.args and isinstance(node.args[0], nodes.Const)
            else "")
        if attr.startswith("__") and attr.endswith("__"):
            dunders.append((attr, node.lineno, column(node.lineno, [Needle(attr, True)])))
    blank = _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), source)
    urls = tuple(r for r in html_references(blank) if "{{" not in r.url and "{%" not in r.url)
    return Facts(tuple(statements), tuple(sorted(dunders, key=lambda d: (d[1], d[2]))), urls)


@dataclass
class _Sources:
    """The chain's templates, each read, checked and reported once."""

    chain: Chain
    files: dict[str, Path]
    diagnostics: Diagnostics
    facts: dict[Path, Facts | None] = field(default_factory=dict)

    def reach(self, name: str, found: tuple[Path, Path]) -> Facts | None:
        """The facts of the template at ``found`` (None when it does not compile: reported)."""
        named, real = found
        if named not in self.facts:
            self.facts[named] = facts = _facts(name, named, real, self.diagnostics)
            if facts is not None:
                self._report(named, facts)
        return self.facts[named]

    def _report(self, named: Path, facts: Facts) -> None:
        shown = display_path(named)
        for attr, line, column in facts.dunders:
            self.diagnostics.error("template", f"refused by the template sandbox: access to attribute '{attr}' "
                                   "is unsafe", Location(shown, line, column))
        for ref in facts.urls:
            why = classify(ref.url, BASE_URL, self.files)
            if why:
                refused(ref, why, Location(shown, ref.line, ref.column), self.diagnostics)

    def find(self, name: str, where: Location | None) -> tuple[Path, Path] | None | Literal[False]:
        """The file ``name`` reaches, None when no folder has it, False when it is refused
        (reported at ``where``, or at the refused file)."""
        try:
            return find_template(self.chain, name)
        except Refused as exc:
            self.diagnostics.error("template", exc.reason, where)
        except FileRefused as exc:
            self.diagnostics.error("template", exc.reason, Location(display_path(exc.path)))
        return False


def _facts(name: str, named: Path, real: Path, diagnostics: Diagnostics) -> Facts | None:
    """The file's facts, from the cache when its content was seen before."""
    from casepress.core.cache import JsonCache, digest
    from casepress.journals.template_files import engine

    data = real.read_bytes()
    key = digest(engine(), data)
    cache = JsonCache.named("template-facts")
    cached = cache.get(key)
    if isinstance(cached, dict):
        return Facts.from_json(cached)
    from casepress.journals.template_errors import is_template_error, report_template_error
    from casepress.journals.templating import read_source

    try:
        facts = compute_facts(name, named, read_source(name, named, real))
    except Exception as exc:
        if not is_template_error(exc):
            raise
        report_template_error(exc, diagnostics)
        return None
    cache.put(key, facts.to_json())
    return facts


def check_sources(chain: Chain, names: Sequence[str], entries: Sequence[str], files: dict[str, Path],
                  diagnostics: Diagnostics) -> None:
    """Check every template ``names`` lists; follow the statements of those ``entries`` reach."""
    sources = _Sources(chain, files, diagnostics)
    for name in names:
        found = sources.find(name, None)
        if found:
            sources.reach(name, found)
    done: set[Path] = set()
    for entry in entries:
        found = sources.find(entry, None)
        if found:
            _follow(sources, entry, found, done)


def _follow(sources: _Sources, name: str, found: tuple[Path, Path], done: set[Path]) -> None:
    """Depth-first from one entry, without recursion (a chain of templates may be long)."""
    first = sources.reach(name, found)
    if first is None or found[0] in done:
        return
    path: list[Path] = [found[0]]
    stack = [iter(first.statements)]
    while stack:
        statement = next(stack[-1], None)
        if statement is None:
            stack.pop()
            done.add(path.pop())
            continue
        if statement.name is None:
            continue
        where = Location(display_path(path[-1]), statement.line, statement.column)
        reached = sources.find(statement.name, where)
        if not reached:
            if reached is None and not statement.ignore_missing:
                sources.diagnostics.error("template", not_found_message(statement.name), where, hint=CHAIN_HINT)
            continue
        if reached[0] in path:
            message, hint = recursion_message(statement.keyword, statement.name)
            sources.diagnostics.error("template", message, where, hint=hint)
            continue
        child = sources.reach(statement.name, reached)
        if child is not None and reached[0] not in done:
            path.append(reached[0])
            stack.append(iter(child.statements))


__all__ = ["Facts", "Statement", "check_sources", "compute_facts"]
