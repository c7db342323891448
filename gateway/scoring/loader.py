"""§1 TARGET forms: `package.module:function`, `path/to/score.py` (function `run`), `path/score.py:fn`."""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import os
import re
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable

from gateway.azureml import install_aliases
from gateway.errors import StartupError
from gateway.settings import ScorerTarget

from .scorer import Scorer

__all__ = ("LoadedScorer", "load", "load_scorer", "build")

_LOADS = itertools.count(1)


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
