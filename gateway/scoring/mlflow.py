"""MLflow's scoring protocol (`POST /invocations`) and Azure ML's MLflow request (`{"input_data": ...}` on
the score routes), translated into the envelope of a scorer with exactly one table parameter.

The table is where the contract declares it (`data`, or `Inputs.data`); MLflow's body fills it:

* `dataframe_split`: pandas' `to_json(orient="split")`, `{"columns", "index"?, "data"}`;
* `dataframe_records`: `[{"column": value, ...}, ...]`;
* `instances`, `inputs` (and Azure's `input_data`): row objects, row arrays in the declared column order,
  single values for a one-column table, or an object (named columns, or the split form);
* a `text/csv` body: the header row and one row per record (`gateway.core.csv_table`), cells read with
  the declared dtypes from their text.

`params` go to `GlobalParameters` when the contract declares it as an object (or as any JSON), else each
to the top-level parameter (or the table's sibling in its object) of its name. Problems keep the path of
the body the client sent (`dataframe_split.data[3][1]: ...`, `params.method: ...`); the answer is
`{"predictions": <what the scorer's Results held>}`, and an error carries MLflow's `error_code`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from gateway.azureml.parameter_specs import Passthrough
from gateway.core.csv_table import CSV_MEDIA_TYPE, csv_problem, read_csv
from gateway.core.declare import Contract
from gateway.core.decoding import DecodeContext
from gateway.core.envelope import is_json_media_type, loads, parse_body
from gateway.core.specs import Spec, decode_members
from gateway.core.table import DeferredTable, Table
from gateway.errors import (
    ContractError,
    EnvelopeError,
    GatewayError,
    Problem,
    UnsupportedMediaType,
    join_path,
)

from .table_slot import (
    Slot,
    place_params,
    rename,
    renamed,
    slot_of,
    table_value,
    with_table,
    within,
)

__all__ = ("MLFLOW", "INPUT_KEYS", "invocation", "input_data", "predictions", "error_code")

MLFLOW = "mlflow"
INPUT_KEYS = ("dataframe_split", "dataframe_records", "instances", "inputs")
_CODES = {401: "UNAUTHENTICATED", 404: "RESOURCE_DOES_NOT_EXIST", 429: "REQUEST_LIMIT_EXCEEDED",
          500: "INTERNAL_ERROR", 503: "TEMPORARILY_UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}


def invocation(
    contract: Contract | None, active: Contract | None, body: bytes, content_type: str | None, name: str, ctx: DecodeContext
) -> dict[str, Any]:
    """A `POST /invocations` body's `run()` arguments for `active` (batching's copy of the scorer's `contract`;
    None: that contract); problems go to `ctx`, renamed to the body's paths."""
    slot = slot_of(contract, "MLflow's scoring protocol (/invocations)", name)
    active = active or contract
    assert active is not None
    media = _media_type(content_type)
    if media == CSV_MEDIA_TYPE:
        return _bind_csv(slot, active, body, ctx)
    if not is_json_media_type(media):
        raise UnsupportedMediaType(f"/invocations takes Content-Type application/json or text/csv (got '{content_type}')")
    value = parse_body(body)
    keys = [key for key in INPUT_KEYS if key in value]
    if len(keys) != 1:
        raise EnvelopeError(
            f"The input must be a JSON dictionary with exactly one of the input fields {', '.join(INPUT_KEYS)}; "
            f"received the fields: {', '.join(map(repr, value)) or 'none'}"
        )
    ignored = [join_path("", key) for key in value if key not in INPUT_KEYS and key != "params"]
    return _bind_json(slot, active, keys[0], value[keys[0]], value.get("params"), ignored, ctx)


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


def predictions(value: Any, body: bytes) -> bytes:
    """The rendered answer `body` of `value` as MLflow's `{"predictions": ...}`: what `{"Results": x}` held,
    else the whole answer."""
    if isinstance(value, dict) and len(value) == 1 and "Results" in value and body.startswith(b'{"Results":'):
        return b'{"predictions":' + body[len(b'{"Results":'):]
    return b'{"predictions":' + body + b"}"


def error_code(exc: GatewayError) -> str:
    """MLflow's `error_code` for a gateway error: a request breaking the contract is
    INVALID_PARAMETER_VALUE (as MLflow's schema enforcement), any other 4xx BAD_REQUEST."""
    if isinstance(exc, ContractError):
        return "INVALID_PARAMETER_VALUE"
    return _CODES.get(exc.status, "BAD_REQUEST" if exc.status < 500 else "INTERNAL_ERROR")


def _media_type(content_type: str | None) -> str:
    if not content_type:
        raise UnsupportedMediaType("/invocations takes Content-Type application/json or text/csv (no Content-Type header was sent)")
    media, *parameters = (part.strip() for part in content_type.split(";"))
    for parameter in parameters:
        key, _, raw = parameter.partition("=")
        key, setting = key.strip().lower(), raw.strip().strip('"').lower()
        if key == "charset" and setting not in ("utf-8", "utf8"):
            raise UnsupportedMediaType(f"/invocations reads UTF-8 only (got charset={setting})")
        if key == "format":
            raise UnsupportedMediaType(
                f"the Content-Type parameter format={setting} is MLflow 1's protocol; MLflow 2's wraps the table in the "
                'body instead: {"dataframe_split": {"columns": [...], "data": [[...]]}} or {"dataframe_records": [...]}'
            )
    return media.lower()


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


def _bind_csv(slot: Slot, active: Contract, body: bytes, ctx: DecodeContext) -> dict[str, Any]:
    table = read_csv(body)
    params = with_table(active.params, slot.path, _text_spec)
    folded = {key.casefold(): key for key in params}
    kwargs = decode_members(params, folded, slot.envelope(table), "", ctx)
    where = slot.table_path

    def as_csv(problem: Problem) -> Problem:
        if within(problem.path, where):
            return csv_problem(problem, where, table)
        return Problem(renamed(problem.path, slot.rules), problem.error)

    rename(ctx, as_csv)
    return kwargs


def _text_spec(spec: Spec) -> Spec:
    """`spec` (the table, as the active contract holds it) reading cells from their text."""
    if isinstance(spec, DeferredTable):
        return DeferredTable(_text_table(spec.table))
    if isinstance(spec, Passthrough):
        return Passthrough(_text_spec(spec.inner))
    assert isinstance(spec, Table)
    return _text_table(spec)


@lru_cache(maxsize=256)
def _text_table(table: Table) -> Table:
    return table.with_text_values()
