"""The `/invocations` path of an OpenAPI 3.0 / 3.1 document: MLflow's scoring protocol for a scorer with
exactly one table (`gateway.scoring.mlflow`).

Its request body is one of MLflow's four JSON forms, each an object holding exactly one input field
(`dataframe_split`, `dataframe_records`, `instances`, `inputs`) beside an optional `params`, or a
`text/csv` body; it answers `{"predictions": ...}` (what the scorer's `Results` holds), and MLflow's
`{"error_code", "message", "errors"}` on a bad request. Every schema is written inline, so the document's
components stay the three Azure ML's clients read. Swagger 2.0 (Power BI's) has no such path: one body
schema per operation cannot say "JSON or CSV".
"""

from __future__ import annotations

import csv
import io
from typing import Any

import orjson

from gateway.core.codecs import CODECS
from gateway.core.decoding import DecodeContext
from gateway.core.schema import cell
from gateway.core.specs import Results, Spec
from gateway.errors import PROBLEMS_SCHEMA, EnvelopeError
from gateway.scoring.scorer import Scorer
from gateway.scoring.table_slot import Slot, member_specs, slot_of

__all__ = ("ERROR_CODES", "invocations_path", "invocations_operations")

#: the `error_code` values the gateway answers on /invocations
ERROR_CODES = [
    "BAD_REQUEST", "INVALID_PARAMETER_VALUE", "UNAUTHENTICATED", "RESOURCE_DOES_NOT_EXIST", "REQUEST_LIMIT_EXCEEDED",
    "INTERNAL_ERROR", "TEMPORARILY_UNAVAILABLE", "DEADLINE_EXCEEDED",
]
_ERROR = {
    "type": "object",
    "required": ["error_code", "message"],
    "properties": {
        "error_code": {"type": "string", "enum": ERROR_CODES},
        "message": {"type": "string", "description": "the first problem with its path, e.g. dataframe_split.data[3][1]: ..."},
        "errors": PROBLEMS_SCHEMA,
    },
}
_DOC = (
    "MLflow's scoring protocol: exactly one of dataframe_split, dataframe_records, instances, inputs (with optional "
    "params), or a CSV body (a header row of column names, then one row per record; an empty cell is null)."
)


def invocations_path(score_path: str) -> str:
    """Where MLflow clients post for the scorer served at `score_path`: `/invocations` for `/score`."""
    return "/invocations" if score_path == "/score" else score_path + "/invocations"


def invocations_operations(scorer: Scorer, dialect: str, security: list[dict[str, list[str]]] | None) -> dict[str, Any] | None:
    """`{"post": ...}` for the invocations path, or None when the scorer has not exactly one table."""
    try:
        slot = slot_of(scorer.contract, "", scorer.name)
    except EnvelopeError:
        return None
    assert scorer.contract is not None
    cells = {name: cell(c.dtype, c.nullable, dialect, c.unit) for name, c in slot.table.columns.items()}

    def form(name: str) -> dict[str, Any]:
        return CODECS[name].schema(cells, slot.table.strict_columns, dialect)

    members = _params(scorer, slot)
    params = _params_schema(members, slot.to_globals, dialect)
    variants = [
        _variant("dataframe_split", form("split"), params),
        _variant("dataframe_records", form("records"), params),
        _variant("instances", {"anyOf": [form("records"), form("values")]}, params),
        _variant("inputs", {"anyOf": [form("columns"), form("values")]}, params),
    ]
    json_body: dict[str, Any] = {"schema": {"oneOf": variants}}
    csv_body: dict[str, Any] = {"schema": {"type": "string"}}
    example = _example(slot)
    if example is not None:
        params_example = _params_example(members, slot.to_globals)
        json_body["example"] = {"dataframe_split": example}
        if params_example is None:
            csv_body["example"] = _csv(example)  # (a CSV body carries no params)
        else:
            json_body["example"]["params"] = params_example
    error = {"description": "MLflow's error: the request is refused, or the scorer failed.",
             "content": {"application/json": {"schema": _ERROR}}}
    post: dict[str, Any] = {
        "operationId": "MLflowInvocations",
        "description": _DOC,
        "requestBody": {"required": True, "content": {"application/json": json_body, "text/csv": csv_body}},
        "responses": {
            "200": {
                "description": "What the scorer's Results holds, as MLflow's predictions.",
                "content": {"application/json": {"schema": {
                    "type": "object", "required": ["predictions"], "properties": {"predictions": _predictions(scorer, dialect)},
                }}},
            },
            "400": {**error, "description": "The body breaks MLflow's protocol (BAD_REQUEST) or the contract "
                    "(INVALID_PARAMETER_VALUE); each problem names its path."},
            "415": {**error, "description": "A Content-Type other than application/json or text/csv."},
            "default": error,
        },
    }
    if security:
        post["security"] = security
    return {"post": post}


def _variant(key: str, table: dict[str, Any], params: dict[str, Any] | None) -> dict[str, Any]:
    properties = {key: table} if params is None else {key: table, "params": params}
    return {"type": "object", "required": [key], "properties": properties}


def _params(scorer: Scorer, slot: Slot) -> dict[str, Spec]:
    """What `params` may hold: GlobalParameters as a whole, or the other parameters by name."""
    assert scorer.contract is not None
    params = scorer.contract.params
    if slot.to_globals:
        return {"GlobalParameters": params["GlobalParameters"]}
    siblings = member_specs(params[slot.path[0]])
    members: dict[str, Spec] = {name: siblings[name] for name in slot.siblings}
    members.update((key, spec) for key, spec in params.items() if key != slot.path[0])
    return members


def _params_schema(members: dict[str, Spec], to_globals: bool, dialect: str) -> dict[str, Any] | None:
    if to_globals:
        return members["GlobalParameters"].schema(dialect)
    if not members:
        return None
    schema: dict[str, Any] = {"type": "object", "properties": {name: spec.schema(dialect) for name, spec in members.items()}}
    required = [name for name, spec in members.items() if spec.required]
    if required:
        schema["required"] = required
    return schema


def _params_example(members: dict[str, Spec], to_globals: bool) -> Any:
    """The required parameters' examples (MLflow's `params`), or None when none is required."""
    if to_globals:
        spec = members["GlobalParameters"]
        return spec.example() if spec.required else None
    required = {name: spec.example() for name, spec in members.items() if spec.required}
    return required or None


def _predictions(scorer: Scorer, dialect: str) -> dict[str, Any]:
    results = scorer.contract.results if scorer.contract is not None else None
    if isinstance(results, Results):
        return results.members["Results"].schema(dialect)
    return results.schema(dialect) if results is not None else {}


def _example(slot: Slot) -> dict[str, Any] | None:
    """The table's published example in the split form, or None when it has none that decodes."""
    ctx = DecodeContext()
    frame = slot.table.decode(slot.table.example(), "example", ctx)
    if frame is None or ctx.problems:
        return None
    split: dict[str, Any] = CODECS["split"].encode(frame)
    return split


def _csv(split: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(split["columns"])
    for row in split["data"]:
        writer.writerow(["" if v is None else v if isinstance(v, str) else orjson.dumps(v).decode() for v in row])
    return out.getvalue()
