"""Schema dialects: the rules every spec and codec follows when it writes its own schema.

A spec describes itself in one of four dialects through `Spec.schema(dialect)`: the contract's JSON
Schema (draft 2020-12, the strict one `gateway check` validates with) or a Swagger/OpenAPI document's
(2.0, 3.0, 3.1, shaped as Azure ML's clients read them). What differs between them is spelt here once:
how null is allowed, and what one cell of a wire dtype is.
"""

from __future__ import annotations

from typing import Any, Mapping

from .dtypes import json_schema, wire_dtype

__all__ = ("JSON_SCHEMA", "OPENAPI_DIALECTS", "DIALECTS", "nullable", "cell", "positional_row", "wrapped_rows")

#: the contract's own JSON Schema (`/contract.json`, `gateway check --export-schema`)
JSON_SCHEMA = "2020-12"
#: the Swagger/OpenAPI dialects of `/swagger.json?version=`
OPENAPI_DIALECTS = ("2.0", "3.0", "3.1")
DIALECTS = (JSON_SCHEMA, *OPENAPI_DIALECTS)


def nullable(schema: dict[str, Any], dialect: str) -> dict[str, Any]:
    """`schema` that also admits null, in the dialect's spelling (x-nullable, nullable, or a type list)."""
    if dialect == "2.0":
        schema["x-nullable"] = True
    elif dialect == "3.0":
        schema["nullable"] = True
    elif "type" in schema:
        schema["type"] = [schema["type"], "null"]
    return schema


def cell(dtype: str, is_nullable: bool, dialect: str, unit: str | None = None) -> dict[str, Any]:
    """One cell of a wire dtype: the full JSON Schema (bounds, pattern, epoch units), or in a document
    dialect the type and format Power BI reads."""
    if dialect == JSON_SCHEMA:
        return json_schema(dtype, nullable=is_nullable, unit=unit)
    wire = wire_dtype(dtype)
    schema: dict[str, Any] = {"type": wire.schema["type"]}
    if "format" in wire.schema:
        schema["format"] = wire.schema["format"]
    return nullable(schema, dialect) if is_nullable else schema


def positional_row(cells: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """A row of a positional form (split, classic, values) in JSON Schema: one cell schema per position."""
    return {"type": "array", "prefixItems": list(cells.values()), "minItems": len(cells), "maxItems": len(cells)}


def wrapped_rows(
    names: str, rows: str, extra: tuple[str, dict[str, Any], dict[str, Any]], cells: Mapping[str, dict[str, Any]], dialect: str
) -> dict[str, Any]:
    """An object holding the column names under `names` and row arrays under `rows` (split, classic), with
    one optional `extra` member (name, its JSON Schema, its document schema)."""
    column_names = list(cells)
    extra_name, extra_json, extra_document = extra
    if dialect == JSON_SCHEMA:
        return {
            "type": "object",
            "properties": {
                names: {"const": column_names},
                rows: {"type": "array", "items": positional_row(cells)},
                extra_name: extra_json,
            },
            "required": [names, rows],
            "additionalProperties": False,
        }
    return {
        "type": "object",
        "required": [names, rows],
        "properties": {
            names: {"type": "array", "items": {"type": "string", "enum": column_names}},
            extra_name: extra_document,
            rows: {"type": "array", "items": {"type": "array", "items": {}}},
        },
    }
