"""Importing scorers: the TARGET forms (`package.module:function`, `path/to/score.py` for its `run`,
`path/score.py:fn`) and Azure ML's conventions around entry scripts (sys.path, AZUREML_* variables)."""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import os
import re
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable, Sequence

from gateway.azureml import install_aliases
from gateway.errors import StartupError
from gateway.settings import ScorerTarget

from .scorer import Registry, Scorer

__all__ = ("CONVENTIONS", "LoadedScorer", "build", "export_model_dir", "load", "load_scorer", "load_scorers")

_LOADS = itertools.count(1)

#: Azure ML's variables the loader sets or reads, as `--help` describes them.
CONVENTIONS: tuple[tuple[str, str], ...] = (
    ("AZUREML_MODEL_DIR", "the model directory scorers read (set from --model-dir when given)"),
    ("AML_APP_ROOT, AZUREML_SOURCE_DIRECTORY", "folders put on sys.path for the scripts' own imports"),
)


@dataclass(frozen=True)
class LoadedScorer:
    name: str
    target: str
    module: ModuleType
    run: Callable[..., Any]
    init: Callable[[], Any] | None
    source_dir: str | None


def load(spec: ScorerTarget) -> LoadedScorer:
    """Import the target and find its `run` (and `init`, when the module has one)."""
    where, func_name = spec.location
    install_aliases()
    try:
        if spec.is_file:
            module, source_dir = _load_file(spec.name, where), os.path.dirname(os.path.realpath(where))
        else:
            module, source_dir = importlib.import_module(where), None
    except StartupError:
        raise
    except BaseException as exc:  # noqa: BLE001 - any import-time failure stops startup with its cause
        raise StartupError(
            f"scorer '{spec.name}' ({spec.target}) could not be imported: {type(exc).__name__}: {exc}"
        ) from exc
    run = getattr(module, func_name, None)
    if not callable(run):
        raise StartupError(
            f"scorer '{spec.name}' ({spec.target}): module {module.__name__} has no function '{func_name}'"
        )
    init = getattr(module, "init", None)
    if func_name == "init" or not callable(init):
        init = None
    return LoadedScorer(spec.name, spec.target, module, run, init, source_dir)


def _load_file(name: str, path: str) -> ModuleType:
    if not os.path.isfile(path):
        raise StartupError(f"scorer '{name}': entry script {path} does not exist")
    path = os.path.realpath(path)
    # a fresh module name per load: inference-schema keys its global registry by module and function
    module_name = "gateway_entry_" + re.sub(r"\W", "_", name) + f"_{next(_LOADS)}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise StartupError(f"scorer '{name}': {path} cannot be loaded as a Python module")
    directory = os.path.dirname(path)
    if directory not in sys.path:
        sys.path.append(directory)  # entry scripts import their sibling modules, as under Azure ML
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


def build(loaded: LoadedScorer) -> Scorer:
    """The served `Scorer` of an imported target."""
    return Scorer.from_function(loaded.name, loaded.run, loaded.init, target=loaded.target, source_dir=loaded.source_dir)


def load_scorer(target: ScorerTarget) -> Scorer:
    """Import a target and build its `Scorer` (what the CLI, the subcommands and the test fixtures serve)."""
    return build(load(target))


def export_model_dir(path: str) -> None:
    """Tell the scripts where their model is, as Azure ML does: AZUREML_MODEL_DIR (what `model_path` reads)."""
    os.environ["AZUREML_MODEL_DIR"] = path


def load_scorers(targets: Sequence[ScorerTarget]) -> list[Scorer]:
    """Import every target as Azure ML would (never calling init()); the first failure is a StartupError.

    AML_APP_ROOT (the working directory unless set) and AZUREML_SOURCE_DIRECTORY are put on sys.path
    first, so scripts can import modules from there; AZUREML_ENTRY_SCRIPT names the default scorer's script.
    """
    os.environ.setdefault("AML_APP_ROOT", os.getcwd())
    for variable in ("AML_APP_ROOT", "AZUREML_SOURCE_DIRECTORY"):
        folder = os.environ.get(variable)
        if folder and os.path.isdir(folder) and os.path.abspath(folder) not in sys.path:
            sys.path.append(os.path.abspath(folder))
    scorers = [load_scorer(target) for target in targets]
    default = Registry(scorers).default
    if default is not None and default.source_dir is not None:
        where, _ = next(t for t in targets if t.name == default.name).location
        os.environ["AZUREML_ENTRY_SCRIPT"] = os.path.realpath(where)
    return scorers
