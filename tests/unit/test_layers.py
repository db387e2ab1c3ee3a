"""The product package's folders are layers, and imports run one way, down the list.

Read from the source with ``ast`` (imports inside functions count: they run too), so a test
fails on an import circle, an import from a layer above, or a source that imports the CLI.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "pipelines"
# top to bottom: a module may import from its own layer or one below it, never above
LAYERS = ("pipelines.cli", "pipelines.commands", "pipelines.review", "pipelines.report",
          "pipelines.transform", "pipelines.sources", "pipelines.runtime")

pytestmark = pytest.mark.unit


def module_files(package: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of ``package`` (a package is its __init__)."""
    out = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(package.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def imported_names(module: str, path: Path) -> set[str]:
    """Every dotted name ``module`` imports, relative imports resolved; for ``from a import b``
    both ``a`` and ``a.b`` (``a.b`` may be a module)."""
    names = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = module.split(".") if is_package else module.split(".")[:-1]
                base = ".".join(here[:len(here) - node.level + 1] + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the modules of the package it imports (the most specific module each name
    names: ``from pipelines.report import week`` is an arrow to ``pipelines.report.week``)."""
    modules = module_files(package)
    graph = {}
    for module, path in modules.items():
        names = imported_names(module, path)
        targets = set()
        for name in names:
            if name in modules and not any(other.startswith(name + ".") and other in modules
                                           for other in names):
                targets.add(name)
            elif name not in modules and name.rpartition(".")[0] in modules:
                targets.add(name.rpartition(".")[0])  # `from a import function`
        graph[module] = targets - {module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return sorted(found)


def layer_of(module: str) -> int | None:
    return next((i for i, layer in enumerate(LAYERS)
                 if module == layer or module.startswith(layer + ".")), None)


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    arrows = []
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            here, there = layer_of(module), layer_of(target)
            if here is not None and there is not None and there < here:
                arrows.append(f"{module} -> {target}")
    return arrows


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(PACKAGE)


def test_every_module_belongs_to_a_layer(graph):
    assert [m for m in graph if m != "pipelines" and layer_of(m) is None] == []


def test_no_import_circle(graph):
    assert cycles(graph) == []


def test_nothing_imports_from_a_layer_above(graph):
    assert upward_imports(graph) == []


def test_the_checks_see_a_circle_and_an_upward_import(tmp_path):
    """The walker on a package made to break both rules, so the checks above can fail."""
    package = tmp_path / "pipelines"
    for folder in ("runtime", "sources", "sources/notion"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "cli.py").write_text("from pipelines.sources.notion import source\n")
    (package / "sources/notion/source.py").write_text(
        "def run():\n    from pipelines.cli import main\n")
    (package / "runtime/a.py").write_text("from . import b\n")
    (package / "runtime/b.py").write_text("from pipelines.runtime.a import x\n")
    built = import_graph(package)
    assert cycles(built) == [["pipelines.cli", "pipelines.sources.notion.source"],
                             ["pipelines.runtime.a", "pipelines.runtime.b"]]
    assert upward_imports(built) == ["pipelines.sources.notion.source -> pipelines.cli"]
