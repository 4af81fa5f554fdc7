"""The architecture of course_lib as a graph: which module imports which, read from the source
with ``ast`` (imports inside functions included, since a hidden cycle usually lives there).
The graph must have no cycle, so every module can be read, tested and changed from the leaves up.
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "course_lib"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module an ``ImportFrom`` names (``from . import x`` -> the package)."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]  # a module's "." is its package
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def import_graph() -> dict:
    """{module: {course_lib modules it imports}} over every module of the package."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                target = _resolve(name, is_package, node)
                # "from . import data" imports the submodule data, "from .x import f" module x
                targets = [f"{target}.{a.name}" if f"{target}.{a.name}" in modules else target
                           for a in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:  # course_lib.models.vae.VAE -> module
                    target = target.rpartition(".")[0]
                if target.startswith("course_lib") and target != name:
                    edges.add(target)
        graph[name] = edges
    return graph


def _parents(name: str) -> set:
    """Packages a module sits in: importing course_lib.models.vae runs course_lib/models/__init__
    first, which is not an import *by* the module and is left out of cycle detection."""
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def find_cycle(graph: dict):
    """A list of modules forming a cycle, or None (depth-first search, three colours)."""
    colour, stack = {}, []

    def visit(node):
        colour[node] = "grey"
        stack.append(node)
        for nxt in sorted(graph.get(node, ()) - _parents(node)):
            if colour.get(nxt) == "grey":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in colour:
                found = visit(nxt)
                if found:
                    return found
        colour[node] = "black"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in colour:
            found = visit(node)
            if found:
                return found
    return None


def test_the_graph_sees_function_level_imports():
    graph = import_graph()
    assert "course_lib.training" in graph["course_lib.models.stacked"]
    assert "course_lib.distribute" in graph["course_lib.models.vae"]
    # widgets import what they show inside their functions, and the graph must see that
    assert {"course_lib.training", "course_lib.models"} <= graph["course_lib.widgets"]


def test_find_cycle_reports_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_course_lib_has_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_leaf_modules_import_no_other_course_lib_module():
    graph = import_graph()
    for leaf in ("course_lib._validate", "course_lib.distribute"):
        assert graph[leaf] == set(), f"{leaf} must stay a leaf, imports {sorted(graph[leaf])}"
