"""Contract testing: check payloads against a scorer's contract offline, or against the JSON Schema a
running gateway publishes (`gateway.documents.jsonschema` writes that schema)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jsonschema

from gateway.core.envelope import parse_body
from gateway.errors import MAX_REPORTED_ERRORS, GatewayError, Problem, join_path

from .arguments import Incoming, arguments
from .scorer import Scorer

__all__ = ("Verdict", "check_payload", "check_with_schema")

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


#: the formats `check_with_schema` asserts: all of jsonschema's but `date-time`, which the exported schemas
#: carry for generators beside a pattern that also admits the naive datetimes Power Query writes
FORMATS = jsonschema.FormatChecker(
    [name for name in jsonschema.Draft202012Validator.FORMAT_CHECKER.checkers if name != "date-time"]
)


def check_with_schema(schema: dict[str, Any], payload: bytes) -> Verdict:
    """Validate a payload with a published JSON Schema (jsonschema, draft 2020-12, `FORMATS` asserted)."""
    try:
        value = parse_body(payload)
    except GatewayError as exc:
        return Verdict(tuple(exc.problems), 1)
    validator = jsonschema.Draft202012Validator(schema, format_checker=FORMATS)
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    problems = tuple(Problem(_path(e.absolute_path), e.message) for e in errors[:MAX_REPORTED_ERRORS])
    return Verdict(problems, len(errors))


def _path(parts: Any) -> str:
    path = ""
    for part in parts:
        path = join_path(path, part)
    return path or "$"
