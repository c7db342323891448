"""Azure ML entry-script compatibility: the `azureml` request/response modules and model folders.

Scripts import `AMLRequest`, `rawhttp` and `AMLResponse` from `azureml.contrib.services.aml_request` /
`aml_response` or `azureml_inference_server_http.api.aml_request` / `aml_response`, `Model` from
`azureml.core.model` (or `azureml.core`) and `Collector` from `azureml.ai.monitoring`. When those packages
are not installed, `install_aliases()` makes these names import the gateway's own modules.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from typing import Sequence

from .aml_request import AMLRequest, rawhttp
from .aml_response import AMLResponse
from .models import Model, model_path

__all__ = ("AMLRequest", "AMLResponse", "Model", "rawhttp", "model_path", "install_aliases", "ALIASES", "EXPORTS")

#: importable name → the gateway module standing in for it
ALIASES = {
    "azureml.contrib.services.aml_request": "gateway.azureml.aml_request",
    "azureml.contrib.services.aml_response": "gateway.azureml.aml_response",
    "azureml_inference_server_http.api.aml_request": "gateway.azureml.aml_request",
    "azureml_inference_server_http.api.aml_response": "gateway.azureml.aml_response",
    "azureml.core.model": "gateway.azureml.models",
    "azureml.exceptions": "gateway.azureml.models",
    "azureml.ai.monitoring.context": "gateway.azureml.collector",
}
#: a stand-in package → (gateway module, the names it re-exports from it): `from azureml.core import Model`
EXPORTS = {
    "azureml.core": ("gateway.azureml.models", ("Model",)),
    "azureml.ai.monitoring": ("gateway.azureml.collector", ("Collector",)),
}
_PACKAGES = {
    parent for name in ALIASES for parent in (name.rsplit(".", i)[0] for i in range(1, name.count(".") + 1))
} | set(EXPORTS)


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Consulted only after every real finder failed: real azureml packages always win."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname in ALIASES:
            return importlib.util.spec_from_loader(fullname, self)
        if fullname in _PACKAGES:
            return importlib.util.spec_from_loader(fullname, self, is_package=True)
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        if spec.name in ALIASES:
            return importlib.import_module(ALIASES[spec.name])
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        if module.__name__ in _PACKAGES and not hasattr(module, "__path__"):
            module.__path__ = []
        if module.__name__ in EXPORTS:
            source, names = EXPORTS[module.__name__]
            exporting = importlib.import_module(source)
            for name in names:
                setattr(module, name, getattr(exporting, name))


_FINDER = _AliasFinder()


def install_aliases() -> None:
    """Let entry scripts import the azureml request/response modules, Model and Collector (idempotent)."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.append(_FINDER)
