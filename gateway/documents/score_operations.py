"""The score route's operations in a Swagger 2.0 / OpenAPI 3.x document: POST with the ServiceInput
body, and GET, which reads the same parameters from the query string (each parsed as JSON when it
parses), both answering ServiceOutput."""

from __future__ import annotations

from typing import Any

from gateway.scoring.scorer import Scorer

__all__ = ("score_operations",)

_SCORE_DOC = "Run web service's model and get the prediction output"
_BODY_DOC = "The input payload for executing the real-time machine learning service."
_OK_DOC = "The service processed the input correctly and provided a result prediction, if applicable."
_QUERY_DOC = "The '{name}' parameter, as JSON text (a bare string is taken as the string itself)."


def _query_names(scorer: Scorer) -> list[str]:
    return [] if scorer.contract is None else [name for name in scorer.contract.params]


def score_operations(
    scorer: Scorer, dialect: str, ref: str, error: dict[str, Any], security: list[dict[str, list[str]]] | None
) -> dict[str, Any]:
    """`{"post": ..., "get": ...}` for the score path; `error` is the document's default response."""
    required = scorer.contract is not None
    if dialect == "2.0":
        ok: dict[str, Any] = {"description": _OK_DOC, "schema": {"$ref": ref + "ServiceOutput"}}
        post: dict[str, Any] = {
            "operationId": "RunMLService",
            "description": _SCORE_DOC,
            "parameters": [
                {"name": "serviceInputPayload", "in": "body", "required": required, "description": _BODY_DOC,
                 "schema": {"$ref": ref + "ServiceInput"}}
            ],
            "responses": {"200": ok, "default": error},
        }
        query = [
            {"name": name, "in": "query", "required": False, "type": "string", "description": _QUERY_DOC.format(name=name)}
            for name in _query_names(scorer)
        ]
    else:
        content = {"application/json": {"schema": {"$ref": ref + "ServiceOutput"}}}
        ok = {"description": _OK_DOC, "content": content}
        post = {
            "operationId": "RunMLService",
            "description": _SCORE_DOC,
            "requestBody": {
                "description": _BODY_DOC,
                "required": required,
                "content": {"application/json": {"schema": {"$ref": ref + "ServiceInput"}}},
            },
            "responses": {"200": ok, "default": error},
        }
        query = [
            {"name": name, "in": "query", "required": False, "schema": {"type": "string"},
             "description": _QUERY_DOC.format(name=name)}
            for name in _query_names(scorer)
        ]
    get: dict[str, Any] = {
        "operationId": "RunMLServiceWithQuery",
        "description": _SCORE_DOC + ", its parameters read from the query string",
        "parameters": query,
        "responses": {"200": ok, "default": error},
    }
    if security:
        post["security"] = get["security"] = security
    return {"post": post, "get": get}
