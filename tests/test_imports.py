"""Data flows one way, and the code says so: no import circles; layers point down (the shared machinery
imports no family, no registry and no hub, statically, inside functions, or through importlib);
measuring code does not import the training loop; the report side never imports torch."""
import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
MEASURING = ["resbench.trained", "resbench.families.landscape.measure", "resbench.families.lesion.measure",
             "resbench.families.signal.construct", "resbench.train.checkpoint", "resbench.train.device"]
REPORT_SIDE = ["resbench.hub.report", "resbench.hub.results", "resbench.report.compare_render",
               "resbench.results.compare", "resbench.results.archive", "resbench.config", "resbench.stats", "resbench.families", "resbench.cli"]


def _modules() -> dict[str, Path]:
    out = {}
    for path in (SRC / "resbench").rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def import_graph() -> dict[str, set[str]]:
    """module -> resbench modules it imports anywhere in its body (function-level imports too)."""
    modules, graph = _modules(), {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package
                for _ in range(max(0, node.level - 1)):
                    base = base.rsplit(".", 1)[0]
                module = (f"{base}.{node.module}" if node.module else base) if node.level else node.module
                targets = [module] + [f"{module}.{a.name}" for a in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rsplit(".", 1)[0] if "." in target else ""
                if target and target != name:
                    deps.add(target)
        graph[name] = deps
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_import_circles():
    assert cycles(import_graph()) == []


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """package -> packages its modules import (function-level imports included): a circle between two
    packages is one even when no two modules form one (results.verify -> train -> results.io)."""
    modules = _modules()
    package = {m: m if modules[m].name == "__init__.py" else m.rsplit(".", 1)[0] for m in graph}
    out: dict[str, set[str]] = {}
    for name, deps in graph.items():
        out.setdefault(package[name], set()).update(package[d] for d in deps if package[d] != package[name])
    for name in list(out):  # a package importing its own subpackage (families -> families.depth) is its registry
        out[name] = {d for d in out[name] if not d.startswith(name + ".") and not name.startswith(d + ".")}
    return out


def test_no_package_circles():
    assert cycles(package_graph(import_graph())) == []


def test_the_package_graph_sees_a_circle_through_different_modules():
    graph = {"resbench.results.verify": {"resbench.train.checkpoint"}, "resbench.train.checkpoint": {"resbench.results.io"},
             "resbench.results.io": set()}
    assert cycles(package_graph(graph)) == [["resbench.results", "resbench.train"]]


def test_the_cycle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# What loops over the families: their registry and the families themselves, the hub, the command line.
ABOVE = ("resbench.families", "resbench.hub", "resbench.cli", "resbench.__main__")
# The only dynamic imports below the hub: the model package registering its own files in timm, and the
# "module:function" loader the hub calls with what families declare.
DYNAMIC_LOADERS = {"resbench.models", "resbench.cli_common"}  # cli_common.import_attr


def _above(name: str) -> bool:
    return any(name == top or name.startswith(top + ".") for top in ABOVE)


def below_hub() -> list[str]:
    return sorted(name for name in _modules() if not _above(name))


def upward_edges(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted((name, dep) for name in graph if not _above(name) for dep in graph[name] if _above(dep))


def test_the_shared_machinery_imports_no_family_registry_or_hub():
    """Anywhere in a module's body, function-level imports included."""
    assert upward_edges(import_graph()) == []


def test_the_upward_edge_finder_finds_a_function_level_import():
    assert upward_edges({"resbench.config": {"resbench.families"}, "resbench.hub.report": {"resbench.families"}}) == \
        [("resbench.config", "resbench.families")]


def test_no_dynamic_import_below_the_hub():
    """importlib loads are invisible to the graph above, so below the hub only the two known loaders use it."""
    modules = _modules()
    users = {name for name in below_hub() if "import_module(" in modules[name].read_text()
             or "__import__(" in modules[name].read_text()}
    assert users == DYNAMIC_LOADERS


def test_importing_every_module_below_the_hub_loads_no_family():
    """What the registry's importlib loads would show: import them all, then look at sys.modules."""
    assert _loaded_after(below_hub(), ("resbench.families",)) == "[]"
    code = (f"import sys, importlib; [importlib.import_module(m) for m in {below_hub()!r}]; "
            "print(sorted(m for m in sys.modules if m.startswith(('resbench.families', 'resbench.hub'))))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"


def _loaded_after(imports: list[str], watched: tuple[str, ...]) -> str:
    code = (f"import sys, importlib; [importlib.import_module(m) for m in {imports!r}]; "
            f"print(sorted(m for m in {watched!r} if m in sys.modules))")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_evaluating_code_does_not_import_the_training_loop():
    assert _loaded_after(MEASURING, ("resbench.train.loop",)) == "[]"


def test_the_report_side_imports_no_torch():
    assert _loaded_after(REPORT_SIDE, ("torch", "torchvision", "timm")) == "[]"
