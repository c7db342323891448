"""§5 Swagger 2.0 / OpenAPI 3.0 / 3.1 documents shaped as Azure ML's clients (Power BI) read them.

The template follows the reference server's (paths `/`, the score path, `/swagger.json`; operation ids
`ServiceHealthCheck`, `RunMLService`, `GetSwaggerSpec`; body `serviceInputPayload`; definitions
`ServiceInput`, `ServiceOutput`, `ErrorResponse`; `format` markers `pandas.DataFrame:<orient>` and
`numpy.ndarray`), improved: `required` at every level, nullability in each dialect's way, no
`request_headers` placeholder, security only when keys are configured, the path prefix applied.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from typing import Any

import orjson
from openapi_spec_validator import OpenAPIV2SpecValidator, OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

from .array import Array
from .dtypes import wire_dtype
from .errors import StartupError
from .runtime import Scorer
from .specs import Json, List, Object, Spec, Value
from .table import Table

__all__ = ("VERSIONS", "USER_FILES", "DocumentOptions", "build_document", "normalize_version", "spec_schema", "user_documents")

#: accepted `?version=` values → the dialect they select
VERSIONS = {"2": "2.0", "2.0": "2.0", "3": "3.0", "3.0": "3.0", "3.1": "3.1"}
ERROR_RESPONSE = {
    "type": "object",
    "required": ["message"],
    "properties": {
        "message": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "error"],
                "properties": {"path": {"type": "string"}, "error": {"type": "string"}},
            },
        },
    },
}
_VALUE_TYPES = {int: ("integer", "int64"), float: ("number", "double"), bool: ("boolean", None), str: ("string", None)}


@dataclass(frozen=True)
class DocumentOptions:
    """What the service says about itself (SERVICE_NAME, SERVICE_VERSION, SERVICE_PATH_PREFIX, keys)."""

    title: str = "ML service"
    version: str = "1.0"
    path_prefix: str = ""
    secured: bool = False


def normalize_version(raw: str) -> str | None:
    """`2`, `2.0`, `3`, `3.0`, `3.1` → the dialect; anything else → None."""
    return VERSIONS.get(raw)


def _nullable(schema: dict[str, Any], dialect: str) -> dict[str, Any]:
    if dialect == "2.0":
        schema["x-nullable"] = True
    elif dialect == "3.0":
        schema["nullable"] = True
    elif "type" in schema:
        schema["type"] = [schema["type"], "null"]
    return schema


def _cell(dtype: str, nullable: bool, dialect: str) -> dict[str, Any]:
    wire = wire_dtype(dtype)
    schema: dict[str, Any] = {"type": wire.schema["type"]}
    if "format" in wire.schema:
        schema["format"] = wire.schema["format"]
    return _nullable(schema, dialect) if nullable else schema


def _table(spec: Table, dialect: str) -> dict[str, Any]:
    names = list(spec.columns)
    cells = {name: _cell(c.dtype, c.nullable, dialect) for name, c in spec.columns.items()}
    orient = spec.orient
    if orient == "records":
        schema: dict[str, Any] = {
            "type": "array",
            "items": {"type": "object", "required": names, "properties": cells},
        }
    elif orient == "columns":
        schema = {
            "type": "object",
            "required": names,
            "properties": {name: {"type": "array", "items": cell} for name, cell in cells.items()},
        }
    elif orient == "split":
        schema = {
            "type": "object",
            "required": ["columns", "data"],
            "properties": {
                "columns": {"type": "array", "items": {"type": "string", "enum": names}},
                "index": {"type": "array", "items": {}},
                "data": {"type": "array", "items": {"type": "array", "items": {}}},
            },
        }
    elif orient == "classic":
        schema = {
            "type": "object",
            "required": ["ColumnNames", "Values"],
            "properties": {
                "ColumnNames": {"type": "array", "items": {"type": "string", "enum": names}},
                "ColumnTypes": {"type": "array", "items": {"type": "string"}},
                "Values": {"type": "array", "items": {"type": "array", "items": {}}},
            },
        }
    else:  # values: rows of cells by position
        schema = {"type": "array", "items": {"type": "array", "items": {}}}
    schema["format"] = f"pandas.DataFrame:{orient}"
    return _nullable(schema, dialect) if spec.nullable else schema


def _array(spec: Array, dialect: str) -> dict[str, Any]:
    schema = _cell(spec.dtype, spec.nullable_elements, dialect)
    for size in reversed(spec.shape):
        schema = {"type": "array", "items": schema}
        if size is not None:
            schema["minItems"] = schema["maxItems"] = size
    schema["format"] = "numpy.ndarray"
    return schema


def spec_schema(spec: Spec, dialect: str) -> dict[str, Any]:
    """The schema of one declared spec in a document dialect ("2.0", "3.0", "3.1")."""
    own = spec.document(dialect)
    if own is not None:
        return own
    if isinstance(spec, Table):
        return _table(spec, dialect)
    if isinstance(spec, Array):
        return _array(spec, dialect)
    if isinstance(spec, Value):
        kind, fmt = _VALUE_TYPES[spec.type]
        schema: dict[str, Any] = {"type": kind}
        if fmt:
            schema["format"] = fmt
        if spec.enum is not None:
            schema["enum"] = list(spec.enum)
        if spec.default is not None and not spec.required:
            schema["default"] = spec.default
    elif isinstance(spec, Object):
        schema = {
            "type": "object",
            "properties": {name: spec_schema(member, dialect) for name, member in spec.members.items()},
        }
        required = [name for name, member in spec.members.items() if member.required]
        if required:
            schema["required"] = required
    elif isinstance(spec, List):
        schema = {"type": "array", "items": spec_schema(spec.items, dialect)}
    elif isinstance(spec, Json):
        return {}
    else:
        return {}
    return _nullable(schema, dialect) if spec.nullable else schema


def _service_input(scorer: Scorer, dialect: str) -> dict[str, Any]:
    if scorer.contract is None:
        what = "the whole HTTP request" if scorer.rawhttp else "the raw request body, as text"
        return {"type": "object", "description": f"run() receives {what}.", "example": {}}
    envelope = scorer.contract.envelope()
    schema = spec_schema(envelope, dialect)
    schema["example"] = envelope.example()
    return schema


def _service_output(scorer: Scorer, dialect: str) -> dict[str, Any]:
    results = scorer.contract.results if scorer.contract is not None else None
    if results is None:
        return {"type": "object", "description": "whatever run() returns, as JSON"}
    schema = spec_schema(results, dialect)
    schema["example"] = results.example()
    return schema


def _json_body(ref: str, dialect: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": ref}}}


def build_document(scorer: Scorer, score_path: str, dialect: str, options: DocumentOptions) -> dict[str, Any]:
    """The whole document for one scorer served at `score_path` (e.g. `/score` or `/score/churn`)."""
    prefix = "/" + options.path_prefix.strip("/") if options.path_prefix.strip("/") else ""
    info = {
        "title": options.title,
        "description": f"API specification for {options.title}",
        "version": options.version,
    }
    schemas = {
        "ServiceInput": _service_input(scorer, dialect),
        "ServiceOutput": _service_output(scorer, dialect),
        "ErrorResponse": copy.deepcopy(ERROR_RESPONSE),
    }
    security: list[dict[str, list[str]]] | None = [{"Bearer": []}] if options.secured else None
    bearer = {
        "type": "apiKey",
        "name": "Authorization",
        "in": "header",
        "description": "For example: Bearer abc123",
    }
    health_doc = "Simple health check endpoint to ensure the service is up at any given point."
    score_doc = "Run web service's model and get the prediction output"
    versions = list(VERSIONS)
    if dialect == "2.0":
        ref = "#/definitions/"
        error = {"description": "The service failed to execute due to an error.", "schema": {"$ref": ref + "ErrorResponse"}}
        score: dict[str, Any] = {
            "operationId": "RunMLService",
            "description": score_doc,
            "parameters": [
                {
                    "name": "serviceInputPayload",
                    "in": "body",
                    "required": scorer.contract is not None,
                    "description": "The input payload for executing the real-time machine learning service.",
                    "schema": {"$ref": ref + "ServiceInput"},
                }
            ],
            "responses": {
                "200": {
                    "description": "The service processed the input correctly and provided a result prediction, "
                    "if applicable.",
                    "schema": {"$ref": ref + "ServiceOutput"},
                },
                "default": error,
            },
        }
        if security:
            score["security"] = security
        document: dict[str, Any] = {
            "swagger": "2.0",
            "info": info,
            "schemes": ["https", "http"],
            "consumes": ["application/json"],
            "produces": ["application/json"],
            "paths": {
                prefix + "/": {
                    "get": {
                        "operationId": "ServiceHealthCheck",
                        "description": health_doc,
                        "produces": ["text/plain"],
                        "responses": {
                            "200": {
                                "description": "If service is up and running, this response will be returned with "
                                "the content 'Healthy'",
                                "schema": {"type": "string"},
                                "examples": {"text/plain": "Healthy"},
                            },
                            "default": error,
                        },
                    }
                },
                prefix + score_path: {"post": score},
                prefix + "/swagger.json": {
                    "get": {
                        "operationId": "GetSwaggerSpec",
                        "description": "Get the Swagger specification.",
                        "parameters": [
                            {"name": "version", "in": "query", "required": False, "type": "string", "enum": versions}
                        ],
                        "responses": {
                            "200": {"description": "The Swagger specification.", "schema": {"type": "object"}},
                            "default": error,
                        },
                    }
                },
            },
            "definitions": schemas,
        }
        if security:
            document["securityDefinitions"] = {"Bearer": bearer}
        return document

    ref = "#/components/schemas/"
    error3 = {"description": "The service failed to execute due to an error.", "content": _json_body(ref + "ErrorResponse", dialect)}
    score3: dict[str, Any] = {
        "operationId": "RunMLService",
        "description": score_doc,
        "requestBody": {
            "description": "The input payload for executing the real-time machine learning service.",
            "required": scorer.contract is not None,
            "content": _json_body(ref + "ServiceInput", dialect),
        },
        "responses": {
            "200": {
                "description": "The service processed the input correctly and provided a result prediction, if applicable.",
                "content": _json_body(ref + "ServiceOutput", dialect),
            },
            "default": error3,
        },
    }
    if security:
        score3["security"] = security
    components: dict[str, Any] = {"schemas": schemas}
    if security:
        components["securitySchemes"] = {"Bearer": bearer}
    return {
        "openapi": "3.0.3" if dialect == "3.0" else "3.1.0",
        "info": info,
        "paths": {
            prefix + "/": {
                "get": {
                    "operationId": "ServiceHealthCheck",
                    "description": health_doc,
                    "responses": {
                        "200": {
                            "description": "If service is up and running, this response will be returned with the "
                            "content 'Healthy'",
                            "content": {"text/plain": {"schema": {"type": "string", "example": "Healthy"}}},
                        },
                        "default": error3,
                    },
                }
            },
            prefix + score_path: {"post": score3},
            prefix + "/swagger.json": {
                "get": {
                    "operationId": "GetSwaggerSpec",
                    "description": "Get the Swagger specification.",
                    "parameters": [
                        {
                            "name": "version",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": versions},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The Swagger specification.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        "default": error3,
                    },
                }
            },
        },
        "components": components,
    }


#: user-supplied files next to a scorer, per dialect, in order of precedence
USER_FILES = {"2.0": ("swagger.json", "swagger2.json"), "3.0": ("swagger3.json",), "3.1": ("swagger3.1.json",)}


def user_documents(scorer: Scorer) -> dict[str, dict[str, Any]]:
    """The swagger files shipped next to the scorer's script, validated; an invalid one is a StartupError."""
    validators = {"2.0": OpenAPIV2SpecValidator, "3.0": OpenAPIV30SpecValidator, "3.1": OpenAPIV31SpecValidator}
    found: dict[str, dict[str, Any]] = {}
    if scorer.source_dir is None:
        return found
    for dialect, names in USER_FILES.items():
        for name in names:
            path = os.path.join(scorer.source_dir, name)
            if not os.path.isfile(path):
                continue
            try:
                with open(path, "rb") as handle:
                    document = orjson.loads(handle.read())
            except (OSError, orjson.JSONDecodeError) as exc:
                raise StartupError(f"scorer '{scorer.name}': {path} is not a readable JSON document: {exc}") from None
            errors = list(validators[dialect](document).iter_errors()) if isinstance(document, dict) else []
            if not isinstance(document, dict) or errors:
                reason = errors[0].message if errors else "it is not a JSON object"
                raise StartupError(
                    f"scorer '{scorer.name}': {path} is not a valid OpenAPI {dialect} document: {reason}"
                )
            found[dialect] = document
            break
    return found
