"""Swagger 2.0 / OpenAPI 3.0 / 3.1 documents shaped as Azure ML's clients (Power BI) read them.

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
from openapi_spec_validator import (
    OpenAPIV2SpecValidator,
    OpenAPIV30SpecValidator,
    OpenAPIV31SpecValidator,
)

from gateway.errors import PROBLEMS_SCHEMA, StartupError
from gateway.scoring.scorer import Scorer
from gateway.settings import Settings

from .invocations import invocations_operations, invocations_path
from .score_operations import score_operations

__all__ = ("VERSIONS", "USER_FILES", "DocumentOptions", "build_document", "normalize_version", "user_documents")

#: accepted `?version=` values → the dialect they select
VERSIONS = {"2": "2.0", "2.0": "2.0", "3": "3.0", "3.0": "3.0", "3.1": "3.1"}
ERROR_RESPONSE = {
    "type": "object",
    "required": ["message"],
    "properties": {
        "message": {"type": "string"},
        "errors": PROBLEMS_SCHEMA,
    },
}


@dataclass(frozen=True)
class DocumentOptions:
    """What the service says about itself (SERVICE_NAME, SERVICE_VERSION, SERVICE_PATH_PREFIX, keys);
    `path_prefix` as `Settings.prefix` gives it (`/ml`, or "")."""

    title: str = "ML service"
    version: str = "1.0"
    path_prefix: str = ""
    secured: bool = False

    @classmethod
    def of(cls, settings: Settings) -> "DocumentOptions":
        """What these settings publish."""
        return cls(settings.service_name, settings.service_version, settings.prefix, bool(settings.api_keys))


def normalize_version(raw: str) -> str | None:
    """`2`, `2.0`, `3`, `3.0`, `3.1` → the dialect; anything else → None."""
    return VERSIONS.get(raw)


def _service_input(scorer: Scorer, dialect: str) -> dict[str, Any]:
    if scorer.contract is None:
        what = "the whole HTTP request" if scorer.rawhttp else "the raw request body, as text"
        return {"type": "object", "description": f"run() receives {what}.", "example": {}}
    envelope = scorer.contract.envelope()
    schema = envelope.schema(dialect)
    schema["example"] = envelope.example()
    return schema


def _service_output(scorer: Scorer, dialect: str) -> dict[str, Any]:
    results = scorer.contract.results if scorer.contract is not None else None
    if results is None:
        return {"type": "object", "description": "whatever run() returns, as JSON"}
    schema = results.schema(dialect)
    schema["example"] = results.example()
    return schema


def _json_body(ref: str, dialect: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": ref}}}


def build_document(scorer: Scorer, score_path: str, dialect: str, options: DocumentOptions) -> dict[str, Any]:
    """The whole document for one scorer served at `score_path` (e.g. `/score` or `/score/churn`)."""
    prefix = options.path_prefix
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
    versions = list(VERSIONS)
    if dialect == "2.0":
        ref = "#/definitions/"
        error = {"description": "The service failed to execute due to an error.", "schema": {"$ref": ref + "ErrorResponse"}}
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
                prefix + score_path: score_operations(scorer, dialect, ref, error, security),
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
    components: dict[str, Any] = {"schemas": schemas}
    if security:
        components["securitySchemes"] = {"Bearer": bearer}
    document3: dict[str, Any] = {
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
            prefix + score_path: score_operations(scorer, dialect, ref, error3, security),
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
    invocations = invocations_operations(scorer, dialect, security)
    if invocations is not None:  # MLflow clients' path, for a scorer of one table
        document3["paths"][prefix + invocations_path(score_path)] = invocations
    return document3


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
