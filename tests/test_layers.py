"""The package's layering, read from its own import statements: no cycle, no import pointing up a layer,
a framework-free core, a face that loads no web framework, small modules that declare what they export."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "gateway"

#: Lowest first; a module may import only from its own layer or a lower one. The face (`gateway`) is
#: above all of them: nothing in the package imports it.
LAYERS = (
    ("gateway.version", "gateway.errors", "gateway.settings"),
    ("gateway.core",),
    ("gateway.azureml",),
    ("gateway.scoring",),
    ("gateway.documents",),
    ("gateway.server",),
    ("gateway.cli",),
    ("gateway.testing", "gateway.__main__"),
    ("gateway",),
)
MAX_LINES = 300


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {
    _module_name(path): path for path in sorted(PACKAGE.rglob("*.py")) if "static" not in path.parts
}


def _imports(name: str, path: Path) -> set[str]:
    """Every gateway module `name` imports, lazily or not (`from . import x` counts as module `x`)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return {module for module in found if module in MODULES and module != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _layer(name: str) -> int:
    best = None
    for rank, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if name == prefix or name.startswith(prefix + "."):
                if best is None or len(prefix) > best[1]:
                    best = (rank, len(prefix))
    assert best is not None, f"{name} belongs to no layer: add it to LAYERS"
    return best[0]


def test_every_module_belongs_to_a_layer():
    for name in MODULES:
        _layer(name)


def test_no_import_points_up_a_layer():
    upward = [
        f"{name} (layer {_layer(name)}) imports {target} (layer {_layer(target)})"
        for name, targets in GRAPH.items()
        for target in targets
        if _layer(target) > _layer(name)
    ]
    assert upward == []


def test_the_import_graph_has_no_cycle():
    # Tarjan's strongly connected components over every import, lazy ones included
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in GRAPH[node]:
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
                cycles.append(sorted(component))

    for node in GRAPH:
        if node not in index:
            visit(node)
    # a package's __init__ re-exporting its own modules is not a cycle of ideas, but it is one of imports
    assert cycles == []


@pytest.mark.parametrize("layer", ["gateway.core", "gateway.scoring", "gateway.azureml"])
def test_the_core_and_scoring_import_no_web_framework(layer: str):
    forbidden = {"aiohttp", "aiohttp_cors", "prometheus_client"} | ({"asyncio"} if layer == "gateway.core" else set())
    for name, path in MODULES.items():
        if name == layer or name.startswith(layer + "."):
            tree = ast.parse(path.read_text())
            roots = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
            roots |= {(node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and not node.level}
            assert not roots & forbidden, f"{name} imports {sorted(roots & forbidden)}"


@pytest.mark.parametrize(
    "statement",
    [
        "from gateway import contract, Table, Value",
        "import gateway.core",
        "import gateway.scoring.service",
        "import gateway.documents.openapi",
        "from gateway.azureml import AMLRequest, AMLResponse, rawhttp",
    ],
)
def test_what_a_score_py_imports_loads_no_aiohttp(statement: str):
    code = f"import sys; {statement}; print(sorted(m for m in ('aiohttp', 'aiohttp_cors', 'prometheus_client') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_face_exports_the_server_lazily():
    code = "import sys, gateway; before = 'aiohttp' in sys.modules; app = gateway.create_app; print(before, 'aiohttp' in sys.modules, app.__module__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True", "gateway.server.app"]


def test_no_module_is_long():
    long = {name: n for name, path in MODULES.items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_every_module_declares_what_it_exports():
    for name in MODULES:
        if name.endswith("__main__"):
            continue
        module = importlib.import_module(name)
        exported = getattr(module, "__all__", None)
        if name != "gateway.version" and MODULES[name].name != "__init__.py":
            assert exported is not None, f"{name} has no __all__"
        assert set(exported or ()) <= set(dir(module)) | {"create_app"}, name


def test_the_code_cites_no_document_outside_the_repository():
    cited = [name for name, path in MODULES.items() if "§" in path.read_text()]
    assert cited == []


def test_every_module_imports_under_its_dotted_name():
    """`import gateway.core.table as t` works for every module: no name of a package's face (such as
    the `contract` decorator) shadows one of its subpackages."""
    for name in MODULES:
        if name.endswith("__main__"):
            continue
        namespace: dict[str, object] = {}
        exec(f"import {name} as module", namespace)
        assert getattr(namespace["module"], "__name__", None) == name
