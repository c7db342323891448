"""Every dtype in every form: one valid table, and one bad cell reported at the form's exact path."""

from __future__ import annotations

import pandas as pd
import pytest

from gateway.core.decoding import DecodeContext
from gateway.core.dtypes import WIRE_DTYPES, pandas_dtype
from gateway.core.table import Table

GOOD = {
    "int": 7, "uint": 7, "float": 2.5, "bool": True, "string": "a", "datetime": "2024-03-21T10:00:00",
    "timedelta": "P1DT2H",
}
BAD = {
    "int": 7.0, "uint": -1, "float": "2.5", "bool": "true", "string": 7, "datetime": "21/03/2024", "timedelta": "5",
}
#: The classic form accepts the exact text of a value (README 'Text values and overload status'): inexact texts there.
BAD_TEXT = {"float": "2,5", "bool": "yes"}


def wire(form: str, rows: list[list]) -> object:
    """The two columns `n` (int64) and `x`, in `form`, with `x` first on the wire."""
    names = ["x", "n"]
    if form == "records":
        return [dict(zip(names, row)) for row in rows]
    if form == "split":
        return {"columns": names, "data": rows}
    if form == "classic":
        return {"ColumnNames": names, "Values": rows}
    if form == "columns":
        return {name: [row[i] for row in rows] for i, name in enumerate(names)}
    return rows


CELL_PATHS = {
    "records": "Inputs.data[1].x",
    "split": "Inputs.data.data[1][0]",
    "classic": "Inputs.data.Values[1][0]",
    "columns": "Inputs.data.x[1]",
    "values": "Inputs.data[1][0]",
}


@pytest.mark.parametrize("dtype", list(WIRE_DTYPES))
@pytest.mark.parametrize("form", list(CELL_PATHS))
def test_a_dtype_in_a_form(form, dtype):
    kind = WIRE_DTYPES[dtype].kind
    table = Table({"x": dtype, "n": "int64"}, orient="values" if form == "values" else "records")

    ctx = DecodeContext()
    frame = table.decode(wire(form, [[GOOD[kind], 1], [GOOD[kind], 2]]), "Inputs.data", ctx)
    assert not ctx.problems, [str(p) for p in ctx.problems.items]
    assert ctx.forms == {"Inputs.data": form}
    assert list(frame.columns) == ["x", "n"] and frame["n"].tolist() == [1, 2]
    assert frame["x"].dtype == pandas_dtype(dtype)
    if kind == "datetime":
        assert frame["x"].tolist() == [pd.Timestamp(GOOD[kind])] * 2
    elif kind == "timedelta":
        assert frame["x"].tolist() == [pd.Timedelta(GOOD[kind])] * 2
    else:
        assert frame["x"].tolist() == [GOOD[kind]] * 2

    ctx = DecodeContext()
    bad = BAD_TEXT.get(kind, BAD[kind]) if form == "classic" else BAD[kind]
    assert table.decode(wire(form, [[GOOD[kind], 1], [bad, 2]]), "Inputs.data", ctx) is None
    [problem] = ctx.problems.items
    assert problem.path == CELL_PATHS[form]
    assert ("out of range" if kind == "uint" else "expected") in problem.error
    assert problem.error.endswith(" (column 'x')") == (form in ("split", "classic", "values"))

    ctx = DecodeContext()
    assert table.decode(wire(form, [[GOOD[kind], 1], [None, 2]]), "Inputs.data", ctx) is None
    assert [(p.path, p.error) for p in ctx.problems.items] == [
        (CELL_PATHS[form], "null is not allowed (column 'x' is not nullable)")
    ]
