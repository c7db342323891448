"""The Studio (classic) form: `{"ColumnNames": [...], "Values": [[...], ...], "ColumnTypes": [...]?}`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gateway.core.codecs import CODECS
from gateway.core.decoding import DecodeContext
from gateway.core.table import Table

TABLE = Table({"age": "int32", "bmi": "float64", "smoker": "bool"})


def decode(value, table: Table = TABLE):
    ctx = DecodeContext()
    frame = table.decode(value, "Inputs.input1", ctx)
    return frame, [(p.path, p.error) for p in ctx.problems.items], ctx


def test_valid_classic_with_and_without_column_types():
    value = {
        "ColumnNames": ["age", "bmi", "smoker", "region"],
        "Values": [[20, 21, False, "NE"], [30, 41.5, True, "SW"]],
    }
    frame, problems, ctx = decode(value)
    assert problems == [] and ctx.forms == {"Inputs.input1": "classic"} and ctx.ignored == ["Inputs.input1.region"]
    assert frame.dtypes.tolist() == [np.dtype("int32"), np.dtype("float64"), np.dtype(bool)]
    frame2, problems, _ = decode({**value, "ColumnTypes": ["Int32", "Double", "Boolean", "String"]})
    assert problems == [] and frame2.equals(frame)


def test_cells_are_addressed_in_values_and_name_their_column():
    _, problems, _ = decode({"ColumnNames": ["smoker", "age", "bmi"], "Values": [["no", 20, 21]]})
    assert problems == [("Inputs.input1.Values[0][0]", "expected a boolean or its text, got \"no\" (column 'smoker')")]


def test_values_as_their_exact_text_are_accepted():
    """Studio (classic) and Excel clients send every value as a string (README 'Text values and overload
    status'): the exact text of each value is read as that value."""
    frame, problems, _ = decode({"ColumnNames": ["age", "bmi", "smoker"], "Values": [["20", "21.5", "false"], ["3", "1e1", "TRUE"]]})
    assert problems == []
    assert frame.dtypes.tolist() == [np.dtype("int32"), np.dtype("float64"), np.dtype(bool)]
    assert frame.to_dict("list") == {"age": [20, 3], "bmi": [21.5, 10.0], "smoker": [False, True]}


def test_values_that_are_not_the_exact_text_of_one_are_refused_where_they_are():
    _, problems, _ = decode({"ColumnNames": ["age", "bmi", "smoker"], "Values": [["20.0", "21,5", "yes"]]})
    assert problems == [
        ("Inputs.input1.Values[0][0]", "expected an integer (int32) or its text, got \"20.0\" (column 'age')"),
        ("Inputs.input1.Values[0][1]", "expected a number (float64) or its text, got \"21,5\" (column 'bmi')"),
        ("Inputs.input1.Values[0][2]", "expected a boolean or its text, got \"yes\" (column 'smoker')"),
    ]


@pytest.mark.parametrize(
    ("value", "problems"),
    [
        ({"ColumnNames": ["age", "bmi", "smoker"]}, [("Inputs.input1.Values", "required key 'Values' is missing")]),
        ({"Values": [[1, 2, True]]}, [("Inputs.input1.ColumnNames", "required key 'ColumnNames' is missing")]),
        (
            {"ColumnNames": ["age", "bmi", "smoker"], "ColumnTypes": "Int32", "Values": []},
            [("Inputs.input1.ColumnTypes", 'expected an array of type names, got "Int32"')],
        ),
        (
            {"ColumnNames": ["age", "bmi", "smoker"], "Values": [[1, 2]]},
            [("Inputs.input1.Values[0]", "expected 3 values (one per column), got 2")],
        ),
        (
            {"ColumnNames": ["age", "bmi", "smoker", "bmi"], "Values": []},
            [("Inputs.input1.ColumnNames[3]", "duplicate column 'bmi'")],
        ),
    ],
)
def test_structure_problems(value, problems):
    frame, found, _ = decode(value)
    assert frame is None and found == problems


def test_encode_writes_dotnet_column_types():
    frame = pd.DataFrame(
        {
            "a": np.array([1], dtype="int32"),
            "b": [2],
            "c": [0.5],
            "d": [True],
            "e": ["x"],
            "f": pd.to_datetime(["2024-01-01"]),
        }
    )
    assert CODECS["classic"].encode(frame) == {
        "ColumnNames": ["a", "b", "c", "d", "e", "f"],
        "ColumnTypes": ["Int32", "Int64", "Double", "Boolean", "String", "DateTime"],
        "Values": [[1, 2, 0.5, True, "x", "2024-01-01T00:00:00"]],
    }
