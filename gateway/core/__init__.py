"""The framework-free core: declaring a contract and converting JSON to and from what `run()` sees.

Nothing here imports aiohttp or asyncio: specs (`Table`, `Array`, `Value`, ...), the wire dtypes and
cells, the table wire forms (`codecs`), the envelope, the msgspec fast path and the results writer.
"""

from .array import Array
from .declare import Batching, Contract, contract, from_sample, get_contract
from .specs import Json, List, Object, Results, Spec, Value
from .table import Column, Table

__all__ = (
    "Array", "Batching", "Column", "Contract", "Json", "List", "Object", "Results", "Spec", "Table", "Value",
    "contract", "from_sample", "get_contract",
)
