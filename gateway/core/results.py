"""Results: whatever `run()` returns, as strict JSON bytes (NaN and ±Infinity become null)."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import math
from typing import Any

import numpy as np
import orjson
import pandas as pd

from .codecs import CODECS
from .codecs.base import column_cells

__all__ = ("render", "UnserializableResult", "frame_to_records", "classic_results")

_OPTIONS = orjson.OPT_NON_STR_KEYS
_NUMPY = orjson.OPT_SERIALIZE_NUMPY


class UnserializableResult(TypeError):
    """`run()` returned something that has no JSON form; names the offending type."""


def render(value: Any) -> bytes:
    """Serialize a `run()` result; `None` answers `{}` as the reference server does.

    What orjson cannot write but is JSON all the same (an integer beyond 64 bits, a lone surrogate, more
    than 254 levels of nesting: values a client may send and an undecorated run() echo) is written by
    the standard library instead, with the same strictness: NaN and ±Infinity as null, ASCII escapes.
    """
    if value is None:
        return b"{}"
    try:
        return orjson.dumps(value, default=_default, option=_OPTIONS)
    except orjson.JSONEncodeError as exc:
        try:
            return json.dumps(_plain(value), ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode()
        except (TypeError, ValueError, RecursionError):
            raise UnserializableResult(str(exc)) from exc


def _plain(value: Any) -> Any:
    """`value` as the standard library's json writes it: plain containers, finite floats, str keys."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {_key(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, decimal.Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)  # exact; a fractional Decimal goes through float below, as json would write it
    converted = _default(value)
    if isinstance(converted, orjson.Fragment):
        return _plain(orjson.loads(orjson.dumps(converted)))
    return _plain(converted)


def _key(key: Any) -> Any:
    if isinstance(key, (str, int, float, bool)) or key is None:
        return key
    return str(_plain(key))


def classic_results(value: Any, as_rows: bool = False) -> Any:
    """Studio (classic) answers: DataFrames under `Results` become `{"type": "table", "value": {...}}`,
    or row objects with `as_rows` (the `format=swagger` variant).

    A bare DataFrame is `{"Results": {"output1": <table>}}`; `{"Results": df}` likewise; in
    `{"Results": {"name": df, ...}}` every DataFrame is wrapped under its own name.
    """

    def table(frame: pd.DataFrame) -> Any:
        return frame_to_records(frame) if as_rows else {"type": "table", "value": CODECS["classic"].encode(frame)}

    if isinstance(value, pd.DataFrame):
        return {"Results": {"output1": table(value)}}
    if isinstance(value, dict) and "Results" in value:
        inner = value["Results"]
        if isinstance(inner, pd.DataFrame):
            inner = {"output1": inner}
        if isinstance(inner, dict):
            shaped = {k: table(v) if isinstance(v, pd.DataFrame) else v for k, v in inner.items()}
            return {**value, "Results": shaped}
    return value


def frame_to_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A DataFrame as a list of row objects, column by column (no per-cell pandas boxing)."""
    names = [str(c) for c in frame.columns]
    columns = [column_cells(frame.iloc[:, i]) for i in range(frame.shape[1])]
    return [dict(zip(names, row)) for row in zip(*columns)]


def _default(value: Any) -> Any:
    if isinstance(value, pd.DataFrame):
        return frame_to_records(value)
    if isinstance(value, (pd.Series, pd.Index)):
        return column_cells(pd.Series(value))
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "Mm":  # orjson would write NaT as a year-1677 date
            cells = column_cells(pd.Series(value.ravel()))
            return np.asarray(cells, dtype=object).reshape(value.shape).tolist()
        if value.dtype.kind in "biuf" and value.dtype.isnative:
            return orjson.Fragment(orjson.dumps(np.ascontiguousarray(value), option=_NUMPY))
        return value.tolist()
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, pd.Timedelta):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, decimal.Decimal):
        return orjson.Fragment(str(value)) if value.is_finite() else None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (set, frozenset)):
        return list(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")
