"""Property: DataFrame → wire form (codec.encode, orjson dumps/loads) → Table.decode gives the frame back."""

from __future__ import annotations

import datetime as dt

import numpy as np
import orjson
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.core.codecs import CODECS
from gateway.core.decoding import DecodeContext
from gateway.core.dtypes import DATETIME_UNIT, STRING_DTYPE
from gateway.core.table import Table

INT_KINDS = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
KINDS = [*INT_KINDS, "Int64", "UInt8", "float32", "float64", "bool", "boolean", "string", "naive", "utc"]
DATES = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 12, 31))


def cells(kind: str) -> st.SearchStrategy:
    """Values of one column kind, None standing for a missing value where the kind allows one."""
    if kind in INT_KINDS:
        info = np.iinfo(kind)
        return st.integers(int(info.min), int(info.max))
    if kind in ("Int64", "UInt8"):
        info = np.iinfo(kind.lower())
        return st.none() | st.integers(int(info.min), int(info.max))
    if kind == "float32":
        return st.none() | st.floats(width=32, allow_nan=False, allow_infinity=False)
    if kind == "float64":
        return st.none() | st.floats(allow_nan=False, allow_infinity=False)
    if kind == "bool":
        return st.booleans()
    if kind == "boolean":
        return st.none() | st.booleans()
    if kind == "string":
        return st.none() | st.text(max_size=8)
    return st.none() | DATES


def series(kind: str, values: list) -> pd.Series:
    """The column as `Table.decode` builds it, so that the round trip can be compared exactly."""
    if kind in INT_KINDS:
        return pd.Series(np.array(values, dtype=kind))
    if kind in ("Int64", "UInt8", "boolean"):
        return pd.Series(pd.array(values, dtype=kind))
    if kind in ("float32", "float64"):
        return pd.Series(np.array([np.nan if v is None else v for v in values], dtype=kind))
    if kind == "bool":
        return pd.Series(np.array(values, dtype=bool))
    if kind == "string":
        return pd.Series(values, dtype=STRING_DTYPE)
    stamps = pd.Series(pd.to_datetime(values)).astype(f"datetime64[{DATETIME_UNIT}]")
    if kind == "utc" and stamps.notna().any():  # no zone can be read from nothing: all-null decodes naive
        stamps = stamps.dt.tz_localize("UTC")
    return stamps


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=6))
    rows = draw(st.integers(0, 12))
    columns = {
        f"c{i}_{kind}": series(kind, draw(st.lists(cells(kind), min_size=rows, max_size=rows)))
        for i, kind in enumerate(kinds)
    }
    return pd.DataFrame(columns)


@pytest.mark.parametrize("form", ["records", "split", "classic", "columns", "values"])
@settings(max_examples=150, deadline=None)
@given(frame=frames())
def test_round_trip(form, frame):
    table = Table.from_sample(frame, orient=form)
    wire = orjson.loads(orjson.dumps(CODECS[form].encode(frame)))
    ctx = DecodeContext()
    decoded = table.decode(wire, "Inputs.data", ctx)
    assert [str(p) for p in ctx.problems.items] == []
    pd.testing.assert_frame_equal(decoded, frame)


def test_round_trip_of_odd_column_names_and_an_index():
    frame = pd.DataFrame({"Scored Labels": [1.5, 2.5], "hours-per-week": [40, 38], "ünï": ["a", "b"]}, index=[10, 20])
    table = Table.from_sample(frame, orient="split")
    wire = orjson.loads(orjson.dumps(CODECS["split"].encode(frame)))
    decoded = table.decode(wire, "Inputs.data", DecodeContext())
    pd.testing.assert_frame_equal(decoded, frame)
