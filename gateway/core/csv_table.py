"""A CSV body as a split-form table, and its problems named by row and column.

    age,income,city
    42,52000.5,Seattle
    23,,Lisbon

is read with Python's `csv` module into `{"columns": ["age", "income", "city"], "data": [["42", "52000.5",
"Seattle"], ["23", None, "Lisbon"]]}`: the header row gives the column names, every cell stays the text it
is (a `Table.with_text_values()` converts it with the declared dtypes), an empty cell is null, blank lines
are skipped. (The unnamed first column `DataFrame.to_csv()` writes for the index is a column named "",
unknown to the table like any other; write with `index=False`.) Decoding problems are then renamed from the split form's JSON paths to what a person
reading the file sees: `row 3, column 'age': expected an integer (int64), got "x"` (rows counted from 1
after the header), `row 4: expected 3 values (one per column), got 2`, `header: missing column 'age'`.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from gateway.errors import EnvelopeError, Problem

__all__ = ("CSV_MEDIA_TYPE", "read_csv", "csv_problem")

CSV_MEDIA_TYPE = "text/csv"

_CELL = re.compile(r"\.data\[(\d+)\](?:\[(\d+)\])?$")
_HEADER = re.compile(r"\.columns\[(\d+)\]$")


def read_csv(body: bytes) -> dict[str, Any]:
    """The split-form table of a CSV body (cells as text, empty cells None); EnvelopeError (400) when
    the body is not UTF-8, empty, or not readable as CSV (with the line where reading stopped)."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EnvelopeError(f"the CSV body is not valid UTF-8: {exc.reason} at byte {exc.start}") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        rows = [row for row in reader if row]
    except csv.Error as exc:
        raise EnvelopeError(f"the CSV body cannot be read at line {reader.line_num}: {exc}") from None
    if not rows:
        raise EnvelopeError("the CSV body is empty: expected a header row naming the columns, then one row per record")
    header, records = rows[0], rows[1:]
    data: list[list[Any]] = [[cell if cell != "" else None for cell in record] for record in records]
    return {"columns": header, "data": data}


def csv_problem(problem: Problem, table_path: str, table: dict[str, Any]) -> Problem:
    """`problem` (found decoding `table`, the result of `read_csv`, at `table_path`) as a CSV reader names
    it; a problem elsewhere is returned as it is."""
    path = problem.path
    if path != table_path and not path.startswith((table_path + ".", table_path + "[")):
        return problem
    rest = path[len(table_path):]
    columns: list[str] = table["columns"]
    cell = _CELL.match(rest)
    if cell is not None:
        row = f"row {int(cell.group(1)) + 1}"
        if cell.group(2) is None:
            return Problem(row, problem.error)
        position = int(cell.group(2))
        name = columns[position] if position < len(columns) else str(position)
        suffix = f" (column '{name}')"
        error = problem.error[: -len(suffix)] if problem.error.endswith(suffix) else problem.error
        return Problem(f"{row}, column '{name}'", error)
    header = _HEADER.match(rest)
    if header is not None:
        return Problem(f"header, column {int(header.group(1)) + 1}", problem.error)
    return Problem("header", problem.error)
