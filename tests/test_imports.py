"""The import graph of the project: no cycle, and the engines know nothing of
Network (docs/design.md, "Modules"). Imports under ``if TYPE_CHECKING:`` are
for type checkers only and do not count."""
from __future__ import annotations

import ast
import os

import networkx as nx

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGES = ("synapse", "architect")


def _module_of(path: str) -> str:
    mod = os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".")
    return mod[:-len(".__init__")] if mod.endswith(".__init__") else mod


def _exists(mod: str) -> bool:
    base = os.path.join(ROOT, *mod.split("."))
    return os.path.exists(base + ".py") or os.path.isdir(base)


def _runtime_imports(tree: ast.AST):
    """Import nodes, skipping ``if TYPE_CHECKING:`` blocks."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def import_graph() -> nx.DiGraph:
    g = nx.DiGraph()
    for pkg in PACKAGES:
        for folder, _, files in os.walk(os.path.join(ROOT, pkg)):
            for f in files:
                if not f.endswith(".py"):
                    continue
                path = os.path.join(folder, f)
                mod = _module_of(path)
                g.add_node(mod)
                package = mod if f == "__init__.py" else mod.rsplit(".", 1)[0]
                for node in _runtime_imports(ast.parse(open(path, encoding="utf-8").read())):
                    if isinstance(node, ast.Import):
                        targets = [a.name for a in node.names]
                    else:
                        base = node.module or ""
                        if node.level:
                            parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                            base = ".".join(parts + ([node.module] if node.module else []))
                        targets = [f"{base}.{a.name}" if _exists(f"{base}.{a.name}") else base
                                   for a in node.names]
                    for t in targets:
                        if t.split(".")[0] in PACKAGES and t != mod:
                            g.add_edge(mod, t)
    return g


def test_the_import_graph_has_no_cycle():
    g = import_graph()
    # a package's __init__ re-exports its modules; the cycles that matter are
    # between modules
    modules = g.subgraph([m for m in g if m not in PACKAGES and m != "synapse.engine"])
    cycles = list(nx.simple_cycles(modules))
    assert cycles == [], f"import cycles: {cycles}"


def test_engines_import_nothing_of_network_or_its_callers():
    g = import_graph()
    for mod in g:
        if mod.startswith("synapse.engine"):
            reached = nx.descendants(g, mod)
            assert not reached & {"synapse.network", "synapse.serialize", "synapse.trainer"}, (
                f"{mod} reaches {sorted(reached)}")


def test_only_the_core_writes_arrays_serialize_builds_layers():
    g = import_graph()
    assert "synapse.network" not in g.successors("synapse.serialize")
    assert "synapse.network" not in g.successors("synapse.layer")
    assert "synapse.store" not in g.successors("synapse.serialize")
