"""The package layout, measured from the AST of src/casepress (issue 10 items 2 and 4).

The allowlists hold the violations still to be removed (issue 10); any violation not
listed fails, and an entry is deleted when its violation is gone.
"""
from __future__ import annotations

import ast
from pathlib import Path


SRC = Path(__file__).resolve().parent.parent / "src" / "casepress"
STAGES = ["core", "model", "load", "text", "cite", "check", "journals",
          "stages", "resolve", "outputs", "build", "scaffold", "cli"]
ALLOWED_LONG_MODULES: set[str] = set()
ALLOWED_LONG_FUNCTIONS: set[str] = set()
ALLOWED_CYCLES: set[frozenset[str]] = set()
ALLOWED_LATER_IMPORTS: set[str] = set()


def _modules() -> dict[str, Path]:
    out = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved against the importing module's package
                base = ["casepress", *package[: len(package) - node.level + 1]]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            subs = [f"{module}.{a.name}" for a in node.names]
            # `from pkg import sub` names the package itself only for names that are not submodules
            named = any(sub.split(".", 1)[-1] not in known for sub in subs)
            targets = ([module] if named else []) + subs
        for target in targets:
            if not target.startswith("casepress"):
                continue
            parts = target.split(".")[1:]
            for i in range(1, len(parts) + 1):
                mod = ".".join(parts[:i])
                # Importing a submodule imports its packages too, but a package is always
                # initialised before its own submodules, so a module's own ancestors do not
                # count unless it names them itself.
                implicit = i < len(parts)
                if implicit and name.startswith(mod + "."):
                    continue
                if mod in known and mod != name:
                    found.add(mod)
    return found


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    return {n: _imports(n, p, set(mods)) for n, p in mods.items()}


def _sccs(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(frozenset(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _stage(mod: str) -> int:
    return STAGES.index(mod.split(".")[0]) if mod else -1


def test_no_import_cycles() -> None:
    found = _sccs(_graph())
    cycles = {c for c in found if not any(c <= a for a in ALLOWED_CYCLES)}
    assert not cycles, sorted(sorted(c) for c in cycles)
    gone = [sorted(a) for a in ALLOWED_CYCLES if not any(c <= a for c in found)]
    assert not gone, f"no longer a cycle, delete from ALLOWED_CYCLES: {gone}"


def test_no_stage_imports_a_later_one() -> None:
    found = {f"{a} -> {b}" for a, deps in _graph().items() if a
             for b in deps if b and _stage(b) > _stage(a)}
    bad = sorted(found - ALLOWED_LATER_IMPORTS)
    assert not bad, bad
    gone = sorted(ALLOWED_LATER_IMPORTS - found)
    assert not gone, f"fixed, delete from ALLOWED_LATER_IMPORTS: {gone}"


def test_no_module_over_800_lines() -> None:
    long = {n for n, p in _modules().items()
            if len(p.read_text(encoding="utf-8").splitlines()) > 800}
    assert not long - ALLOWED_LONG_MODULES, sorted(long - ALLOWED_LONG_MODULES)
    assert not ALLOWED_LONG_MODULES - long, f"now short, delete: {sorted(ALLOWED_LONG_MODULES - long)}"


def test_no_function_over_80_lines() -> None:
    long = set()
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if node.end_lineno is not None and node.end_lineno - node.lineno + 1 > 80:
                    long.add(f"{name}:{node.name}")
    assert not long - ALLOWED_LONG_FUNCTIONS, sorted(long - ALLOWED_LONG_FUNCTIONS)


def test_the_cycle_finder_finds_a_cycle_and_ignores_a_chain() -> None:
    assert _sccs({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset({"a", "b", "c"})]
    assert _sccs({"a": {"b"}, "b": set()}) == []


def test_a_submodule_depends_on_its_package_only_when_it_names_it(tmp_path: Path) -> None:
    (tmp_path / "base.py").write_text("from casepress.model.dates import X\nfrom . import case\n")
    known = {"model", "model.dates", "model.case", "model.base"}
    assert _imports("model.base", tmp_path / "base.py", known) == {"model.dates", "model.case"}
    (tmp_path / "own.py").write_text("from casepress.model import Case\n")
    assert _imports("model.base", tmp_path / "own.py", known) == {"model"}
