"""Table and array wire dtypes: one explicit table from wire name to numpy/pandas dtype, and back.

A contract names each column's dtype with a short wire name (`int64`, `float32`, `bool`, `string`,
`datetime`, ...). This module is the only place that knows which numpy or pandas dtype a name decodes
to (with and without nulls), which JSON Schema type/format it publishes, which Python type a JSON
cell of it is, how Power Query types and names it, and how a sample DataFrame's dtypes map back to
names. `VALUE_TYPES` holds the same facts for the scalar `Value` types (int, float, bool, str). Version-dependent choices live here too, each in one constant:

* `STRING_DTYPE`: pandas 3 gives text columns the default `str` dtype (`StringDtype(na_value=nan)`);
  pandas 2.x keeps them as `object`.
* `DATETIME_UNIT`: the resolution of decoded datetimes, `us` under pandas 3 (its default for parsed
  strings, good for year 1 to 9999) and `ns` under pandas 2.x (its default).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np
import pandas as pd

__all__ = (
    "PANDAS_MAJOR",
    "STRING_DTYPE",
    "DATETIME_UNIT",
    "EPOCH_UNITS",
    "ISO_DATETIME_PATTERN",
    "WireDtype",
    "WIRE_DTYPES",
    "ValueType",
    "VALUE_TYPES",
    "NUMPY_TO_WIRE",
    "wire_dtype",
    "pandas_dtype",
    "datetime_dtype",
    "json_schema",
    "wire_name_of",
)

PANDAS_MAJOR = int(pd.__version__.split(".", 1)[0])

STRING_DTYPE: Any = pd.StringDtype(na_value=np.nan) if PANDAS_MAJOR >= 3 else np.dtype(object)
DATETIME_UNIT = "us" if PANDAS_MAJOR >= 3 else "ns"
EPOCH_UNITS = ("s", "ms", "us", "ns")

# What the published schemas accept for a datetime string: ISO-8601 date, or date and time with an
# optional zone. Power Query writes naive `2024-03-21T10:00:00`, which the strict `date-time` format
# (RFC 3339) rejects; this pattern states what the gateway really accepts.
ISO_DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}(:\d{2}(:\d{2}(\.\d+)?)?)?(Z|z|[+-]\d{2}(:?\d{2})?)?)?$"


@dataclass(frozen=True, slots=True)
class WireDtype:
    """One wire dtype: its numpy storage, its nullable pandas dtype and its JSON Schema."""

    name: str
    kind: str  # "int", "uint", "float", "bool", "string" or "datetime"
    numpy: np.dtype[Any]  # what a non-nullable column (or an array) holds
    nullable: Any  # the pandas dtype of a nullable column
    schema: Mapping[str, Any]  # JSON Schema of one non-null cell
    expected: str  # how an error message names it: "an integer (int64)"
    classic: str  # the Studio (classic) ColumnTypes name
    example: Any  # a cell for published examples
    cell: Any  # the Python type of one JSON cell (what the msgspec fast path checks)
    m_type: str  # the Power Query type of a result column of this dtype
    m_words: str  # how Power Query's own UI names the column type, for the function's documentation

    @property
    def bounds(self) -> tuple[int, int]:
        """The inclusive range of an integer dtype."""
        return _BOUNDS[self.numpy]


_BOUNDS = {np.dtype(t): (int(np.iinfo(t).min), int(np.iinfo(t).max)) for t in np.typecodes["AllInteger"]}


def _int(name: str, classic: str) -> WireDtype:
    info = np.iinfo(name)
    unsigned = name.startswith("u")
    return WireDtype(
        name=name,
        kind="uint" if unsigned else "int",
        numpy=np.dtype(name),
        nullable=pd.api.types.pandas_dtype("UInt" + name[4:] if unsigned else "Int" + name[3:]),
        schema=MappingProxyType(
            {"type": "integer", "format": name, "minimum": int(info.min), "maximum": int(info.max)}
        ),
        expected=f"an integer ({name})",
        classic=classic,
        example=1,
        cell=int,
        m_type="Int64.Type",
        m_words="whole number",
    )


def _float(name: str, schema_format: str) -> WireDtype:
    return WireDtype(
        name=name,
        kind="float",
        numpy=np.dtype(name),
        nullable=np.dtype(name),  # NaN
        schema=MappingProxyType({"type": "number", "format": schema_format}),
        expected=f"a number ({name})",
        classic="Double",
        example=1.5,
        cell=float,
        m_type="type number",
        m_words="number",
    )


_DATETIME = np.dtype(f"datetime64[{DATETIME_UNIT}]")
_TIMEDELTA = np.dtype(f"timedelta64[{DATETIME_UNIT}]")

WIRE_DTYPES: Mapping[str, WireDtype] = MappingProxyType(
    {
        "int8": _int("int8", "Int32"),
        "int16": _int("int16", "Int32"),
        "int32": _int("int32", "Int32"),
        "int64": _int("int64", "Int64"),
        "uint8": _int("uint8", "Int32"),
        "uint16": _int("uint16", "Int32"),
        "uint32": _int("uint32", "Int64"),
        "uint64": _int("uint64", "Int64"),
        "float32": _float("float32", "float"),
        "float64": _float("float64", "double"),
        "bool": WireDtype(
            name="bool",
            kind="bool",
            numpy=np.dtype(bool),
            nullable=pd.BooleanDtype(),
            schema=MappingProxyType({"type": "boolean"}),
            expected="a boolean",
            classic="Boolean",
            example=True,
            cell=bool,
            m_type="type logical",
            m_words="true/false",
        ),
        "string": WireDtype(
            name="string",
            kind="string",
            numpy=np.dtype(object),  # arrays of str; table columns use STRING_DTYPE
            nullable=STRING_DTYPE,
            schema=MappingProxyType({"type": "string"}),
            expected="a string",
            classic="String",
            example="text",
            cell=str,
            m_type="type text",
            m_words="text",
        ),
        "datetime": WireDtype(
            name="datetime",
            kind="datetime",
            numpy=_DATETIME,
            nullable=_DATETIME,  # NaT
            schema=MappingProxyType({"type": "string", "format": "date-time", "pattern": ISO_DATETIME_PATTERN}),
            expected="an ISO-8601 date-time string",
            classic="DateTime",
            example="2024-03-21T10:00:00",
            cell=str,
            m_type="type text",  # results stay ISO-8601 text
            m_words="date/time",
        ),
        "timedelta": WireDtype(
            name="timedelta",
            kind="timedelta",
            numpy=_TIMEDELTA,
            nullable=_TIMEDELTA,  # NaT
            schema=MappingProxyType({"type": "string", "format": "timedelta"}),
            expected="a duration (ISO-8601 like \"P1DT2H\" or \"1 days 02:00:00\")",
            classic="TimeSpan",
            example="P1DT2H0M0S",
            cell=str,
            m_type="type text",  # results stay ISO-8601 duration text
            m_words="duration",
        ),
    }
)

@dataclass(frozen=True, slots=True)
class ValueType:
    """One scalar `Value` type's facts: its JSON Schema type, its OpenAPI format, its Power Query types."""

    json: str  # JSON Schema type
    noun: str  # how an error message names it
    openapi_format: str | None
    m_type: str  # a Power Query parameter's type
    m_result: str  # a Power Query result column's type
    example: Any


VALUE_TYPES: Mapping[type, ValueType] = MappingProxyType(
    {
        int: ValueType("integer", "integer", "int64", "number", "Int64.Type", 1),
        float: ValueType("number", "number", "double", "number", "type number", 1.0),
        bool: ValueType("boolean", "boolean", None, "logical", "type logical", True),
        str: ValueType("string", "string", None, "text", "type text", "string"),
    }
)

# The inverse table for samples: a numpy dtype's `.name` → wire name. Types without an exact
# counterpart map to the nearest wider one.
NUMPY_TO_WIRE: Mapping[str, str] = MappingProxyType(
    {
        **{w.name: w.name for w in WIRE_DTYPES.values() if w.kind in ("int", "uint", "float", "bool")},
        "float16": "float32",
    }
)


def wire_dtype(name: str) -> WireDtype:
    """The wire dtype called `name`; a ValueError lists the valid names."""
    try:
        return WIRE_DTYPES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown dtype {name!r}; use one of: {', '.join(WIRE_DTYPES)}") from None


def pandas_dtype(name: str, *, nullable: bool = False) -> Any:
    """The dtype of a decoded table column (naive datetimes; zone-aware ones are `datetime_dtype(True)`)."""
    wire = wire_dtype(name)
    if wire.kind == "string":
        return STRING_DTYPE
    return wire.nullable if nullable else wire.numpy


def datetime_dtype(aware: bool) -> Any:
    """Naive `datetime64[unit]` or UTC `datetime64[unit, UTC]` at `DATETIME_UNIT`."""
    return pd.DatetimeTZDtype(unit=DATETIME_UNIT, tz="UTC") if aware else _DATETIME


def json_schema(name: str, *, nullable: bool = False, unit: str | None = None) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one cell; `unit` lets datetimes be epoch numbers too.

    Datetimes carry the `date-time` format beside the pattern that also admits Power Query's naive form:
    in draft 2020-12 `format` annotates (it asserts nothing unless a validator is told to), so schema-driven
    generators produce datetimes, while the pattern states what the gateway really accepts.
    """
    schema = dict(wire_dtype(name).schema)
    types: list[str] = [schema["type"]]
    if unit is not None:
        types.append("number")
        schema["description"] = f"an ISO-8601 date-time, or a number of {unit} since 1970-01-01T00:00:00Z"
    if nullable:
        types.append("null")
    schema["type"] = types[0] if len(types) == 1 else types
    return schema


def wire_name_of(dtype: Any, values: Any = None) -> tuple[str, bool]:
    """The wire name for a pandas/numpy dtype, and whether that dtype is a pandas nullable one.

    `values` (the sample column) settles `object` columns: text → `string`, Python datetimes →
    `datetime`, booleans → `bool`. A TypeError names dtypes with no wire form.
    """
    if isinstance(dtype, pd.CategoricalDtype):
        return wire_name_of(dtype.categories.dtype, dtype.categories)
    if isinstance(dtype, pd.DatetimeTZDtype):
        return "datetime", False
    if isinstance(dtype, pd.StringDtype):
        return "string", dtype.na_value is pd.NA
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "iufb":
        numpy = np.dtype(getattr(dtype, "numpy_dtype", dtype.kind))
        return NUMPY_TO_WIRE[numpy.name], True
    np_dtype = np.dtype(dtype)
    if np_dtype.name in NUMPY_TO_WIRE:
        return NUMPY_TO_WIRE[np_dtype.name], False
    if np_dtype.kind == "M":
        return "datetime", False
    if np_dtype.kind == "m":
        return "timedelta", False
    if np_dtype.kind == "U":
        return "string", False
    if np_dtype.kind == "O" and values is not None:
        inferred = pd.api.types.infer_dtype(values, skipna=True)
        wire = {
            "string": "string",
            "empty": "string",
            "boolean": "bool",
            "integer": "int64",
            "floating": "float64",
            "mixed-integer-float": "float64",
            "datetime": "datetime",
            "datetime64": "datetime",
            "date": "datetime",
            "timedelta": "timedelta",
            "timedelta64": "timedelta",
        }.get(inferred)
        if wire is not None:
            return wire, False
        raise TypeError(f"cannot declare a column of Python objects ({inferred}); convert it to a typed dtype")
    raise TypeError(f"dtype {dtype} has no wire form; use one of: {', '.join(WIRE_DTYPES)}")
