"""The house rules of issue 26, checked on the package's source: small modules and functions,
the core never importing a wing, no imports hidden in functions, nobody but `core.py` and
`model.py` calling the model's methods."""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

from repomodel.runs.outputs import TRACKED_RESULTS

PACKAGE = Path(__file__).resolve().parents[1] / "repomodel"
WINGS = ("history", "runs", "viz", "cli")
MAX_MODULE_LINES, MAX_FUNCTION_LINES, MAX_LAZY_IMPORTS = 500, 100, 3


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def wing_of(path: Path) -> str | None:
    rel = path.relative_to(PACKAGE).parts
    name = rel[0].removesuffix(".py")
    return name if name in WINGS else None


def test_no_module_is_over_500_lines():
    long = {str(p.relative_to(PACKAGE)): n for p in modules() if (n := len(p.read_text().splitlines())) > 500}
    assert not long


def test_no_function_is_over_100_lines():
    long = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(PACKAGE)}:{node.name} {n}")
    assert not long


def _package_imports(tree: ast.AST) -> list[tuple[ast.AST, str]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("repomodel"):
            out.append((node, node.module))
        elif isinstance(node, ast.Import):
            out += [(node, a.name) for a in node.names if a.name.startswith("repomodel")]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            out.append((node, "importlib"))
    return out


def test_the_core_never_imports_a_wing():
    bad = []
    for path in modules():
        if wing_of(path) is not None:
            continue
        for _, name in _package_imports(ast.parse(path.read_text())):
            parts = name.split(".")
            if len(parts) > 1 and parts[1] in WINGS:
                bad.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert not bad


def _module_getattr(tree: ast.Module) -> ast.FunctionDef | None:
    """A module's `__getattr__` (PEP 562): the names it serves, imported when first asked for."""
    return next((f for f in tree.body if isinstance(f, ast.FunctionDef) and f.name == "__getattr__"), None)


def test_at_most_three_imports_of_the_package_inside_functions():
    """Imports belong at the top of a module; the exceptions are start-up time, named: the
    command line's commands (`cli.lazy`), a replay only when a history close is missing
    (`history/closes.py`), and the snapshot check of `scenario.validate`, which needs numpy and
    pandas that `repomodel --help` and `import repomodel` do without."""
    inside = []
    for path in modules():
        tree = ast.parse(path.read_text())
        served = _module_getattr(tree)
        for func in ast.walk(tree):
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef) and func is not served:
                inside += [f"{path.relative_to(PACKAGE)}:{func.name}" for _ in _package_imports(func)]
    assert len(set(inside)) <= MAX_LAZY_IMPORTS, inside


def test_mesa_is_imported_only_where_a_module_asks_for_it_by_name():
    """The package's two PEP 562 `__getattr__`s keep Mesa out of the core and the command line
    (`repomodel.RepoMarketModel`, `repomodel.agents.LargeBank`, ...): each serves names it
    lists and refuses the rest, and no other module has one."""
    with_getattr = []
    for path in modules():
        served = _module_getattr(ast.parse(path.read_text()))
        if served is not None:
            with_getattr.append(str(path.relative_to(PACKAGE)))
            assert "raise AttributeError" in ast.unparse(served), path
    assert sorted(with_getattr) == ["__init__.py", "agents.py"]


MODEL_METHODS = {"step", "run", "results", "run_model", "register_agent", "remove_all_agents", "reset_rng"}
MODEL_CLASSES = {"Market", "RepoMarketModel", "ReplayModel", "BatchModel", "VizModel"}


def _is_model(node: ast.AST) -> bool:
    """An expression that is the model: a name or attribute called `model`, or a model built
    in place (`RepoMarketModel(...)`)."""
    if isinstance(node, ast.Name):
        return node.id == "model" or node.id.endswith("_model")
    if isinstance(node, ast.Attribute):
        return node.attr == "model"
    if isinstance(node, ast.Call):
        f = node.func
        return getattr(f, "id", getattr(f, "attr", "")) in MODEL_CLASSES
    return False


def test_no_module_but_core_and_model_py_calls_a_method_on_the_model():
    calls = []
    for path in modules():
        if path in (PACKAGE / "core.py", PACKAGE / "model.py"):  # the model's own modules
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and _is_model(node.func.value)
            ):
                if node.func.attr in MODEL_METHODS or not node.func.attr.startswith("_"):
                    if node.func.attr not in {"ledger", "net", "params"}:
                        calls.append(f"{path.relative_to(PACKAGE)}:{node.lineno} model.{node.func.attr}()")
    assert not calls


def test_every_subpackage_has_a_readme():
    missing = [str(d.relative_to(PACKAGE)) for d in PACKAGE.iterdir() if (d / "__init__.py").exists()]
    missing = [d for d in missing if not (PACKAGE / d / "README.md").exists()]
    assert not missing


def test_git_sees_the_tracked_results_and_none_of_what_runs_write_there_by_default():
    """`repomodel run --scenario my.toml` writes results/my/: not something to commit by mistake;
    a new file in a tracked folder (a new figure) is seen."""
    root = PACKAGE.parent
    if shutil.which("git") is None or not (root / ".git").exists():
        pytest.skip("not a git checkout")

    def ignored(path: str) -> bool:
        return subprocess.run(["git", "check-ignore", "-q", path], cwd=root).returncode == 0

    assert ignored("results/my/timeseries.csv") and ignored("results/no_rmp/spread.png")
    assert ignored("results/sweeps/quick/summary.csv")
    assert not ignored("results/rmp40/new_figure.png") and not ignored("results/replay/summary.json")
    folders = subprocess.run(["git", "ls-files", "results"], cwd=root, capture_output=True, text=True)
    assert {line.split("/")[1] for line in folders.stdout.splitlines()} == set(TRACKED_RESULTS)
    tracked_but_ignored = subprocess.run(
        ["git", "ls-files", "-ci", "--exclude-standard"], cwd=root, capture_output=True, text=True
    ).stdout
    assert tracked_but_ignored == ""
