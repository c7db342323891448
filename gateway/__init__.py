"""gateway: serve Azure ML-style scoring scripts to Power BI, Excel, Studio and HTTP clients."""

__version__ = "0.1.0"

from .app import create_app  # noqa: E402
from .array import Array  # noqa: E402
from .batching import Batching  # noqa: E402
from .azureml import AMLRequest, AMLResponse, model_path, rawhttp  # noqa: E402
from .contract import Contract, contract, from_sample  # noqa: E402
from .errors import GatewayError  # noqa: E402
from .runtime import Scorer  # noqa: E402
from .settings import Settings  # noqa: E402
from .table import Column, Table  # noqa: E402
from .specs import Json, List, Object, Results, Spec, Value  # noqa: E402

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
