"""Contract testing: check payloads against a scorer's contract offline, or against the JSON Schema a
running gateway publishes; export a scorer's whole contract as one JSON Schema."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jsonschema

from .envelope import parse_body
from .errors import MAX_REPORTED_ERRORS, GatewayError, Problem, join_path
from .runtime import Incoming, Scorer, arguments

__all__ = ("SCHEMA_DIALECT", "Verdict", "check_payload", "contract_schema", "check_with_schema")

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one payload: valid, or the problems (first 20) with their paths."""

    problems: tuple[Problem, ...] = ()
    total: int = 0

    @property
    def valid(self) -> bool:
        return self.total == 0


def check_payload(scorer: Scorer, payload: bytes) -> Verdict:
    """What the gateway would answer before calling run(): the exact same parsing and conversion."""
    incoming = Incoming(method="POST", body=payload, content_type="application/json")
    try:
        arguments(scorer, incoming)
    except GatewayError as exc:
        return Verdict(tuple(exc.problems), getattr(exc, "total", len(exc.problems)) or 1)
    return Verdict()


def contract_schema(scorer: Scorer) -> dict[str, Any]:
    """The scorer's request body as one draft 2020-12 schema; its declared Results under `$defs`."""
    schema: dict[str, Any] = {"$schema": SCHEMA_DIALECT, "title": f"Request to gateway scorer '{scorer.name}'"}
    if scorer.contract is None:
        schema.update({"description": "run() receives the raw request body as text; any body is accepted."})
        return schema
    envelope = scorer.contract.envelope()
    schema.update(envelope.json_schema())
    schema["examples"] = [envelope.example()]
    if scorer.contract.results is not None:
        schema["$defs"] = {"Results": scorer.contract.results.json_schema()}
    return schema


def check_with_schema(schema: dict[str, Any], payload: bytes) -> Verdict:
    """Validate a payload with a published JSON Schema (jsonschema, draft 2020-12, formats asserted)."""
    try:
        value = parse_body(payload)
    except GatewayError as exc:
        return Verdict(tuple(exc.problems), 1)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    problems = tuple(Problem(_path(e.absolute_path), e.message) for e in errors[:MAX_REPORTED_ERRORS])
    return Verdict(problems, len(errors))


def _path(parts: Any) -> str:
    path = ""
    for part in parts:
        path = join_path(path, part)
    return path or "$"
