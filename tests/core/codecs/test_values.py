"""The values form: `[[...], ...]`, only for a table declared with `orient="values"`."""

from __future__ import annotations

import pandas as pd

from gateway.core.codecs import CODECS
from gateway.core.decoding import DecodeContext
from gateway.core.table import Table

COLUMNS = {"age": "int64", "name": "string"}


def decode(value, table: Table):
    ctx = DecodeContext()
    frame = table.decode(value, "Inputs.data", ctx)
    return frame, [(p.path, p.error) for p in ctx.problems.items], ctx


def test_values_are_columns_by_position():
    frame, problems, ctx = decode([[1, "a"], [2, "b"]], Table(COLUMNS, orient="values"))
    assert problems == [] and ctx.forms == {"Inputs.data": "values"}
    assert frame.to_dict("list") == {"age": [1, 2], "name": ["a", "b"]}


def test_values_tables_still_accept_the_named_forms():
    frame, problems, ctx = decode([{"name": "a", "age": 1}], Table(COLUMNS, orient="values"))
    assert problems == [] and ctx.forms == {"Inputs.data": "records"} and frame["age"].tolist() == [1]


def test_cells_name_their_column():
    _, problems, _ = decode([[1, "a"], ["b", 2]], Table(COLUMNS, orient="values"))
    assert problems == [
        ("Inputs.data[1][0]", "expected an integer (int64), got \"b\" (column 'age')"),
        ("Inputs.data[1][1]", "expected a string, got 2 (column 'name')"),
    ]


def test_rows_must_have_one_value_per_column():
    _, problems, _ = decode([[1, "a"], [2], [3, "c", "extra"]], Table(COLUMNS, orient="values"))
    assert problems == [
        ("Inputs.data[1]", "expected 2 values (one per column), got 1"),
        ("Inputs.data[2]", "expected 2 values (one per column), got 3"),
    ]


def test_values_are_refused_unless_declared():
    frame, problems, _ = decode([[1, "a"]], Table(COLUMNS))
    assert frame is None and len(problems) == 1
    assert problems[0][0] == "Inputs.data" and problems[0][1].startswith("expected a table, one of:")


def test_encode():
    frame = pd.DataFrame({"age": [1, 2], "name": ["a", "b"]})
    assert CODECS["values"].encode(frame) == [[1, "a"], [2, "b"]]
