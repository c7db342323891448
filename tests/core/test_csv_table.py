"""CSV bodies read into the split form, and their problems named by row and column (README 'MLflow clients
and CSV')."""

from __future__ import annotations

import pandas as pd
import pytest

from gateway import Column, Table
from gateway.core.csv_table import csv_problem, read_csv
from gateway.core.decoding import DecodeContext
from gateway.errors import EnvelopeError, Problem

TABLE = Table({"age": "int64", "income": "float64", "member": "bool", "city": Column("string", nullable=True)})


def decode(body: bytes, table: Table = TABLE) -> tuple[pd.DataFrame | None, list[str]]:
    split = read_csv(body)
    ctx = DecodeContext()
    frame = table.with_text_values().decode(split, "Inputs.data", ctx)
    return frame, [str(csv_problem(problem, "Inputs.data", split)) for problem in ctx.problems.items]


def test_header_names_the_columns_and_cells_stay_text():
    body = b'age,income,city\n42,52000.5,"Seattle, WA"\n23,,Lisbon\n'
    assert read_csv(body) == {
        "columns": ["age", "income", "city"],
        "data": [["42", "52000.5", "Seattle, WA"], ["23", None, "Lisbon"]],
    }


def test_blank_lines_bom_crlf_and_quoted_newlines():
    body = '\ufeffage,city\r\n\r\n1,"two\nlines"\r\n2,x\r\n'.encode()
    assert read_csv(body) == {"columns": ["age", "city"], "data": [["1", "two\nlines"], ["2", "x"]]}


def test_a_valid_csv_decodes_with_the_declared_dtypes():
    frame, problems = decode(b"age,income,member,city\n42,52000.5,true,Seattle\n23,18000,False,\n")
    assert problems == []
    assert frame is not None
    assert frame.dtypes.astype(str).tolist()[:3] == ["int64", "float64", "bool"]
    assert frame["age"].tolist() == [42, 23]
    assert frame["income"].tolist() == [52000.5, 18000.0]
    assert frame["member"].tolist() == [True, False]
    assert frame["city"].isna().tolist() == [False, True]  # an empty cell is null


def test_a_bad_cell_is_named_by_row_and_column():
    _, problems = decode(b"age,income,member,city\n1,2.0,true,a\n2,3.0,true,b\nx,4.0,true,c\n")
    assert len(problems) == 1
    assert problems[0].startswith("row 3, column 'age': expected an integer (int64)")
    assert problems[0].endswith('got "x"')  # the column is in the path, not repeated at the end


def test_an_empty_cell_in_a_column_that_is_not_nullable():
    _, problems = decode(b"age,income,member,city\n1,,true,a\n")
    assert problems == ["row 1, column 'income': null is not allowed (column 'income' is not nullable)"]


def test_missing_and_unknown_columns_are_header_problems():
    _, problems = decode(b"age,member,city\n1,true,a\n")
    assert problems == ["header: missing column 'income'"]
    strict = Table({"age": "int64"}, strict_columns=True)
    _, problems = decode(b"age,extra\n1,2\n", strict)
    assert problems == ["header: unknown column 'extra' (this table has strict columns)"]
    frame, problems = decode(b"age,extra\n1,2\n", Table({"age": "int64"}))
    assert problems == [] and frame is not None and list(frame.columns) == ["age"]  # ignored, as in JSON


def test_short_rows_and_duplicate_names():
    _, problems = decode(b"age,income,member,city\n1,2.0,true\n")
    assert problems == ["row 1: expected 4 values (one per column), got 3"]
    _, problems = decode(b"age,income,member,city,age\n1,2.0,true,a,1\n")
    assert problems == ["header, column 5: duplicate column 'age'"]


def test_problems_elsewhere_are_left_as_they_are():
    problem = Problem("GlobalParameters.method", "expected a string")
    assert csv_problem(problem, "Inputs.data", {"columns": [], "data": []}) is problem
    assert csv_problem(Problem("Inputs.database", "x"), "Inputs.data", {"columns": [], "data": []}).path == "Inputs.database"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "the CSV body is empty"),
        (b"\n\n", "the CSV body is empty"),
        (b"age\n\xff\n", "the CSV body is not valid UTF-8"),
        (b'age,city\n1,"open\n', "the CSV body cannot be read at line"),
        (b'age,city\n1,"a"b\n', "the CSV body cannot be read at line 2"),
    ],
)
def test_unreadable_bodies_are_400s(body, message):
    with pytest.raises(EnvelopeError) as caught:
        read_csv(body)
    assert caught.value.status == 400
    assert caught.value.message.startswith(message)
