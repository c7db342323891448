"""The contract as one JSON Schema (draft 2020-12): what `/contract.json` publishes and
`gateway check --export-schema` writes, for clients that validate payloads before sending them."""

from __future__ import annotations

from typing import Any

from gateway.core.schema import JSON_SCHEMA
from gateway.scoring.scorer import Scorer

__all__ = ("SCHEMA_DIALECT", "contract_schema")

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def contract_schema(scorer: Scorer) -> dict[str, Any]:
    """The scorer's request body as one draft 2020-12 schema; its declared Results under `$defs`."""
    schema: dict[str, Any] = {"$schema": SCHEMA_DIALECT, "title": f"Request to gateway scorer '{scorer.name}'"}
    if scorer.contract is None:
        schema.update({"description": "run() receives the raw request body as text; any body is accepted."})
        return schema
    envelope = scorer.contract.envelope()
    schema.update(envelope.schema(JSON_SCHEMA))
    schema["examples"] = [envelope.example()]
    if scorer.contract.results is not None:
        schema["$defs"] = {"Results": scorer.contract.results.schema(JSON_SCHEMA)}
    return schema
