"""The columns form: `{"col": [v, ...], ...}`."""

from __future__ import annotations

import json

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


# --- labelled columns: pandas' default `to_json()` -------------------------------------------------


def test_labelled_columns_become_the_index():
    sent = pd.DataFrame({"age": [1, 2], "name": ["a", "b"]}, index=[7, 9])
    frame, problems, ctx = decode(json.loads(sent.to_json()))
    assert problems == [] and ctx.forms == {"Inputs.data": "columns"}
    pd.testing.assert_frame_equal(frame, sent, check_dtype=False)


def test_labelled_columns_from_the_parsed_body():
    frame, problems, _ = decode({"age": {"7": 1, "9": 2}, "name": {"9": "b", "7": "a"}})
    assert problems == []
    assert frame.index.tolist() == [7, 9]  # integer labels, as pandas reads them
    assert frame["name"].tolist() == ["a", "b"]  # aligned by label, not by position


def test_text_labels_stay_text():
    frame, _, _ = decode({"age": {"r1": 1, "02": 2}, "name": {"r1": "a", "02": "b"}})
    assert frame.index.tolist() == ["r1", "02"]


def test_labelled_cell_paths_name_the_label():
    _, problems, _ = decode({"age": {"0": 1, "1": "x"}, "name": {"0": "a", "1": "b"}})
    assert problems == [('Inputs.data.age["1"]', 'expected an integer (int64), got "x"')]


def test_labelled_columns_must_share_their_labels():
    _, problems, _ = decode({"age": {"0": 1, "1": 2}, "name": {"0": "a", "2": "c"}})
    assert problems == [(
        "Inputs.data.name",
        "expected the row labels of column 'age': this column lacks row label(s) '1' and has row label(s) '2' "
        "that column 'age' lacks",
    )]
    _, problems, _ = decode({"age": {"0": 1}, "name": ["a"]})
    assert problems == [("Inputs.data.name", "expected an object keyed by row label, as column 'age' has, got an array")]
    _, problems, _ = decode({"age": [1], "name": {"0": "a"}})
    assert problems == [("Inputs.data.name", "expected an array of 1 values, as column 'age' has, got an object")]
