"""gateway: serve Azure ML-style scoring scripts to Power BI, Excel, Studio and HTTP clients.

The face holds what a score.py writes (`contract`, `Table`, `Value`, ...) and loads no web framework:
`create_app` (the aiohttp server) is imported on first use, as `aiohttp.web` stands apart from `aiohttp`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gateway.azureml import AMLRequest, AMLResponse, model_path, rawhttp
from gateway.core import (
    Array,
    Batching,
    Column,
    Contract,
    Json,
    List,
    Object,
    Results,
    Spec,
    Table,
    Value,
    contract,
    from_sample,
)
from gateway.errors import GatewayError
from gateway.scoring.scorer import Scorer
from gateway.settings import Settings
from gateway.version import __version__

if TYPE_CHECKING:
    from gateway.server.app import create_app

__all__ = (
    "__version__",
    "contract",
    "Contract",
    "from_sample",
    "Table",
    "Column",
    "Array",
    "Batching",
    "Spec",
    "Json",
    "Value",
    "Object",
    "List",
    "Results",
    "Scorer",
    "Settings",
    "create_app",
    "GatewayError",
    "model_path",
    "rawhttp",
    "AMLRequest",
    "AMLResponse",
)


def __getattr__(name: str) -> Any:
    """`gateway.create_app` on first use (PEP 562): importing the face does not load aiohttp."""
    if name == "create_app":
        from gateway.server.app import create_app

        return create_app
    raise AttributeError(f"module 'gateway' has no attribute {name!r}")
