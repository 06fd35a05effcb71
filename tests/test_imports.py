"""The import graph: no circles, and ``import numerics`` stays light.

Start-up time follows the import graph, so it is checked here: the graph of
the three packages (every import, lazy ones inside functions included) has
no circle, and importing ``numerics`` or the command line's entry point
loads neither SymPy, SciPy, matplotlib nor torch.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("theory", "numerics", "momentum_cli")
HEAVY = ("sympy", "scipy", "matplotlib", "torch")


def _modules() -> dict[str, Path]:
    """Every module of the three packages, subpackages (``numerics.testing``) included."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def test_subpackages_are_in_the_graph():
    assert {"numerics.testing", "numerics.testing.matching"} <= set(_modules())


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.AST, *, typing: bool = False):
    """Every imported module name; ``if TYPE_CHECKING:`` blocks (never run) only with ``typing``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if _is_type_checking(node) and not typing:
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{a.name}" for a in node.names)
        stack.extend(ast.iter_child_nodes(node))


def import_graph(*, typing: bool = False) -> dict[str, set[str]]:
    modules = _modules()
    return {
        name: {
            m
            for m in _imports(ast.parse(path.read_text()), typing=typing)
            if m in modules and m != name
        }
        for name, path in modules.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
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

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_cycle_finder_finds_a_planted_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("typing", [False, True], ids=["run", "with-type-checking"])
def test_no_import_circles(typing):
    # with TYPE_CHECKING imports too: a plot that imports the result type it draws, while the
    # result's .plot() imports the plot, is a circle in the design even if never at run time
    graph = import_graph(typing=typing)
    assert "numerics.grids" in graph and "momentum_cli.main" in graph
    assert cycles(graph) == []


def test_every_folder_of_code_is_a_package():
    # pyproject finds packages by their __init__.py: a folder without one would not be installed
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            assert (path.parent / "__init__.py").exists(), path.parent


LAYERS = {"theory": 0, "numerics": 1, "numerics.plots": 2, "momentum_cli": 3}


def _layer(module: str) -> int:
    return max(v for k, v in LAYERS.items() if module == k or module.startswith(k + "."))


def test_imports_only_go_down_the_layers():
    # theory < numerics < numerics.plots < momentum_cli: a module imports only its own layer
    # or those below, except a result's .plot() method, which may reach numerics.plots
    bad = []
    for name, path in _modules().items():
        tree = ast.parse(path.read_text())
        allowed_plots = {m for m in _imports_inside_plot(tree)}
        for m in import_graph(typing=True)[name]:
            if _layer(m) > _layer(name) and not (_layer(m) == 2 and m in allowed_plots):
                bad.append(f"{name} -> {m}")
    assert bad == []


def _plot_imports(tree: ast.AST, *, inside: bool) -> list[str]:
    """Imports of ``numerics.plots`` inside (or outside) functions named ``plot``."""
    found = []

    def walk(node: ast.AST, inside_plot: bool) -> None:
        if isinstance(node, ast.FunctionDef):
            inside_plot = node.name == "plot"
        if isinstance(node, ast.Import | ast.ImportFrom) and inside_plot == inside:
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            found.extend(n for n in names if n and n.split(".")[:2] == ["numerics", "plots"])
        for child in ast.iter_child_nodes(node):
            walk(child, inside_plot)

    walk(tree, False)
    return found


def _plotting_imports_outside_plot(tree: ast.AST) -> list[str]:
    return _plot_imports(tree, inside=False)


def _imports_inside_plot(tree: ast.AST) -> list[str]:
    return _plot_imports(tree, inside=True)


def test_compute_modules_reach_plotting_only_from_plot_methods():
    compute = {
        name: path
        for name, path in _modules().items()
        if name.startswith(("numerics", "theory")) and not name.startswith("numerics.plots")
    }
    assert "numerics.grids" in compute and "numerics.simulate" in compute
    found = {
        name: _plotting_imports_outside_plot(ast.parse(p.read_text()))
        for name, p in compute.items()
    }
    assert {name: bad for name, bad in found.items() if bad} == {}
    planted = ast.parse(
        "from numerics.plots.maps import plot_region\ndef plot():\n    import numerics.plots.maps"
    )
    assert _plotting_imports_outside_plot(planted) == ["numerics.plots.maps"]


@pytest.mark.parametrize("statement", ["import numerics", "import momentum_cli.main"])
def test_import_loads_no_heavy_package(statement):
    code = f"import sys; {statement}; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout


def _loaded_after(code: str) -> list[str]:
    """Run ``code`` in a fresh interpreter; the heavy packages and theory modules it loaded."""
    code += (
        "\nimport sys\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        f"{HEAVY!r} + ('theory',) and m not in ('theory', 'theory.errors')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return done.stdout.splitlines()


def test_explorer_page_loads_neither_sympy_nor_the_theory():
    # the page's formulas are generated ahead of time (momentum_cli/explorer/_generated.js)
    code = "from momentum_cli.explorer import explorer_html\nprint(len(explorer_html()) > 0)"
    assert _loaded_after(code) == ["True", "[]"]


def test_explore_command_loads_no_heavy_package():
    # theory's package and its errors are light (no SymPy); the numeric layer raises them
    code = (
        "import contextlib, io\n"
        "from momentum_cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    code = main(['explore', '--output', '-'])\n"
        "print(code, out.getvalue().startswith('<!doctype html>'))"
    )
    assert _loaded_after(code) == ["0 True", "[]"]
