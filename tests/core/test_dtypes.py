"""gateway.core.dtypes: the wire dtype table, its inverse, JSON Schemas, and the version-dependent choices."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from jsonschema import Draft202012Validator

from gateway.core import dtypes
from gateway.core.dtypes import (
    DATETIME_UNIT,
    ISO_DATETIME_PATTERN,
    STRING_DTYPE,
    WIRE_DTYPES,
    json_schema,
    pandas_dtype,
    wire_dtype,
    wire_name_of,
)

PANDAS_3 = int(pd.__version__.split(".")[0]) >= 3

INTS = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]


def test_every_module_declares_all():
    assert set(dtypes.__all__) <= set(dir(dtypes))


def test_the_table_has_exactly_the_wire_names():
    assert list(WIRE_DTYPES) == [*INTS, "float32", "float64", "bool", "string", "datetime", "timedelta"]


@pytest.mark.parametrize("name", INTS)
def test_int_dtypes(name):
    assert pandas_dtype(name) == np.dtype(name)
    nullable = pandas_dtype(name, nullable=True)
    assert isinstance(nullable, pd.api.extensions.ExtensionDtype)
    assert nullable.name == name.replace("uint", "UInt").replace("int", "Int")
    info = np.iinfo(name)
    assert wire_dtype(name).bounds == (int(info.min), int(info.max))
    assert json_schema(name) == {"type": "integer", "format": name, "minimum": int(info.min), "maximum": int(info.max)}


@pytest.mark.parametrize(("name", "fmt"), [("float32", "float"), ("float64", "double")])
def test_float_dtypes_are_nan_when_nullable(name, fmt):
    assert pandas_dtype(name) == np.dtype(name)
    assert pandas_dtype(name, nullable=True) == np.dtype(name)
    assert json_schema(name) == {"type": "number", "format": fmt}
    assert json_schema(name, nullable=True) == {"type": ["number", "null"], "format": fmt}


def test_bool_dtype():
    assert pandas_dtype("bool") == np.dtype(bool)
    assert pandas_dtype("bool", nullable=True) == pd.BooleanDtype()
    assert json_schema("bool") == {"type": "boolean"}


def test_string_dtype_is_the_pandas_default_text_dtype():
    if PANDAS_3:
        assert STRING_DTYPE == pd.StringDtype(na_value=np.nan)
        assert STRING_DTYPE == pd.Series(["a"]).dtype
    else:
        assert STRING_DTYPE == np.dtype(object)
        assert pd.Series(["a"]).dtype == np.dtype(object)
    assert pandas_dtype("string") == pandas_dtype("string", nullable=True) == STRING_DTYPE
    assert json_schema("string") == {"type": "string"}


def test_datetime_dtype_and_unit():
    assert DATETIME_UNIT == ("us" if PANDAS_3 else "ns")
    assert pandas_dtype("datetime") == np.dtype(f"datetime64[{DATETIME_UNIT}]")
    assert dtypes.datetime_dtype(True) == pd.DatetimeTZDtype(unit=DATETIME_UNIT, tz="UTC")
    schema = json_schema("datetime")
    assert schema["type"] == "string" and schema["pattern"] == dtypes.ISO_DATETIME_PATTERN
    assert schema["format"] == "date-time"  # an annotation in draft 2020-12: generators make datetimes
    assert json_schema("datetime", unit="ms", nullable=True)["type"] == ["string", "number", "null"]


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-21",
        "2024-03-21T10:00:00",
        "2024-03-21T10:00",
        "2024-03-21 10:00:00.123456",
        "2024-03-21T10:00:00Z",
        "2024-03-21T10:00:00+01:00",
        "2024-03-21T10:00:00-0500",
    ],
)
def test_the_published_pattern_accepts_power_query_and_zoned_datetimes(text):
    assert re.match(ISO_DATETIME_PATTERN, text)
    Draft202012Validator(json_schema("datetime")).validate(text)


@pytest.mark.parametrize("text", ["now", "21/03/2024", "2024-3-21", "1711015200", "2024-03-21T10:00:00 UTC"])
def test_the_published_pattern_rejects_what_the_gateway_rejects(text):
    assert not Draft202012Validator(json_schema("datetime")).is_valid(text)


def test_unknown_wire_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown dtype 'int'; use one of: int8, int16"):
        wire_dtype("int")


@pytest.mark.parametrize(
    ("dtype", "values", "expected"),
    [
        *[(np.dtype(n), None, (n, False)) for n in INTS],
        (np.dtype("float16"), None, ("float32", False)),
        (np.dtype("float32"), None, ("float32", False)),
        (np.dtype("float64"), None, ("float64", False)),
        (np.dtype(bool), None, ("bool", False)),
        (pd.Int64Dtype(), None, ("int64", True)),
        (pd.UInt8Dtype(), None, ("uint8", True)),
        (pd.Float64Dtype(), None, ("float64", True)),
        (pd.BooleanDtype(), None, ("bool", True)),
        (pd.StringDtype(), None, ("string", True)),
        *([(pd.StringDtype(na_value=np.nan), None, ("string", False))] if PANDAS_3 else []),
        (np.dtype("datetime64[ns]"), None, ("datetime", False)),
        (np.dtype("datetime64[s]"), None, ("datetime", False)),
        (pd.DatetimeTZDtype("ns", "Europe/Paris"), None, ("datetime", False)),
        (np.dtype("<U5"), None, ("string", False)),
        (np.dtype(object), pd.Series(["a", None], dtype=object), ("string", False)),
        (np.dtype(object), pd.Series([True, None], dtype=object), ("bool", False)),
        (pd.CategoricalDtype(["a", "b"]), None, ("string", False)),
    ],
)
def test_wire_name_of_a_sample_dtype(dtype, values, expected):
    assert wire_name_of(dtype, values) == expected


@pytest.mark.parametrize(
    ("dtype", "values"),
    [
        (np.dtype("complex64"), None),
        (np.dtype("complex128"), None),
        (np.dtype(object), pd.Series([{"a": 1}, [1]], dtype=object)),
    ],
)
def test_dtypes_without_a_wire_form_are_refused(dtype, values):
    with pytest.raises(TypeError):
        wire_name_of(dtype, values)
