"""gateway.core.table: strict, column-by-column decoding of tables, with a JSON path on every problem (README 'Declaring a contract')."""

from __future__ import annotations

import math

import numpy as np
import orjson
import pandas as pd
import pytest
from jsonschema import Draft202012Validator

from gateway.core.decoding import DecodeContext
from gateway.core.dtypes import DATETIME_UNIT, STRING_DTYPE
from gateway.core.schema import JSON_SCHEMA
from gateway.core.specs import MISSING
from gateway.core.table import Column, Table
from gateway.errors import MAX_REPORTED_ERRORS

PANDAS_3 = int(pd.__version__.split(".")[0]) >= 3
NAIVE = np.dtype(f"datetime64[{DATETIME_UNIT}]")
UTC = pd.DatetimeTZDtype(unit=DATETIME_UNIT, tz="UTC")

CHURN = {"age": "int64", "income": "float64", "is_member": "bool", "city": "string", "signup_date": "datetime"}
ROWS = [
    {"age": 42, "income": 52000.5, "is_member": True, "city": "Seattle", "signup_date": "2021-03-04T10:00:00"},
    {"age": 23, "income": 18000, "is_member": False, "city": "Lisbon", "signup_date": "2023-11-30"},
    {"age": 67, "income": 91000.25, "is_member": True, "city": "Utrecht", "signup_date": "2019-07-21T00:00:00"},
]


def decode(table: Table, value, path: str = "Inputs.data"):
    ctx = DecodeContext()
    frame = table.decode(value, path, ctx)
    return frame, [(p.path, p.error) for p in ctx.problems.items], ctx


def column(dtype: str | Column, cells: list) -> tuple:
    """Decode one column `x` given as records."""
    return decode(Table({"x": dtype}), [{"x": cell} for cell in cells])


# --- a valid Power BI table ----------------------------------------------------------------------


CHURN_DTYPES = {
    "age": np.dtype("int64"),
    "income": np.dtype("float64"),
    "is_member": np.dtype(bool),
    "city": STRING_DTYPE,
    "signup_date": NAIVE,
}


def test_power_bi_records_decode_to_the_declared_dtypes():
    frame, problems, ctx = decode(Table(CHURN), ROWS)
    assert problems == []
    assert list(frame.columns) == list(CHURN)
    assert frame.dtypes.to_dict() == CHURN_DTYPES
    assert frame["age"].tolist() == [42, 23, 67]
    assert frame["income"].tolist() == [52000.5, 18000.0, 91000.25]
    assert frame["signup_date"].tolist() == [
        pd.Timestamp("2021-03-04T10:00"),
        pd.Timestamp("2023-11-30"),
        pd.Timestamp("2019-07-21"),
    ]
    assert isinstance(frame.index, pd.RangeIndex) and len(frame) == 3
    assert ctx.forms == {"Inputs.data": "records"} and ctx.rows == 3 and ctx.ignored == []


def test_columns_are_reordered_to_the_declared_order():
    rows = [dict(reversed(list(row.items()))) for row in ROWS]
    frame, problems, _ = decode(Table(CHURN), rows)
    assert problems == [] and list(frame.columns) == list(CHURN)


# --- one valid and several invalid cases per dtype ----------------------------------------------


@pytest.mark.parametrize(
    ("dtype", "good", "expected"),
    [
        ("int64", [1, -5, 2**63 - 1], [1, -5, 2**63 - 1]),
        ("int8", [-128, 127], [-128, 127]),
        ("int16", [-32768, 32767], [-32768, 32767]),
        ("int32", [2**31 - 1], [2**31 - 1]),
        ("uint8", [0, 255], [0, 255]),
        ("uint16", [65535], [65535]),
        ("uint32", [2**32 - 1], [2**32 - 1]),
        ("uint64", [0, 2**64 - 1, 2**63], [0, 2**64 - 1, 2**63]),
        ("float64", [1, 2.5, -0.0, 2**64], [1.0, 2.5, -0.0, float(2**64)]),
        ("float32", [1, 0.5], [1.0, 0.5]),
        ("bool", [True, False], [True, False]),
        ("string", ["a", "", "ünï", "now"], ["a", "", "ünï", "now"]),
    ],
)
def test_each_dtype_accepts_its_json_type(dtype, good, expected):
    frame, problems, _ = column(dtype, good)
    assert problems == []
    assert frame["x"].dtype == (STRING_DTYPE if dtype == "string" else np.dtype(dtype))
    assert frame["x"].tolist() == expected


@pytest.mark.parametrize(
    ("dtype", "bad", "error"),
    [
        ("int64", 3.0, "expected an integer (int64), got 3.0"),
        ("int64", 1.5, "expected an integer (int64), got 1.5"),
        ("int64", "3", 'expected an integer (int64), got "3"'),
        ("int64", True, "expected an integer (int64), got true"),
        ("int64", [1], "expected an integer (int64), got an array"),
        ("int64", 2**63, "9223372036854775808 is out of range for int64 (-9223372036854775808 to 9223372036854775807)"),
        ("int64", orjson.loads(b"-9223372036854775809"), "expected an integer (int64), got -9.223372036854776e+18"),
        ("int8", 300, "300 is out of range for int8 (-128 to 127)"),
        ("int8", -129, "-129 is out of range for int8 (-128 to 127)"),
        ("int32", 2**31, "2147483648 is out of range for int32 (-2147483648 to 2147483647)"),
        ("uint8", -1, "-1 is out of range for uint8 (0 to 255)"),
        ("uint64", -1, "-1 is out of range for uint64 (0 to 18446744073709551615)"),
        ("float64", "1.5", 'expected a number (float64), got "1.5"'),
        ("float64", False, "expected a number (float64), got false"),
        ("float32", 1e39, "1e+39 is out of range for float32"),
        ("bool", 0, "expected a boolean, got 0"),
        ("bool", "false", 'expected a boolean, got "false"'),
        ("string", 1, "expected a string, got 1"),
        ("string", True, "expected a string, got true"),
        ("string", {"a": 1}, "expected a string, got an object"),
        (
            "datetime",
            "21/03/2024",
            'expected an ISO-8601 date-time string (like 2024-03-21T10:00:00), got "21/03/2024"',
        ),
        ("datetime", "now", 'expected an ISO-8601 date-time string (like 2024-03-21T10:00:00), got "now"'),
        ("datetime", "", 'expected an ISO-8601 date-time string (like 2024-03-21T10:00:00), got ""'),
        ("datetime", "NaT", 'expected an ISO-8601 date-time string (like 2024-03-21T10:00:00), got "NaT"'),
        (
            "datetime",
            "2024-02-30",
            'expected an ISO-8601 date-time string (like 2024-03-21T10:00:00), got "2024-02-30"',
        ),
        ("datetime", 1711015200, "expected an ISO-8601 date-time string, got 1711015200"),
    ],
)
def test_each_dtype_rejects_other_json_types_with_the_cell_path(dtype, bad, error):
    good = {"int64": 1, "int8": 1, "int32": 1, "uint8": 1, "uint64": 1, "float64": 1.5, "float32": 1.5}.get(dtype)
    good = {"bool": True, "string": "a", "datetime": "2024-03-21T10:00:00"}.get(dtype, good)
    frame, problems, _ = decode(Table({"x": dtype}), [{"x": good}, {"x": bad}])
    assert frame is None
    assert problems == [("Inputs.data[1].x", error)]


def test_type_and_range_problems_of_one_column_are_both_reported_in_row_order():
    _, problems, _ = column("int8", [1, 300, "x", -500, 2.0])
    assert problems == [
        ("Inputs.data[1].x", "300 is out of range for int8 (-128 to 127)"),
        ("Inputs.data[2].x", 'expected an integer (int8), got "x"'),
        ("Inputs.data[3].x", "-500 is out of range for int8 (-128 to 127)"),
        ("Inputs.data[4].x", "expected an integer (int8), got 2.0"),
    ]


# --- null ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", list(CHURN.values()))
def test_null_is_refused_in_a_column_that_is_not_nullable(dtype):
    rows = [dict(row) for row in ROWS]
    name = next(k for k, v in CHURN.items() if v == dtype)
    rows[2][name] = None
    frame, problems, _ = decode(Table(CHURN), rows)
    assert frame is None
    assert problems == [(f"Inputs.data[2].{name}", f"null is not allowed (column '{name}' is not nullable)")]


def test_nullable_int_becomes_Int64_with_NA():
    frame, problems, _ = column(Column("int64", nullable=True), [1, None, 3])
    assert problems == []
    assert frame["x"].dtype == pd.Int64Dtype()
    assert frame["x"].isna().tolist() == [False, True, False]
    assert frame["x"].sum() == 4


@pytest.mark.parametrize(("dtype", "pandas"), [("int8", "Int8"), ("uint16", "UInt16"), ("uint64", "UInt64")])
def test_nullable_ints_use_the_pandas_nullable_family(dtype, pandas):
    frame, problems, _ = column(Column(dtype, nullable=True), [None, 7])
    assert problems == [] and frame["x"].dtype.name == pandas and frame["x"].isna().tolist() == [True, False]


def test_nullable_int_still_checks_range_and_type():
    _, problems, _ = column(Column("uint8", nullable=True), [None, 256, 1.0])
    assert problems == [
        ("Inputs.data[1].x", "256 is out of range for uint8 (0 to 255)"),
        ("Inputs.data[2].x", "expected an integer (uint8), got 1.0"),
    ]


def test_nullable_bool_becomes_boolean():
    frame, problems, _ = column(Column("bool", nullable=True), [True, None, False])
    assert problems == [] and frame["x"].dtype == pd.BooleanDtype()
    assert frame["x"].isna().tolist() == [False, True, False]


def test_nullable_float_is_nan():
    frame, problems, _ = column(Column("float64", nullable=True), [1, None, 2.5])
    assert problems == [] and frame["x"].dtype == np.float64
    assert math.isnan(frame["x"][1]) and frame["x"][2] == 2.5


def test_nullable_string_is_the_dtypes_missing_value():
    frame, problems, _ = column(Column("string", nullable=True), ["a", None])
    assert problems == [] and frame["x"].dtype == STRING_DTYPE
    if PANDAS_3:
        assert isinstance(frame["x"][1], float) and math.isnan(frame["x"][1])
    else:
        assert frame["x"][1] is None
    assert frame["x"].isna().tolist() == [False, True]


def test_nullable_datetime_is_nat():
    frame, problems, _ = column(Column("datetime", nullable=True), [None, "2024-03-21T10:00:00", None])
    assert problems == [] and frame["x"].dtype == NAIVE
    assert frame["x"].isna().tolist() == [True, False, True]


def test_all_null_datetime_column_is_naive():
    frame, problems, _ = column(Column("datetime", nullable=True), [None, None])
    assert problems == [] and frame["x"].dtype == NAIVE and frame["x"].isna().all()


# --- datetimes -----------------------------------------------------------------------------------


def test_power_query_naive_and_date_only_strings_are_naive_datetimes():
    frame, problems, _ = column("datetime", ["2024-03-21T10:00:00", "2024-03-21", "2024-03-21 10:00:00.250"])
    assert problems == [] and frame["x"].dtype == NAIVE
    assert frame["x"].tolist() == [
        pd.Timestamp("2024-03-21T10:00"),
        pd.Timestamp("2024-03-21"),
        pd.Timestamp("2024-03-21T10:00:00.250"),
    ]


def test_zone_aware_strings_are_converted_to_utc():
    frame, problems, _ = column("datetime", ["2024-03-21T10:00:00Z", "2024-03-21T10:00:00+01:00"])
    assert problems == [] and frame["x"].dtype == UTC
    assert frame["x"].tolist() == [pd.Timestamp("2024-03-21T10:00Z"), pd.Timestamp("2024-03-21T09:00Z")]


def test_different_offsets_in_one_column_are_fine_for_example_across_dst():
    frame, problems, _ = column("datetime", ["2024-03-30T10:00:00+01:00", "2024-04-01T10:00:00+02:00"])
    assert problems == [] and frame["x"].dtype == UTC
    assert frame["x"].tolist() == [pd.Timestamp("2024-03-30T09:00Z"), pd.Timestamp("2024-04-01T08:00Z")]


def test_mixing_naive_and_aware_datetimes_is_refused():
    _, problems, _ = column("datetime", ["2024-03-21T10:00:00", "2024-03-21T10:00:00Z", "2024-03-22T10:00:00"])
    assert problems == [
        (
            "Inputs.data[1].x",
            '"2024-03-21T10:00:00Z" has a time zone but the first date-time has none: '
            "naive and zone-aware date-times cannot be mixed",
        )
    ]
    _, problems, _ = column("datetime", ["2024-03-21T10:00:00+01:00", "2024-03-21T10:00:00"])
    assert problems == [
        (
            "Inputs.data[1].x",
            '"2024-03-21T10:00:00" has no time zone but the first date-time has one: '
            "naive and zone-aware date-times cannot be mixed",
        )
    ]


def test_an_invalid_string_that_looks_zoned_is_reported_as_invalid():
    _, problems, _ = column("datetime", ["2024-03-21T10:00:00", "21/03/2024 10:00 +01"])
    assert problems == [
        (
            "Inputs.data[1].x",
            'expected an ISO-8601 date-time string (like 2024-03-21T10:00:00), got "21/03/2024 10:00 +01"',
        )
    ]


def test_invalid_datetime_strings_are_reported_each_with_its_row():
    cells = ["2024-03-21T10:00:00", "yesterday-ish", "2024-03-21T10:00:00", "2024-13-01", "today"]
    _, problems, _ = column("datetime", cells)
    assert [path for path, _ in problems] == ["Inputs.data[1].x", "Inputs.data[3].x", "Inputs.data[4].x"]
    assert all("expected an ISO-8601 date-time string" in error for _, error in problems)


def test_datetime_range_depends_on_the_pandas_unit():
    frame, problems, _ = column("datetime", ["2024-01-01", "2300-01-01"])
    if PANDAS_3:  # microseconds: years 1 to 9999
        assert problems == [] and frame["x"][1] == pd.Timestamp("2300-01-01")
    else:  # nanoseconds: years 1677 to 2262
        assert problems == [("Inputs.data[1].x", '"2300-01-01" is out of range for datetime64[ns]')]


def test_epoch_numbers_only_with_a_declared_unit():
    frame, problems, _ = column(Column("datetime", unit="ms"), [1711015200000, 1711015200500.0])
    assert problems == [] and frame["x"].dtype == NAIVE
    assert frame["x"].tolist() == [pd.Timestamp("2024-03-21T10:00"), pd.Timestamp("2024-03-21T10:00:00.500")]
    frame, problems, _ = column(Column("datetime", unit="s"), [1711015200, "2024-03-21T11:00:00", None][:2])
    assert problems == [] and frame["x"].tolist() == [
        pd.Timestamp("2024-03-21T10:00"),
        pd.Timestamp("2024-03-21T11:00"),
    ]
    _, problems, _ = column(Column("datetime", unit="s"), ["2024-03-21", True])
    assert problems == [
        ("Inputs.data[1].x", "expected an ISO-8601 date-time string or a number of s since the epoch, got true")
    ]


def test_epoch_with_zone_aware_strings_is_utc():
    frame, problems, _ = column(Column("datetime", unit="s"), [1711015200, "2024-03-21T12:00:00+01:00"])
    assert problems == [] and frame["x"].dtype == UTC
    assert frame["x"].tolist() == [pd.Timestamp("2024-03-21T10:00Z"), pd.Timestamp("2024-03-21T11:00Z")]


def test_nullable_epoch_column():
    frame, problems, _ = column(Column("datetime", unit="s", nullable=True), [None, 0])
    assert problems == [] and frame["x"].isna().tolist() == [True, False]
    assert frame["x"][1] == pd.Timestamp("1970-01-01")


def test_epoch_out_of_range():
    _, problems, _ = column(Column("datetime", unit="s"), [0, 10**15])
    assert problems == [
        ("Inputs.data[1].x", f"1000000000000000 s since the epoch is out of range for datetime64[{DATETIME_UNIT}]")
    ]


# --- column names --------------------------------------------------------------------------------


def test_a_column_no_row_has_is_missing_at_the_table_path():
    rows = [{k: v for k, v in row.items() if k != "age"} for row in ROWS]
    frame, problems, _ = decode(Table(CHURN), rows)
    assert frame is None
    assert problems == [("Inputs.data", "missing column 'age'")]


def test_a_row_lacking_a_column_other_rows_have_is_reported_at_the_row():
    rows = [dict(row) for row in ROWS] + [dict(ROWS[0])]
    del rows[3]["age"]
    frame, problems, _ = decode(Table(CHURN), rows)
    assert frame is None
    assert problems == [("Inputs.data[3]", "missing column 'age'")]


def test_the_other_problems_of_a_column_with_a_missing_cell_are_still_reported():
    rows = [{"x": 1}, {}, {"x": "a"}]
    _, problems, _ = decode(Table({"x": "int64"}), rows)
    assert problems == [
        ("Inputs.data[1]", "missing column 'x'"),
        ("Inputs.data[2].x", 'expected an integer (int64), got "a"'),
    ]


def test_unknown_columns_are_dropped_and_recorded():
    rows = [dict(row, extra=1, **{"Scored Labels": "x"}) for row in ROWS]
    frame, problems, ctx = decode(Table(CHURN), rows)
    assert problems == [] and list(frame.columns) == list(CHURN)
    assert ctx.ignored == ["Inputs.data.extra", 'Inputs.data["Scored Labels"]']


def test_unknown_columns_in_some_rows_only_are_recorded_too():
    rows = [dict(row) for row in ROWS]
    rows[1]["late"] = 1
    frame, problems, ctx = decode(Table(CHURN), rows)
    assert problems == [] and ctx.ignored == ["Inputs.data.late"]


def test_strict_columns_make_unknown_columns_problems():
    rows = [dict(row, extra=1) for row in ROWS]
    frame, problems, ctx = decode(Table(CHURN, strict_columns=True), rows)
    assert frame is None
    assert problems == [("Inputs.data.extra", "unknown column 'extra' (this table has strict columns)")]
    assert ctx.ignored == []


def test_a_column_differing_only_by_case_says_so():
    rows = [{("Age" if k == "age" else k): v for k, v in row.items()} for row in ROWS]
    frame, problems, ctx = decode(Table(CHURN), rows)
    assert frame is None
    assert problems == [
        ("Inputs.data.Age", "'Age' is not a column; column names are case-sensitive: did you mean 'age'?")
    ]
    assert ctx.ignored == []


# --- what is not a table -------------------------------------------------------------------------

FORMS = (
    '[{"column": value, ...}, ...] (records), {"columns": [...], "data": [[...], ...]} (split), '
    '{"ColumnNames": [...], "Values": [[...], ...]} (classic), {"column": [values, ...], ...} (columns), '
    '{"row label": {"column": value, ...}, ...} (index)'
)


@pytest.mark.parametrize(
    ("value", "got"),
    [
        ("abc", '"abc"'),
        (5, "5"),
        (None, "null"),
        (True, "true"),
        ([1, 2], "an array whose first element is 1"),
        ([[1, 2]], "an array whose first element is an array"),
    ],
)
def test_a_value_in_no_table_form_is_one_problem_listing_the_forms(value, got):
    frame, problems, ctx = decode(Table(CHURN), value)
    assert frame is None
    assert problems == [("Inputs.data", f"expected a table, one of: {FORMS}; got {got}")]
    assert ctx.forms == {}


def test_the_values_form_is_listed_when_declared():
    _, problems, _ = decode(Table(CHURN, orient="values"), "x")
    assert problems[0][1].endswith('(index), [[value, ...], ...] (values); got "x"')


def test_rows_that_are_not_objects():
    frame, problems, _ = decode(Table(CHURN), [ROWS[0], 5, [1], ROWS[1]])
    assert frame is None
    assert problems == [
        ("Inputs.data[1]", "expected a row object, got 5"),
        ("Inputs.data[2]", "expected a row object, got an array"),
    ]


def test_a_nullable_table_may_be_null():
    frame, problems, _ = decode(Table(CHURN, nullable=True), None)
    assert frame is None and problems == []


# --- empty tables --------------------------------------------------------------------------------

EMPTY = {
    "records": [],
    "split": {"columns": list(CHURN), "data": []},
    "classic": {"ColumnNames": list(CHURN), "Values": []},
    "columns": {name: [] for name in CHURN},
    "values": [],
}


@pytest.mark.parametrize("form", list(EMPTY))
def test_empty_tables_give_zero_rows_with_the_declared_dtypes(form):
    table = Table({**CHURN, "n": Column("int32", nullable=True)}, orient="values" if form == "values" else "records")
    value = EMPTY[form]
    if form == "split" or form == "classic":
        key = "columns" if form == "split" else "ColumnNames"
        value = {**value, key: [*value[key], "n"]}
    if form == "columns":
        value = {**value, "n": []}
    frame, problems, ctx = decode(table, value)
    assert problems == []
    assert ctx.forms == {"Inputs.data": form}
    assert len(frame) == 0 and list(frame.columns) == [*CHURN, "n"]
    assert frame.dtypes.to_dict() == {**CHURN_DTYPES, "n": pd.Int32Dtype()}


def test_an_empty_columns_object_misses_every_column():
    _, problems, _ = decode(Table({"a": "int64", "b": "bool"}), {})
    assert problems == [("Inputs.data", "missing column 'a'"), ("Inputs.data", "missing column 'b'")]


# --- the cap on problems, and big tables ---------------------------------------------------------


def test_at_most_20_problems_are_reported_in_row_order():
    rows = [dict(row) for row in ROWS * 40]
    for i in range(0, 120, 2):
        rows[i]["city"] = i
        rows[i + 1]["age"] = "old"
    frame, problems, ctx = decode(Table(CHURN), rows)
    assert frame is None
    assert len(problems) == MAX_REPORTED_ERRORS == 20
    assert ctx.problems.total >= 20 and ctx.problems.full
    assert problems[:3] == [
        ("Inputs.data[0].city", "expected a string, got 0"),
        ("Inputs.data[1].age", 'expected an integer (int64), got "old"'),
        ("Inputs.data[2].city", "expected a string, got 2"),
    ]
    assert problems[-1][0] == "Inputs.data[19].age"


def test_a_context_already_full_stops_the_scan():
    ctx = DecodeContext()
    for i in range(MAX_REPORTED_ERRORS):
        ctx.problems.add(f"GlobalParameters.p{i}", "bad")
    assert Table(CHURN).decode([{"age": "x"}], "Inputs.data", ctx) is None
    assert ctx.problems.total == MAX_REPORTED_ERRORS


def test_100000_rows_decode_correctly():
    n = 100_000
    rows = [
        {
            "age": i % 90,
            "income": i * 0.5,
            "is_member": i % 3 == 0,
            "city": f"city{i % 7}",
            "signup_date": f"2024-01-{1 + i % 28:02d}T{i % 24:02d}:00:00",
        }
        for i in range(n)
    ]
    frame, problems, ctx = decode(Table(CHURN), orjson.loads(orjson.dumps(rows)))
    assert problems == [] and ctx.rows == n and len(frame) == n
    assert frame["age"].sum() == sum(i % 90 for i in range(n))
    assert frame["income"].sum() == sum(i * 0.5 for i in range(n))
    assert int(frame["is_member"].sum()) == len(range(0, n, 3))
    assert frame["city"].iloc[99_999] == "city" + str(99_999 % 7)
    assert frame["signup_date"].iloc[99_999] == pd.Timestamp(f"2024-01-{1 + 99_999 % 28:02d}T{99_999 % 24:02d}:00")


# --- declarations, samples, schemas ---------------------------------------------------------------


def test_declaration_mistakes_fail_at_once():
    with pytest.raises(ValueError, match="unknown dtype 'integer'"):
        Table({"a": "integer"})
    with pytest.raises(ValueError, match="at least one column"):
        Table({})
    with pytest.raises(ValueError, match="unknown table form 'table'"):
        Table({"a": "int64"}, orient="table")
    with pytest.raises(ValueError, match="only datetime columns take an epoch unit"):
        Column("int64", unit="s")
    with pytest.raises(ValueError, match="one of"):
        Column("datetime", unit="minutes")
    with pytest.raises(TypeError):
        Table({1: "int64"})


def test_from_sample_reads_dtypes_and_missing_values():
    sample = pd.DataFrame(
        {
            "age": pd.Series([1, 2], dtype="int64"),
            "score": pd.Series([1, None], dtype="Int16"),
            "income": [1.5, np.nan],
            "ratio": np.array([0.5, 1.0], dtype="float32"),
            "member": [True, False],
            "flag": pd.Series([True, None], dtype="boolean"),
            "city": pd.Series(["a", None], dtype=object),
            "name": ["x", "y"],
            "when": pd.to_datetime(["2024-01-01", "2024-01-02"]),
            "stamp": pd.to_datetime(["2024-01-01T10:00Z", None], utc=True).as_unit("s"),
        }
    )
    table = Table.from_sample(sample)
    assert table.columns == {
        "age": Column("int64"),
        "score": Column("int16", nullable=True),
        "income": Column("float64", nullable=True),
        "ratio": Column("float32"),
        "member": Column("bool"),
        "flag": Column("bool", nullable=True),
        "city": Column("string", nullable=True),
        "name": Column("string"),
        "when": Column("datetime"),
        "stamp": Column("datetime", nullable=True),
    }
    assert table.orient == "records" and table.default is MISSING
    example = table.example()
    assert example[0] == {
        "age": 1,
        "score": 1,
        "income": 1.5,
        "ratio": 0.5,
        "member": True,
        "flag": True,
        "city": "a",
        "name": "x",
        "when": "2024-01-01T00:00:00",
        "stamp": "2024-01-01T10:00:00Z",
    }
    frame, problems, _ = decode(table, orjson.loads(orjson.dumps(example)))
    assert problems == [] and len(frame) == 2
    assert Table.from_sample(sample, nullable_columns=False).columns["income"] == Column("float64")
    assert Table.from_sample(sample, nullable_columns=True).columns["age"] == Column("int64", nullable=True)
    assert Table.from_sample(sample, orient="split", strict_columns=True).strict_columns


def test_from_sample_refuses_columns_without_a_wire_form():
    with pytest.raises(TypeError):
        Table.from_sample(pd.DataFrame({"d": pd.array([1 + 2j, 3j])}))  # complex numbers have no wire form


@pytest.mark.parametrize("orient", ["records", "split", "classic", "columns", "values"])
def test_the_example_fits_the_schema_and_decodes(orient):
    table = Table({**CHURN, "n": Column("int8", nullable=True), "t": Column("datetime", unit="ms")}, orient=orient)
    schema = table.schema(JSON_SCHEMA)
    assert schema["format"] == f"pandas.DataFrame:{orient}"
    Draft202012Validator.check_schema(schema)
    Draft202012Validator(schema).validate(table.example())
    frame, problems, ctx = decode(table, table.example())
    assert problems == [] and ctx.forms["Inputs.data"] == orient and len(frame) == 1


def test_records_schema_describes_each_column():
    table = Table({"age": "int8", "name": Column("string", nullable=True)}, strict_columns=True)
    schema = table.schema(JSON_SCHEMA)
    assert schema["type"] == "array"
    assert schema["items"] == {
        "type": "object",
        "properties": {
            "age": {"type": "integer", "format": "int8", "minimum": -128, "maximum": 127},
            "name": {"type": ["string", "null"]},
        },
        "required": ["age", "name"],
        "additionalProperties": False,
    }
    validator = Draft202012Validator(schema)
    assert validator.is_valid([{"age": 1, "name": None}])
    assert not validator.is_valid([{"age": 300, "name": "a"}])
    assert not validator.is_valid([{"age": 1}])
    assert Table({"a": "bool"}, nullable=True).schema(JSON_SCHEMA)["type"] == ["array", "null"]


def test_power_bi_rows_fit_the_published_schema():
    Draft202012Validator(Table(CHURN).schema(JSON_SCHEMA)).validate(ROWS)


def test_describe():
    table = Table({"age": "int64", "name": Column("string", nullable=True), "t": Column("datetime", unit="s")})
    assert table.describe() == "Table[records](age: int64, name: string?, t: datetime[s])"
    assert Table({"a": "bool"}, orient="split", nullable=True).describe() == "Table[split](a: bool)?"


def test_short_and_long_datetime_columns_parse_alike():
    """Short columns take numpy's ISO parser, long ones pandas'; both give the same stamps and errors."""
    from gateway.core.decoding import DecodeContext

    values = ["2024-03-21T10:00:00", "2024-03-21", "2024-03-21T10:00", "2024-03-21T10:00:00.123456"]
    table = Table({"when": "datetime"})
    short_ctx, long_ctx = DecodeContext(), DecodeContext()
    short = table.decode([{"when": v} for v in values], "Inputs.data", short_ctx)
    long = table.decode([{"when": v} for v in values * 100], "Inputs.data", long_ctx)
    assert not short_ctx.problems and not long_ctx.problems
    assert short["when"].dtype == long["when"].dtype
    assert list(short["when"]) == list(long["when"])[:4]
    bad_ctx = DecodeContext()
    table.decode([{"when": "2024-03-21"}, {"when": "2024-13-01"}], "Inputs.data", bad_ctx)
    assert [p.path for p in bad_ctx.problems.items] == ["Inputs.data[1].when"]


def test_timedelta_columns_take_duration_strings_only():
    from gateway.core.decoding import DecodeContext

    table = Table({"td": "timedelta", "maybe": Column("timedelta", nullable=True)})
    ctx = DecodeContext()
    frame = table.decode([{"td": "P1DT2H0M0S", "maybe": None}, {"td": "1 days 02:00:00", "maybe": "00:05:00"}], "Inputs.data", ctx)
    assert not ctx.problems
    assert frame["td"].tolist() == [pd.Timedelta("1 days 02:00:00")] * 2
    assert pd.isna(frame["maybe"][0]) and frame["maybe"][1] == pd.Timedelta(minutes=5)
    bad = DecodeContext()
    table.decode([{"td": "5", "maybe": None}, {"td": 3600, "maybe": None}, {"td": None, "maybe": "soon"}], "Inputs.data", bad)
    assert [p.path for p in bad.problems.items] == [
        "Inputs.data[0].td", "Inputs.data[1].td", "Inputs.data[2].td", "Inputs.data[2].maybe"
    ]
    assert Table.from_sample(pd.DataFrame({"d": pd.to_timedelta(["1 day"])})).columns["d"].dtype == "timedelta"


def test_frames_built_from_blocks_equal_the_constructors_for_every_dtype():
    """`Table.frame` builds frames with pandas' block API where it exists (pandas ≥ 3): same frame as
    `pd.DataFrame(arrays)`, and one that a scorer can change like any other."""
    from gateway.core.decoding import DecodeContext

    table = Table({
        "i": "int64", "u": "uint8", "f": "float32", "b": "bool", "s": "string", "d": "datetime", "t": "timedelta",
        "ni": Column("int32", nullable=True), "nb": Column("bool", nullable=True), "ns": Column("string", nullable=True),
        "nd": Column("datetime", nullable=True),
    })
    rows = [
        {"i": 1, "u": 2, "f": 0.5, "b": True, "s": "a", "d": "2020-01-02T03:04:05", "t": "1 days",
         "ni": None, "nb": None, "ns": None, "nd": None},
        {"i": -1, "u": 255, "f": 1.5, "b": False, "s": "ü", "d": "2021-01-02", "t": "00:00:01",
         "ni": 7, "nb": True, "ns": "x", "nd": "2020-01-01T00:00:00"},
    ]
    for value in (rows, [], {"columns": list(rows[0]), "index": ["r1", "r2"], "data": [list(r.values()) for r in rows]}):
        parts = table.decode_parts(value, "data", DecodeContext())
        assert parts is not None
        frame = table.frame([parts])
        expected = pd.DataFrame(parts.arrays, index=pd.RangeIndex(parts.rows) if parts.index is None else pd.Index(parts.index))
        pd.testing.assert_frame_equal(frame, expected, check_exact=True)
        if len(frame):
            frame.loc[frame.index[0], "i"] = 99
            frame["extra"] = frame["i"] * 2
            assert frame["extra"].iloc[0] == 198 and frame["u"].iloc[0] == 2


def test_aware_datetimes_go_through_blocks_too():
    from gateway.core.decoding import DecodeContext

    table = Table({"d": "datetime", "n": "int64"})
    parts = table.decode_parts([{"d": "2020-01-02T03:04:05Z", "n": 1}], "data", DecodeContext())
    frame = table.frame([parts])
    assert str(frame["d"].dtype).endswith("UTC]") and frame["n"].tolist() == [1]
    pd.testing.assert_frame_equal(frame, pd.DataFrame(parts.arrays, index=pd.RangeIndex(1)))
