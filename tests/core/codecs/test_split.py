"""The split form: `{"columns": [...], "data": [[...], ...], "index": [...]?}` (pandas, MLflow)."""

from __future__ import annotations

import pandas as pd
import pytest

from gateway.core.codecs import CODECS
from gateway.core.decoding import DecodeContext
from gateway.core.table import Column, Table

TABLE = Table({"age": "int64", "city": "string", "when": Column("datetime", nullable=True)})


def decode(value, table: Table = TABLE):
    ctx = DecodeContext()
    frame = table.decode(value, "Inputs.data", ctx)
    return frame, [(p.path, p.error) for p in ctx.problems.items], ctx


def test_valid_split_in_any_column_order():
    value = {"columns": ["city", "when", "age", "extra"], "data": [["a", None, 1, 0], ["b", "2024-01-01", 2, 0]]}
    frame, problems, ctx = decode(value)
    assert problems == [] and ctx.forms == {"Inputs.data": "split"} and ctx.ignored == ["Inputs.data.extra"]
    assert list(frame.columns) == ["age", "city", "when"] and frame["age"].tolist() == [1, 2]
    assert isinstance(frame.index, pd.RangeIndex)


def test_index_becomes_the_frame_index():
    frame, problems, _ = decode(
        {"columns": ["age", "city", "when"], "index": ["r1", "r2"], "data": [[1, "a", None]] * 2}
    )
    assert problems == [] and frame.index.tolist() == ["r1", "r2"]


def test_cells_are_addressed_by_row_and_wire_position_and_name_their_column():
    value = {"columns": ["city", "when", "age"], "data": [["a", None, 1], [None, "2024-01-01", "x"]]}
    _, problems, _ = decode(value)
    assert problems == [
        ("Inputs.data.data[1][0]", "null is not allowed (column 'city' is not nullable)"),
        ("Inputs.data.data[1][2]", "expected an integer (int64), got \"x\" (column 'age')"),
    ]


@pytest.mark.parametrize(
    ("value", "problems"),
    [
        ({"columns": ["age", "city", "when"]}, [("Inputs.data.data", "required key 'data' is missing")]),
        ({"data": [[1, "a", None]]}, [("Inputs.data.columns", "required key 'columns' is missing")]),
        ({"columns": "age", "data": []}, [("Inputs.data.columns", 'expected an array of column names, got "age"')]),
        (
            {"columns": ["age", 1, "age"], "data": []},
            [
                ("Inputs.data.columns[1]", "expected a column name (a string), got 1"),
                ("Inputs.data.columns[2]", "duplicate column 'age'"),
            ],
        ),
        ({"columns": ["age", "city", "when"], "data": 5}, [("Inputs.data.data", "expected an array of rows, got 5")]),
        (
            {"columns": ["age", "city", "when"], "data": [[1, "a", None], [2, "b"], {"age": 3}]},
            [
                ("Inputs.data.data[1]", "expected 3 values (one per column), got 2"),
                ("Inputs.data.data[2]", "expected a row array, got an object"),
            ],
        ),
        (
            {"columns": ["age", "city", "when"], "index": [0], "data": [[1, "a", None]] * 2},
            [("Inputs.data.index", "expected 2 row labels (one per row), got 1")],
        ),
        (
            {"columns": ["age", "city", "when"], "index": [0, [1]], "data": [[1, "a", None]] * 2},
            [("Inputs.data.index[1]", "expected a row label, got an array")],
        ),
        (
            {"columns": ["age", "when"], "data": [[1, None]]},
            [("Inputs.data", "missing column 'city'")],
        ),
    ],
)
def test_structure_problems(value, problems):
    frame, found, _ = decode(value)
    assert frame is None and found == problems


def test_encode_omits_a_default_index():
    frame = pd.DataFrame({"age": [1, 2], "city": ["a", "b"]})
    assert CODECS["split"].encode(frame) == {"columns": ["age", "city"], "data": [[1, "a"], [2, "b"]]}
    assert CODECS["split"].encode(frame.set_axis(["x", "y"])) == {
        "columns": ["age", "city"],
        "index": ["x", "y"],
        "data": [[1, "a"], [2, "b"]],
    }
    assert CODECS["split"].encode(frame.iloc[:, :0]) == {"columns": [], "data": [[], []]}
