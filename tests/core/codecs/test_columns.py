"""The columns form: `{"col": [v, ...], ...}`."""

from __future__ import annotations

import pandas as pd

from gateway.core.codecs import CODECS
from gateway.core.decoding import DecodeContext
from gateway.core.table import Table

TABLE = Table({"age": "int64", "name": "string"})


def decode(value, table: Table = TABLE):
    ctx = DecodeContext()
    frame = table.decode(value, "Inputs.data", ctx)
    return frame, [(p.path, p.error) for p in ctx.problems.items], ctx


def test_valid_columns():
    frame, problems, ctx = decode({"name": ["a", "b"], "age": [1, 2], "other": 5})
    assert problems == [] and ctx.forms == {"Inputs.data": "columns"} and ctx.ignored == ["Inputs.data.other"]
    assert list(frame.columns) == ["age", "name"] and frame["age"].tolist() == [1, 2]


def test_cell_paths_are_column_then_row():
    _, problems, _ = decode({"age": [1, True], "name": ["a", "b"]})
    assert problems == [("Inputs.data.age[1]", "expected an integer (int64), got true")]


def test_a_column_that_is_not_an_array():
    _, problems, _ = decode({"age": 5, "name": ["a"]})
    assert problems == [("Inputs.data.age", "expected an array of the column's values, got 5")]


def test_columns_of_different_lengths():
    _, problems, _ = decode({"age": [1, 2], "name": ["a"]})
    assert problems == [("Inputs.data.name", "expected 2 values, as column 'age' has, got 1")]


def test_a_missing_column():
    _, problems, _ = decode({"age": [1]})
    assert problems == [("Inputs.data", "missing column 'name'")]


def test_encode():
    frame = pd.DataFrame({"age": [1, 2], "name": ["a", None]})
    assert CODECS["columns"].encode(frame) == {"age": [1, 2], "name": ["a", None]}
