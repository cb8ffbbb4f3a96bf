"""The salespulse package has no import loops.

A loop means two modules each need the other, so neither can be read, tested or moved alone, and
one of them usually hides the import inside a function (or behind ``TYPE_CHECKING``) to get past
Python's partial-module error. So every import counts here, wherever it is written: at module
level, inside functions and inside ``if`` blocks. The graph is built from the source with ``ast``
(nothing is imported, so a loop cannot hide behind import order).

An edge goes to the module an import names: ``from salespulse.a import b`` is an edge to
``salespulse.a.b`` when that is a module, else to ``salespulse.a`` (its ``__init__``). A parent
package's ``__init__`` is not counted for ``import salespulse.a.b`` itself: importing a package's
submodule from its ``__init__`` is how packages re-export, not a loop.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

PACKAGE = "salespulse"
PACKAGE_DIR = Path(__file__).resolve().parents[2] / "src" / PACKAGE

# Loops known and being removed; each is the set of modules of one strongly connected component.
# Any other loop, or one of these taking in another module, fails the test.
KNOWN_CYCLES: frozenset[frozenset[str]] = frozenset()


def module_files(package_dir: Path = PACKAGE_DIR) -> dict[str, Path]:
    """Dotted module name -> source file, for every module of the package (``__init__`` as the package)."""
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = [PACKAGE, *path.relative_to(package_dir).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _imported(node: ast.AST, module: str, is_package: bool) -> Iterator[tuple[str, list[str]]]:
    """(module named, names imported from it) of an import statement; relative imports resolved."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name, []
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            anchor = module.split(".")
            anchor = anchor if is_package else anchor[:-1]
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        yield base, [alias.name for alias in node.names]


def import_graph(modules: Mapping[str, Path]) -> dict[str, set[str]]:
    """Module -> the package's modules it imports anywhere in its source."""
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets: set[str] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            for named, names in _imported(node, module, path.name == "__init__.py"):
                if named != PACKAGE and not named.startswith(PACKAGE + "."):
                    continue
                submodules = [f"{named}.{name}" for name in names if f"{named}.{name}" in modules]
                if submodules:
                    targets.update(submodules)
                if len(submodules) < len(names) or not names:
                    # a name defined in the module (or ``import a.b``): the longest module prefix
                    parts = named.split(".")
                    while parts and ".".join(parts) not in modules:
                        parts.pop()
                    if parts:
                        targets.add(".".join(parts))
        targets.discard(module)
        graph[module] = targets
    return graph


def strongly_connected(graph: Mapping[str, set[str]]) -> list[frozenset[str]]:
    """The components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph.get(target, ())))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(frozenset(component))
    return found


def cycle_in(component: frozenset[str], graph: Mapping[str, set[str]]) -> list[str]:
    """One loop through a component, as the path of imports (first module repeated at the end)."""
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(graph[node] & component):
            if target == start:
                return [*paths[node], start]
            if target not in paths:
                paths[target] = [*paths[node], target]
                queue.append(target)
    raise AssertionError(f"no loop through {sorted(component)}")  # pragma: no cover - a component has one


def describe(components: list[frozenset[str]], graph: Mapping[str, set[str]]) -> str:
    return "\n".join(
        f"  {' -> '.join(cycle_in(c, graph))}  (modules in the loop: {', '.join(sorted(c))})"
        for c in components
    )


def test_the_graph_sees_imports_everywhere_they_are_written(tmp_path: Path) -> None:
    package = tmp_path / PACKAGE
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("from salespulse.a import run\n")
    (package / "a.py").write_text("def run():\n    from salespulse.sub import b\n")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..a import run\nimport os\n"
    )
    graph = import_graph(module_files(package))
    assert graph == {
        "salespulse": {"salespulse.a"},
        "salespulse.a": {"salespulse.sub.b"},
        "salespulse.sub": set(),
        "salespulse.sub.b": {"salespulse.a"},
    }
    assert strongly_connected(graph) == [frozenset({"salespulse.a", "salespulse.sub.b"})]
    assert cycle_in(frozenset({"salespulse.a", "salespulse.sub.b"}), graph) == [
        "salespulse.a",
        "salespulse.sub.b",
        "salespulse.a",
    ]


def test_no_import_loops() -> None:
    graph = import_graph(module_files())
    assert len(graph) > 50, "the package's modules were not found"
    new = [c for c in strongly_connected(graph) if c not in KNOWN_CYCLES]
    assert not new, f"import loops in the salespulse package:\n{describe(new, graph)}"
