"""The code's large shape: no import cycle among lossterm's modules (function-level and
type-only imports counted, since they tie modules as surely as top-level ones do), and the
engine never reaches up into the front ends."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "lossterm"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The lossterm modules ``name`` imports anywhere in its file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            wanted = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            wanted = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                      for a in node.names]
        else:
            continue
        for target in wanted:
            while target and target not in modules:  # a name inside a module: its module
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _components(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                out.append(sorted(component))
    return out


def test_the_components_finder_finds_a_cycle_it_is_shown():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert sorted(map(len, _components(graph))) == [1, 3]


def test_no_import_cycle_among_lossterm_modules():
    graph = _graph()
    assert len(graph) > 90  # the walk found the package
    cycles = [c for c in _components(graph) if len(c) > 1]
    assert cycles == []


# The layers, lowest first: a module may import its own layer and the ones below it, never
# one above. ``cli`` sits over ``app`` because ``lossterm`` with no flags opens the TUI.
LAYERS = ("core", "runtime", "data", "losses", "metrics", "training", "analysis", "storage",
          "service", "api", "report", "app", "cli", "package")
SERVICE = {"lossterm.service", "lossterm.options"}


def _layer(module: str) -> str:
    if module in SERVICE:
        return "service"
    if module in ("lossterm", "lossterm.__main__"):
        return "package"
    return module.split(".")[1]


def test_every_module_sits_in_a_layer():
    assert {_layer(m) for m in _graph()} <= set(LAYERS)


def test_no_layer_imports_a_layer_above_it():
    graph = _graph()
    upward = sorted((m, t) for m, targets in graph.items() for t in targets
                    if LAYERS.index(_layer(t)) > LAYERS.index(_layer(m)))
    assert upward == []


def test_the_layer_rule_catches_an_upward_import():
    assert LAYERS.index(_layer("lossterm.app.app")) > LAYERS.index(_layer("lossterm.training.fit"))
    assert _layer("lossterm.options") == "service"


# What a function may import inside itself: libraries slow to load (each costs 0.2–3 s
# or pulls a GPU runtime) and the TUI's own modules (Textual loads only when the TUI
# opens). Everything else is imported at the top, where the import graph can be read.
HEAVY = {"dask", "distributed", "tensorflow", "keras", "jax", "jaxlib", "torch", "sklearn", "pandas", "scipy", "rich",
         "textual", "textual_plotext", "plotext", "tensorboard", "pyarrow"}


def _lazy_imports() -> list[tuple[str, int, str]]:
    found = []
    for name, path in _modules().items():
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import):
                    wanted = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level:
                    wanted = [node.module or ""]
                else:
                    continue
                found += [(name, node.lineno, w) for w in wanted]
    return found


def test_lazy_imports_are_only_of_heavy_libraries_and_the_tui():
    lazy = _lazy_imports()
    assert any(w.split(".")[0] == "tensorflow" for _, _, w in lazy)  # the walk sees them
    allowed = [(m, line, w) for m, line, w in lazy
               if w.split(".")[0] not in HEAVY and not w.startswith("lossterm.app")]
    assert allowed == []


LONGEST = 400  # lines: past this a module holds more than one thing; split it along a seam


def test_no_module_is_longer_than_400_lines():
    lengths = {path.relative_to(PACKAGE.parent).as_posix(): len(path.read_text().splitlines())
               for path in PACKAGE.rglob("*.py")}
    assert len(lengths) > 90  # the walk found the package
    assert {path: n for path, n in lengths.items() if n > LONGEST} == {}
