"""The package's shape: imports point one way (no cycle, not even through an import inside a function), and the public API is what __all__ says."""

from __future__ import annotations

import ast
import pkgutil
from pathlib import Path

import networkx as nx

import kg

PACKAGE = Path(kg.__file__).resolve().parent
# The stages data flows through, in order: a module may import from its own stage or an earlier one.
# (The stores come before the queries: a query may run in a store, e.g. kg.query.storepaths.)
STAGES = ["inputs", "model", "rdf", "stores", "query", "output"]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every kg module a file imports, wherever the import stands (top, function, TYPE_CHECKING excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_only |= {id(n) for n in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.split(".")[0] == "kg":
            found.add(node.module)
            for alias in node.names:  # `from kg.output import citations` imports a module
                if (PACKAGE.parent / node.module.replace(".", "/") / f"{alias.name}.py").exists():
                    found.add(f"{node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "kg"}
    return found


def _import_graph() -> nx.DiGraph:
    g = nx.DiGraph()
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "cli.py":
            continue
        name = _module_name(path)
        g.add_node(name)
        for target in _imports(path):
            if target != name and target != "kg":
                g.add_edge(name, target)
    return g


def test_no_import_cycles():
    cycles = list(nx.simple_cycles(_import_graph()))
    assert cycles == [], f"import cycles: {cycles}"


def test_stages_import_only_earlier_stages():
    late = []
    for a, b in _import_graph().edges:
        sa, sb = (a.split(".") + [""])[1], (b.split(".") + [""])[1]
        if sa in STAGES and sb in STAGES and STAGES.index(sb) > STAGES.index(sa):
            late.append(f"{a} -> {b}")
    assert late == [], "a stage imports a later one:\n" + "\n".join(sorted(late))


def test_no_private_names_imported_across_modules():
    crossing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kg"):
                crossing += [f"{_module_name(path)}: {node.module}.{a.name}" for a in node.names if a.name.startswith("_") and a.name != "__version__"]
    assert crossing == []


def test_public_api_is_what_all_lists():
    modules = {m.name for m in pkgutil.iter_modules([str(PACKAGE)])}
    assert set(kg.__all__) == {n for n in dir(kg) if not n.startswith("_") and n not in modules} | {"__version__"}
    for name in kg.__all__:
        assert getattr(kg, name).__doc__ or name == "__version__", f"kg.{name} has no docstring"
