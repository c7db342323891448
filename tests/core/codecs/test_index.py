"""The index form: `{"label": {"col": v, ...}, ...}` (pandas `orient="index"`)."""

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


def test_pandas_index_orient_round_trips():
    sent = pd.DataFrame({"age": [1, 2], "name": ["a", "b"]}, index=["r1", "r2"])
    frame, problems, ctx = decode(json.loads(sent.to_json(orient="index")))
    assert problems == [] and ctx.forms == {"Inputs.data": "index"}
    pd.testing.assert_frame_equal(frame, sent, check_dtype=False)
    assert CODECS["index"].encode(frame) == json.loads(sent.to_json(orient="index"))


def test_numeric_labels_become_integers():
    frame, _, _ = decode({"0": {"age": 1, "name": "a"}, "1": {"age": 2, "name": "b"}})
    assert frame.index.tolist() == [0, 1]


def test_cells_and_rows_are_addressed_by_label():
    _, problems, _ = decode({"r1": {"age": 1.5, "name": "a"}, "r2": {"name": "b"}})
    assert problems == [
        ("Inputs.data.r2", "missing column 'age'"),
        ("Inputs.data.r1.age", "expected an integer (int64), got 1.5"),
    ]


def test_unknown_columns_are_ignored_and_named():
    frame, problems, ctx = decode({"r1": {"age": 1, "name": "a", "extra": 3}})
    assert problems == [] and ctx.ignored == ["Inputs.data.extra"]


def test_an_object_with_a_row_that_is_not_an_object_is_no_table():
    _, problems, _ = decode({"r1": {"age": 1, "name": "a"}, "r2": 5})
    assert len(problems) == 1 and problems[0][0] == "Inputs.data"
    assert problems[0][1].startswith("expected a table, one of:")


def test_the_schema_has_no_baked_in_labels():
    schema = TABLE.codec.schema({"age": {"type": "integer"}}, False, "2020-12")
    index = CODECS["index"].schema({"age": {"type": "integer"}}, True, "2020-12")
    assert schema["type"] == "array"
    assert index == {"type": "object", "additionalProperties": {
        "type": "object", "properties": {"age": {"type": "integer"}}, "required": ["age"], "additionalProperties": False}}
