"""What every decoder shares: the per-request `DecodeContext` and how an offending value is described."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gateway.errors import Problems

__all__ = ("DecodeContext", "describe_value")


@dataclass(slots=True)
class DecodeContext:
    """Per-request state shared by the specs: collected problems and the keys/columns dropped, and whether
    every table and array accepts text values (`--text-values`; see `gateway.core.cells.Cells`)."""

    problems: Problems = field(default_factory=Problems)
    ignored: list[str] = field(default_factory=list)
    forms: dict[str, str] = field(default_factory=dict)  # JSON path of a table → wire form it came in
    rows: int = 0
    text_values: bool = False


def _json_type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def describe_value(value: Any) -> str:
    """A short rendering of an offending JSON value for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return _json_type_name(value)
    if isinstance(value, str):
        return '"' + value[:40] + ('…"' if len(value) > 40 else '"')
    return repr(value)
