"""The rosters modules import one way: the models at the bottom, then the pipeline (engine), the
roster kinds, the actions, and the tasks, pages and command on top. No circle, and no import of a
rosters module tucked into a function to get round one."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1]
ABOVE_ENGINE = ("rosters.kinds", "rosters.actions", "rosters.tasks", "rosters.views", "rosters.management")
ABOVE_KINDS = ("rosters.actions", "rosters.tasks", "rosters.views", "rosters.management")
ABOVE_ACTIONS = ("rosters.tasks", "rosters.views", "rosters.management")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(APP.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, ast.Module]:
    return {
        module_name(path): ast.parse(path.read_text(), str(path))
        for path in sorted(APP.rglob("*.py"))
        if not {"tests", "migrations"} & set(path.relative_to(APP).parts)
    }


def imported(node: ast.AST, known: set[str]) -> list[str]:
    """The rosters modules an import statement names (`from rosters import engine` names rosters.engine)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name in known]
    if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "rosters":
        names = [f"{node.module}.{alias.name}" for alias in node.names if f"{node.module}.{alias.name}" in known]
        return names or [node.module]
    return []


def import_graph() -> tuple[dict[str, set[str]], list[str]]:
    """{module: the rosters modules it imports}, and every import of a rosters module made inside a function."""
    trees = modules()
    known = set(trees)
    graph: dict[str, set[str]] = {name: set() for name in trees}
    tucked = []
    for name, tree in trees.items():
        for node in ast.walk(tree):
            graph[name].update(imported(node, known))
        for function in ast.walk(tree):
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                tucked += [f"{name}.{function.name} imports {target}"
                           for node in ast.walk(function) for target in imported(node, known)]
    return graph, tucked


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, done = [], set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            found.append(path[path.index(name):] + [name])
            return
        if name in done:
            return
        for target in sorted(graph.get(name, ())):
            visit(target, path + [name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    return found


def imports_of(graph: dict[str, set[str]], prefix: str) -> set[str]:
    return {target for name, targets in graph.items() if name == prefix or name.startswith(prefix + ".")
            for target in targets}


def test_no_rosters_modules_import_each_other_in_a_circle():
    graph, _ = import_graph()
    assert "rosters.engine" in graph["rosters.kinds.residents"]  # the graph is read at all
    assert circles(graph) == []


def test_no_rosters_module_imports_another_inside_a_function():
    assert import_graph()[1] == []


def test_each_layer_imports_only_the_layers_below_it():
    graph, _ = import_graph()
    assert not {t for t in imports_of(graph, "rosters.models") if t.startswith("rosters.")}
    assert not {t for t in imports_of(graph, "rosters.engine") if t.startswith(ABOVE_ENGINE)}
    assert not {t for t in imports_of(graph, "rosters.kinds") if t.startswith(ABOVE_KINDS)}
    assert not {t for t in imports_of(graph, "rosters.actions") if t.startswith(ABOVE_ACTIONS)}
