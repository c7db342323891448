"""gateway.core.cells: text values, exact forms only (README 'Text values and overload status').

A table or array that accepts text values reads `"12"` in an int column, `"3.5"` in a float column and
`"true"` in a bool column as those values, and refuses every other spelling where it is.
"""

from __future__ import annotations

import numpy as np
import orjson
import pandas as pd
import pytest

from gateway.core.array import Array
from gateway.core.cells import Cells
from gateway.core.declare import Contract
from gateway.core.decoding import DecodeContext
from gateway.core.specs import Object
from gateway.core.table import Column, Table
from gateway.errors import MAX_REPORTED_ERRORS

I64 = np.iinfo(np.int64)
U64 = np.iinfo(np.uint64)


def read(dtype: str, texts: list, nullable: bool = False, text: bool = True):
    bad: list[tuple[int, str]] = []
    array = Cells(dtype, nullable=nullable).convert(texts, bad, text=text)
    return array, bad


@pytest.mark.parametrize(
    "dtype, texts, expected",
    [
        ("int64", ["12", "-7", "0", str(I64.max), str(I64.min)], [12, -7, 0, I64.max, I64.min]),
        ("int8", ["127", "-128", "0"], [127, -128, 0]),
        ("int32", ["2147483647", "-2147483648"], [2147483647, -2147483648]),
        ("uint8", ["255", "0"], [255, 0]),
        ("uint64", [str(U64.max), "0"], [U64.max, 0]),
        ("float64", ["3.5", "1e3", "-0.5", "12", "1E+3", "2.5e-3", "0"], [3.5, 1000.0, -0.5, 12.0, 1000.0, 0.0025, 0.0]),
        ("float32", ["3.5", "1e3", "-0.25"], [3.5, 1000.0, -0.25]),
        ("bool", ["true", "false", "True", "FALSE", "tRuE"], [True, False, True, False, True]),
    ],
)
def test_exact_texts_are_read_as_their_values(dtype, texts, expected):
    array, bad = read(dtype, texts)
    assert bad == []
    assert array.dtype == np.dtype(dtype)
    assert array.tolist() == expected


@pytest.mark.parametrize(
    "dtype, texts, expected",
    [
        ("int64", ["12", 7, "-1"], [12, 7, -1]),
        ("float64", [1, "2.5", 3.5], [1.0, 2.5, 3.5]),
        ("bool", [True, "false"], [True, False]),
    ],
)
def test_texts_and_native_cells_mix_in_one_column(dtype, texts, expected):
    array, bad = read(dtype, texts)
    assert bad == [] and array.tolist() == expected


def test_a_text_gives_exactly_what_its_json_cell_gives():
    """A fast path changes speed, never answers: the text of a value decodes to the value's own array."""
    for dtype, values in [
        ("int64", [0, 1, -1, I64.max, I64.min, 10**15]),
        ("uint64", [0, U64.max]),
        ("float64", [0.1, 1e-300, 1.7976931348623157e308, 2.2250738585072014e-308, 123456.789, -0.0]),
        ("float32", [0.1, 3.4e38, 1e-45]),
    ]:
        native, _ = read(dtype, values, text=False)
        texts, bad = read(dtype, [orjson.dumps(v).decode() for v in values])
        assert bad == []
        np.testing.assert_array_equal(texts, native, strict=True)
    json_zero, _ = read("float64", orjson.loads(b"[-0, -0.0]"), text=False)
    assert [str(v) for v in read("float64", ["-0", "-0.0"])[0]] == [str(v) for v in json_zero] == ["0.0", "-0.0"]


INEXACT_INTS = ["12.5", "12.0", " 12", "12 ", "+12", "012", "00", "-0", "1e3", "0x10", "", "1_000", "١٢", "12\n", "-", "− 1"]


@pytest.mark.parametrize("text", INEXACT_INTS)
def test_an_int_column_refuses_every_other_spelling(text):
    array, bad = read("int64", ["1", text, "2"])
    got = '"' + text + '"'
    assert array is None and bad == [(1, f"expected an integer (int64) or its text, got {got}")]


@pytest.mark.parametrize(
    "dtype, text, message",
    [
        ("int64", str(I64.max + 1), f"{I64.max + 1} is out of range for int64 ({I64.min} to {I64.max})"),
        ("int64", str(I64.min - 1), f"{I64.min - 1} is out of range for int64 ({I64.min} to {I64.max})"),
        ("int8", "128", "128 is out of range for int8 (-128 to 127)"),
        ("int8", "-129", "-129 is out of range for int8 (-128 to 127)"),
        ("uint8", "-1", "-1 is out of range for uint8 (0 to 255)"),
        ("uint64", str(U64.max + 1), f"{U64.max + 1} is out of range for uint64 (0 to {U64.max})"),
        ("int64", "9" * 5000, f'"{"9" * 40}…" is out of range for int64 ({I64.min} to {I64.max})'),
        ("float64", "1e400", '"1e400" is out of range for float64'),
        ("float64", "-1e400", '"-1e400" is out of range for float64'),
        ("float32", "1e39", "1e+39 is out of range for float32"),
    ],
)
def test_an_exact_text_out_of_the_dtypes_range_is_refused_as_out_of_range(dtype, text, message):
    array, bad = read(dtype, ["0", text])
    assert array is None and bad == [(1, message)]


INEXACT_FLOATS = ["nan", "NaN", "inf", "-inf", "Infinity", " 3.5", "3.5 ", "3,5", "", ".5", "5.", "+1", "1e", "0x1p3", "1_0", "01.5", "3.5f"]


@pytest.mark.parametrize("text", INEXACT_FLOATS)
def test_a_float_column_refuses_every_other_spelling(text):
    array, bad = read("float64", ["1.5", text])
    got = '"' + text + '"'
    assert array is None and bad == [(1, f"expected a number (float64) or its text, got {got}")]


@pytest.mark.parametrize("text", ["1", "0", "yes", "no", "t", "f", " true", "true ", "", "truE1", "fal\u017fe", "\u0130"])
def test_a_bool_column_takes_true_and_false_in_any_case_only(text):
    array, bad = read("bool", ["true", text])
    got = '"' + text + '"'
    assert array is None and bad == [(1, f"expected a boolean or its text, got {got}")]


def test_nulls_are_unchanged_and_the_empty_text_is_not_one():
    array, bad = read("int64", [None, "2", 3], nullable=True)
    assert bad == [] and array.dtype == pd.Int64Dtype() and array.tolist() == [pd.NA, 2, 3]
    array, bad = read("float64", ["1.5", None], nullable=True)
    assert bad == [] and np.isnan(array[1])
    array, bad = read("bool", ["TRUE", None], nullable=True)
    assert bad == [] and array.tolist() == [True, pd.NA]
    assert read("int64", ["", None], nullable=True)[1] == [(0, 'expected an integer (int64) or its text, got ""')]
    assert read("int64", ["1", None])[1] == [(1, "null is not allowed")]


def test_strings_stay_strings_and_datetimes_are_iso_text_as_always():
    array, bad = read("string", ["12", "true"])
    assert bad == [] and list(array) == ["12", "true"]
    assert read("string", ["a", 12])[1] == [(1, "expected a string, got 12")]  # a number is not a string's text
    array, bad = read("datetime", ["2024-03-21T10:00:00", "2024-03-22"])
    assert bad == [] and array.dtype.kind == "M"
    assert read("datetime", ["21/03/2024"])[0] is None


def test_without_text_values_a_text_is_refused_as_before():
    assert read("int64", ["12"], text=False)[1] == [(0, 'expected an integer (int64), got "12"')]
    assert read("bool", ["true"], text=False)[1] == [(0, 'expected a boolean, got "true"')]


def test_wrong_types_and_inexact_texts_are_reported_together_in_order():
    array, bad = read("int8", ["x", 3.0, "5", "300", True, None])
    assert array is None
    assert bad == [
        (0, 'expected an integer (int8) or its text, got "x"'),
        (1, "expected an integer (int8) or its text, got 3.0"),
        (3, "300 is out of range for int8 (-128 to 127)"),
        (4, "expected an integer (int8) or its text, got true"),
        (5, "null is not allowed"),
    ]


def test_at_most_max_reported_errors_are_collected():
    _, bad = read("int64", ["1.5"] * 100)
    assert len(bad) == MAX_REPORTED_ERRORS and bad[0][0] == 0


# --- through Table, Array and Contract ----------------------------------------------------------------

PEOPLE = {"age": "int64", "score": "float64", "member": "bool", "name": "string", "seen": "datetime"}
ROW = {"age": "42", "score": "3.5", "member": "True", "name": "Ann", "seen": "2024-03-21T10:00:00"}


def decode(table: Table, value, ctx: DecodeContext | None = None):
    ctx = ctx or DecodeContext()
    frame = table.decode(value, "Inputs.data", ctx)
    return frame, [str(p) for p in ctx.problems.items]


def test_a_table_declared_with_text_values_reads_texts_in_every_form():
    table = Table(PEOPLE, text_values=True)
    records, problems = decode(table, [ROW, {**ROW, "age": "7", "member": "false"}])
    assert problems == []
    assert records.dtypes.tolist()[:3] == [np.dtype("int64"), np.dtype("float64"), np.dtype(bool)]
    assert records["seen"].dtype.kind == "M" and records["name"].tolist() == ["Ann", "Ann"]
    assert records["age"].tolist() == [42, 7] and records["member"].tolist() == [True, False]
    split, problems = decode(table, {"columns": list(ROW), "data": [list(ROW.values())] * 2})
    assert problems == [] and split["score"].tolist() == [3.5, 3.5]


def test_an_inexact_text_is_a_path_qualified_problem_in_each_form():
    table = Table(PEOPLE, text_values=True)
    rows = [ROW] * 3 + [{**ROW, "age": "12.5"}]
    assert decode(table, rows)[1] == ['Inputs.data[3].age: expected an integer (int64) or its text, got "12.5"']
    split = {"columns": list(ROW), "data": [list(r.values()) for r in rows]}
    assert decode(table, split)[1] == [
        "Inputs.data.data[3][0]: expected an integer (int64) or its text, got \"12.5\" (column 'age')"
    ]


def test_tables_are_strict_by_default_and_with_text_values_makes_a_copy_that_is_not():
    strict = Table(PEOPLE)
    assert decode(strict, [ROW])[1] == [
        'Inputs.data[0].age: expected an integer (int64), got "42"',
        'Inputs.data[0].score: expected a number (float64), got "3.5"',
        'Inputs.data[0].member: expected a boolean, got "True"',
    ]
    lenient = strict.with_text_values()
    assert isinstance(lenient, Table) and lenient is not strict and lenient.columns == strict.columns
    assert decode(lenient, [ROW])[1] == [] and decode(strict, [ROW])[1] != []
    assert not strict.text_values and lenient.text_values


def test_a_request_context_with_text_values_reaches_every_table():
    frame, problems = decode(Table(PEOPLE), [ROW], DecodeContext(text_values=True))
    assert problems == [] and frame["age"].tolist() == [42]


def test_text_values_keep_nullable_columns_and_sample_dtypes():
    table = Table({"n": Column("int32", nullable=True), "b": Column("bool", nullable=True)}, text_values=True)
    frame, problems = decode(table, [{"n": "5", "b": None}, {"n": None, "b": "FALSE"}])
    assert problems == [] and frame["n"].dtype == pd.Int32Dtype() and frame["b"].tolist() == [pd.NA, False]


def test_arrays_take_text_values_too():
    ctx = DecodeContext()
    array = Array("int64", (None, 2), text_values=True).decode([["1", "2"], ["3", 4]], "Inputs.x", ctx)
    assert array.tolist() == [[1, 2], [3, 4]] and array.dtype == np.dtype("int64")
    ctx = DecodeContext(text_values=True)
    assert Array("bool").decode(["true", "False"], "Inputs.x", ctx).tolist() == [True, False]
    ctx = DecodeContext()
    assert Array("float64", text_values=True).decode(["1.5", "x"], "Inputs.x", ctx) is None
    assert [str(p) for p in ctx.problems.items] == ['Inputs.x[1]: expected a number (float64) or its text, got "x"']
    ctx = DecodeContext()
    assert Array("float64").decode(["1.5"], "Inputs.x", ctx) is None  # strict by default


def test_a_body_of_texts_leaves_the_typed_fast_path_and_answers_as_the_native_body():
    contract = Contract({"Inputs": Object({"data": Table(PEOPLE)})})
    native = [{"age": 42, "score": 3.5, "member": True, "name": "Ann", "seen": "2024-03-21T10:00:00"}] * 3
    texts = [ROW] * 3
    body = lambda rows: orjson.dumps({"Inputs": {"data": rows}})  # noqa: E731
    expected, ctx = contract.bind_body(body(native))
    assert not ctx.problems
    for text_values in (False, True):  # the native body is the same with and without text values
        kwargs, ctx = contract.bind_body(body(native), text_values)
        pd.testing.assert_frame_equal(kwargs["Inputs"]["data"], expected["Inputs"]["data"])
    kwargs, ctx = contract.bind_body(body(texts), text_values=True)
    assert not ctx.problems
    pd.testing.assert_frame_equal(kwargs["Inputs"]["data"], expected["Inputs"]["data"])
    _, ctx = contract.bind_body(body(texts))
    assert [p.path for p in ctx.problems.items] == [
        f"Inputs.data[{row}].{name}" for row in range(3) for name in ("age", "score", "member")
    ]
