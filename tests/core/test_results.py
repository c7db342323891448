"""Unit tests of README 'Declaring a contract' Results: every return type the reference could not serialize, as strict JSON."""

import datetime as dt
import decimal
import json

import numpy as np
import orjson
import pandas as pd
import pytest

from gateway.core.results import UnserializableResult, render


def strict_loads(body: bytes):
    """Parse as a strict JSON client would: NaN/Infinity literals are errors."""

    def refuse(token: str):
        raise ValueError(f"non-standard JSON literal {token}")

    return json.loads(body, parse_constant=refuse)


def test_plain_python_values():
    assert strict_loads(render({"Results": [1, 2.5, "x", True, None]})) == {"Results": [1, 2.5, "x", True, None]}
    assert strict_loads(render("plain string")) == "plain string"
    assert strict_loads(render((1, 2))) == [1, 2]
    assert strict_loads(render({1: "a", 2: "b"})) == {"1": "a", "2": "b"}


def test_none_answers_an_empty_object_like_the_reference():
    assert render(None) == b"{}"


def test_nan_and_infinity_become_null_everywhere():
    value = {
        "f": float("nan"),
        "inf": float("inf"),
        "ninf": -float("inf"),
        "arr": np.array([1.0, np.nan, np.inf]),
        "scalar": np.float32("nan"),
        "series": pd.Series([1.5, None]),
    }
    assert strict_loads(render(value)) == {
        "f": None,
        "inf": None,
        "ninf": None,
        "arr": [1.0, None, None],
        "scalar": None,
        "series": [1.5, None],
    }


def test_numpy_arrays_and_scalars():
    value = {
        "ints": np.arange(3, dtype=np.int64),
        "matrix": np.array([[0.5, 0.5], [0.25, 0.75]]),
        "i64": np.int64(3),
        "u8": np.uint8(255),
        "b": np.bool_(True),
        "strings": np.array(["a", "b"]),
        "objects": np.array(["a", 1], dtype=object),
        "strided": np.arange(6)[::2],
        "s": np.str_("x"),
    }
    assert strict_loads(render(value)) == {
        "ints": [0, 1, 2],
        "matrix": [[0.5, 0.5], [0.25, 0.75]],
        "i64": 3,
        "u8": 255,
        "b": True,
        "strings": ["a", "b"],
        "objects": ["a", 1],
        "strided": [0, 2, 4],
        "s": "x",
    }


def test_dataframe_becomes_records_with_nulls_and_iso_datetimes():
    frame = pd.DataFrame(
        {
            "i": pd.Series([1, 2], dtype="int64"),
            "f": [0.5, np.nan],
            "n": pd.array([1, None], dtype="Int64"),
            "b": pd.array([True, None], dtype="boolean"),
            "s": ["x", None],
            "t": pd.to_datetime(["2024-03-21T10:00:00", None]),
            "z": pd.to_datetime(["2024-03-21T10:00:00+02:00", "2024-03-22T00:00:00+02:00"], utc=True),
        }
    )
    assert strict_loads(render(frame)) == [
        {"i": 1, "f": 0.5, "n": 1, "b": True, "s": "x", "t": "2024-03-21T10:00:00",
         "z": "2024-03-21T08:00:00Z"},
        {"i": 2, "f": None, "n": None, "b": None, "s": None, "t": None, "z": "2024-03-21T22:00:00Z"},
    ]


def test_series_and_datetime64_arrays():
    assert strict_loads(render(pd.Series([1, 2]))) == [1, 2]
    dates = np.array(["2024-01-01T00:00:00", "NaT"], dtype="datetime64[ns]")
    assert strict_loads(render({"d": dates})) == {"d": ["2024-01-01T00:00:00", None]}


def test_datetimes_decimals_bytes_sets():
    value = {
        "when": dt.datetime(2020, 1, 1, 12, 30),
        "day": dt.date(2020, 1, 2),
        "ts": pd.Timestamp("2020-01-03T04:05:06"),
        "nat": pd.NaT,
        "na": pd.NA,
        "dec": decimal.Decimal("1.10"),
        "dec_nan": decimal.Decimal("NaN"),
        "raw": b"raw bytes",
        "set": {3},
        "delta": dt.timedelta(seconds=90),
    }
    body = render(value)
    assert b'"dec":1.10' in body  # Decimal keeps its digits
    assert strict_loads(body) == {
        "when": "2020-01-01T12:30:00",
        "day": "2020-01-02",
        "ts": "2020-01-03T04:05:06",
        "nat": None,
        "na": None,
        "dec": 1.1,
        "dec_nan": None,
        "raw": "cmF3IGJ5dGVz",
        "set": [3],
        "delta": 90.0,
    }


def test_unserializable_values_name_their_type():
    class Model:
        pass

    with pytest.raises(UnserializableResult, match="Model"):
        render({"model": Model()})


def test_output_is_compact_orjson():
    assert render({"a": [1, 2]}) == orjson.dumps({"a": [1, 2]})


def test_classic_results_wrap_dataframes_under_results():
    from gateway.core.results import classic_results

    frame = pd.DataFrame({"a": [1, 2], "b": ["x", None]})
    wrapped = strict_loads(render(classic_results(frame)))
    assert wrapped == {
        "Results": {
            "output1": {
                "type": "table",
                "value": {"ColumnNames": ["a", "b"], "ColumnTypes": ["Int64", "String"], "Values": [[1, "x"], [2, None]]},
            }
        }
    }
    named = strict_loads(render(classic_results({"Results": {"scores": frame, "note": "ok"}})))
    assert named["Results"]["scores"]["type"] == "table" and named["Results"]["note"] == "ok"
    rows = strict_loads(render(classic_results({"Results": frame}, as_rows=True)))
    assert rows == {"Results": {"output1": [{"a": 1, "b": "x"}, {"a": 2, "b": None}]}}
    assert classic_results([1, 2]) == [1, 2]
