"""The records form: `[{"col": v, ...}, ...]` (Power BI, AutoML, designer, Stream Analytics)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gateway.core.codecs import CODECS
from gateway.core.decoding import DecodeContext
from gateway.core.table import Column, Table

TABLE = Table({"age": "int64", "name": Column("string", nullable=True)})


def decode(value, table: Table = TABLE):
    ctx = DecodeContext()
    frame = table.decode(value, "Inputs.data", ctx)
    return frame, [(p.path, p.error) for p in ctx.problems.items], ctx


def test_valid_records():
    frame, problems, ctx = decode([{"age": 1, "name": "a"}, {"name": None, "age": 2}])
    assert problems == [] and ctx.forms == {"Inputs.data": "records"} and ctx.rows == 2
    assert frame["age"].tolist() == [1, 2] and frame["name"].isna().tolist() == [False, True]


def test_cell_paths_name_row_and_column():
    _, problems, _ = decode([{"age": 1, "name": "a"}, {"age": "x", "name": 5}])
    assert problems == [
        ("Inputs.data[1].age", 'expected an integer (int64), got "x"'),
        ("Inputs.data[1].name", "expected a string, got 5"),
    ]


def test_odd_column_names_are_quoted_in_paths():
    table = Table({"hours-per-week": "int64", "Scored Labels": "string"})
    _, problems, ctx = decode([{"hours-per-week": 1.5, "Scored Labels": "x", "a b": 1}], table)
    assert problems == [('Inputs.data[0]["hours-per-week"]', "expected an integer (int64), got 1.5")]
    assert ctx.ignored == ['Inputs.data["a b"]']


def test_rows_with_other_key_orders_or_sets():
    frame, problems, _ = decode([{"age": 1, "name": "a"}, {"name": "b", "age": 2, "x": 0}, {"age": 3, "name": "c"}])
    assert problems == [] and frame["age"].tolist() == [1, 2, 3]


def test_a_row_lacking_a_column():
    _, problems, _ = decode([{"age": 1, "name": "a"}, {"name": "b"}, {"age": 3}])
    assert problems == [("Inputs.data[1]", "missing column 'age'"), ("Inputs.data[2]", "missing column 'name'")]


def test_encode_writes_one_object_per_row_with_json_values():
    frame = pd.DataFrame(
        {
            "i": pd.array([1, None], dtype="Int64"),
            "f": [1.5, np.nan],
            "b": [True, False],
            "s": pd.Series(["x", None], dtype=object),
            "t": pd.to_datetime(["2024-03-21T10:00:00", None]),
            "z": pd.to_datetime(["2024-03-21T10:00:00.5+01:00", None], utc=True),
        }
    )
    assert CODECS["records"].encode(frame) == [
        {"i": 1, "f": 1.5, "b": True, "s": "x", "t": "2024-03-21T10:00:00", "z": "2024-03-21T09:00:00.500Z"},
        {"i": None, "f": None, "b": False, "s": None, "t": None, "z": None},
    ]
    assert CODECS["records"].encode(frame.iloc[:, :0]) == [{}, {}]
    assert CODECS["records"].encode(frame.iloc[:0]) == []
