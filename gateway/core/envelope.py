"""The envelope: from request bytes (or a query string) to the JSON object whose members are run()'s arguments."""

from __future__ import annotations

from typing import Any, Iterable

import msgspec
import orjson

from gateway.errors import EnvelopeError, UnsupportedMediaType

__all__ = ("is_json_media_type", "check_media_type", "loads", "parse_body", "parse_query", "decode_text")


def is_json_media_type(media_type: str) -> bool:
    """`application/json` or `application/<anything>+json`, compared without parameters or case."""
    media_type = media_type.split(";", 1)[0].strip().lower()
    if media_type == "application/json":
        return True
    return media_type.startswith("application/") and media_type.endswith("+json")


_DECODE = msgspec.json.Decoder().decode
_MSGSPEC_ERRORS = (msgspec.DecodeError, RecursionError)


def loads(data: bytes | str | memoryview) -> Any:
    """Parse JSON exactly: integers beyond 64 bits stay integers (orjson would turn 2**64 into a float).

    msgspec parses as fast as orjson and as strictly (no NaN, no trailing commas, UTF-8 only); what it
    refuses is parsed again by orjson, whose error (with line and column) is the one reported, and whose
    deeper nesting limit (1 024 levels) then applies.
    """
    try:
        return _DECODE(data)
    except _MSGSPEC_ERRORS:
        return orjson.loads(data)


def check_media_type(content_type: str | None) -> None:
    if not content_type or not is_json_media_type(content_type):
        got = f" (got '{content_type}')" if content_type else " (no Content-Type header was sent)"
        raise UnsupportedMediaType(f"Expects Content-Type to be application/json{got}")


def parse_body(body: bytes) -> dict[str, Any]:
    """Parse a POST body into the envelope object; every failure is a 400 saying where and why."""
    if not body.strip():
        raise EnvelopeError("POST body is empty. Expecting a JSON dictionary.")
    try:
        value = loads(body)
    except orjson.JSONDecodeError as exc:
        raise _decode_error(body, exc) from None
    if not isinstance(value, dict):
        kind = "an array" if isinstance(value, list) else "null" if value is None else type(value).__name__
        raise EnvelopeError(f"POST body should be a JSON dictionary, got {kind}.")
    return value


def _decode_error(body: bytes, exc: orjson.JSONDecodeError) -> EnvelopeError:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as bad:
        return EnvelopeError(f"POST body is not valid UTF-8: {bad.reason} at byte {bad.start}")
    return EnvelopeError(f"POST body could not be decoded as JSON: {exc}")


def parse_query(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """GET parameters: each value parsed as JSON when it parses, a repeated key becoming a list."""
    out: dict[str, Any] = {}
    repeated: set[str] = set()
    for key, raw in pairs:
        try:
            value = loads(raw)
        except orjson.JSONDecodeError:
            value = raw
        if key not in out:
            out[key] = value
        elif key in repeated:
            out[key].append(value)
        else:
            out[key] = [out[key], value]
            repeated.add(key)
    return out


def decode_text(body: bytes) -> str:
    """The raw body as text for scorers without a contract (any Content-Type, no parsing)."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EnvelopeError(f"Input cannot be decoded as UTF-8: {exc}") from None
