"""Azure ML's MLflow request, `{"input_data": ..., "params"?: {...}}` on the score routes, translated into the
envelope of a scorer with exactly one table parameter (`gateway.scoring.table_slot`).

`input_data` holds the table as Azure ML's MLflow scoring script takes it: pandas' split form
(`{"columns", "index"?, "data"}`), row objects, row arrays in the declared column order, single values for
a one-column table, or named columns. `params` go to `GlobalParameters` when the contract declares it as an
object (or as any JSON), else each to the parameter of its name. Problems keep the path of the body the
client sent (`input_data.data[3][1]: ...`, `params.method: ...`); the answer is the scorer's usual one.
"""

from __future__ import annotations

from typing import Any

from gateway.core.declare import Contract
from gateway.core.decoding import DecodeContext
from gateway.core.envelope import loads
from gateway.errors import Problem

from .table_slot import Slot, place_params, rename, renamed, slot_of, table_value

__all__ = ("input_data",)


def input_data(
    active: Contract, body: bytes, name: str, ctx: DecodeContext, contract: Contract | None = None
) -> dict[str, Any] | None:
    """Azure ML's MLflow request on a score route, `{"input_data": ..., "params"?: {...}}`, as `run()`
    arguments for `active` (`contract`: the scorer's, when `active` is batching's copy); None when the body
    is no such request, or the contract takes `input_data` itself."""
    contract = contract or active
    if b'"input_data"' not in body or "input_data" in contract.params:
        return None
    try:
        value = loads(body)
    except ValueError:
        return None  # the envelope's own parse reports it
    if type(value) is not dict or "input_data" not in value or not value.keys() <= {"input_data", "params"}:
        return None
    if "params" in value and "params" in contract.params:
        return None
    slot = slot_of(contract, "Azure ML's MLflow request (a body of 'input_data')", name)
    return _bind_json(slot, active, "input_data", value["input_data"], value.get("params"), [], ctx)


def _bind_json(
    slot: Slot, active: Contract, key: str, value: Any, params: Any, ignored: list[str], ctx: DecodeContext
) -> dict[str, Any]:
    table, rules = table_value(slot, key, value)
    envelope = slot.envelope(table)
    rules += place_params(slot, envelope, params)
    kwargs = active.bind(envelope, ctx)
    rename(ctx, lambda problem: Problem(renamed(problem.path, rules + slot.rules), problem.error))
    ctx.ignored.extend(ignored)
    return kwargs
