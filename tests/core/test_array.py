"""gateway.core.array: nested JSON lists → ndarrays of the declared dtype and shape, strictly, with paths."""

from __future__ import annotations

import math

import numpy as np
import orjson
import pytest
from jsonschema import Draft202012Validator

from gateway.core.array import Array
from gateway.core.decoding import DecodeContext
from gateway.core.dtypes import DATETIME_UNIT
from gateway.core.schema import JSON_SCHEMA
from gateway.errors import MAX_REPORTED_ERRORS


def decode(spec: Array, value, path: str = "Inputs.x"):
    ctx = DecodeContext()
    out = spec.decode(value, path, ctx)
    return out, [(p.path, p.error) for p in ctx.problems.items]


def test_rows_of_three_floats():
    ctx = DecodeContext()
    out = Array("float64", (None, 3)).decode([[1, 2, 3], [4, 5, 6.5]], "Inputs.x", ctx)
    assert not ctx.problems and ctx.rows == 2
    assert out.dtype == np.float64 and out.shape == (2, 3)
    assert out.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.5]]


def test_the_free_dimension_takes_any_size_including_zero():
    spec = Array("float64", (None, 3))
    assert decode(spec, [[1, 2, 3]] * 4)[0].shape == (4, 3)
    out, problems = decode(spec, [])
    assert problems == [] and out.shape == (0, 3) and out.dtype == np.float64


@pytest.mark.parametrize(
    ("dtype", "value", "expected_dtype"),
    [
        ("int64", [[1, -2], [3, 2**62]], np.int64),
        ("int8", [[-128, 127]], np.int8),
        ("uint64", [[2**64 - 1, 0]], np.uint64),
        ("float32", [[0.5, 1]], np.float32),
        ("bool", [[True, False]], np.bool_),
        ("string", [["a", "b"]], np.object_),
    ],
)
def test_each_dtype(dtype, value, expected_dtype):
    out, problems = decode(Array(dtype, (None, 2)), value)
    assert problems == [] and out.dtype == expected_dtype and out.tolist() == value


def test_datetimes_are_naive_datetime64_with_aware_values_in_utc():
    out, problems = decode(Array("datetime"), ["2024-03-21T10:00:00+01:00", "2024-03-22T00:00:00Z"])
    assert problems == [] and out.dtype == np.dtype(f"datetime64[{DATETIME_UNIT}]")
    assert out.tolist() == np.array(["2024-03-21T09:00", "2024-03-22T00:00"], dtype=out.dtype).tolist()
    out, problems = decode(Array("datetime", (None, 2)), [["2024-03-21", "2024-03-21T10:00:00"]])
    assert problems == [] and out.shape == (1, 2)


@pytest.mark.parametrize(
    ("spec", "value", "problems"),
    [
        (
            Array("float64", (None, 3)),
            [[1, 2, 3], [4, 5]],
            [("Inputs.x[1]", "expected 3 elements (dimension 2 has size 3), got 2")],
        ),
        (Array("float64", (2, 3)), [[1, 2, 3]], [("Inputs.x", "expected 2 elements (dimension 1 has size 2), got 1")]),
        (
            Array("float64", (None, 3)),
            [1, 2, 3],
            [("Inputs.x", "expected an array of shape (*, 3), got 1 dimension(s)")],
        ),
        (
            Array("float64", (None, 3)),
            [[1, 2, 3], 4],
            [("Inputs.x[1]", "expected an array (dimension 2 of 2), got 4")],
        ),
        (
            Array("float64", (None,)),
            [[1, 2], [3, 4]],
            [("Inputs.x", "expected an array of shape (*,), got more than 1 dimension(s)")],
        ),
        (
            Array("float64", (None, 2)),
            [[1, 2], [3, [4]]],
            [("Inputs.x[1][1]", "expected a number (float64), got an array (the array has 2 dimensions)")],
        ),
        (
            Array("int64", (None, None)),
            [[1, 2], [3, 4, 5]],
            [("Inputs.x[1]", "expected 2 elements, as Inputs.x[0] has (arrays must not be ragged), got 3")],
        ),
        (
            Array("int8", (None, 2, 2)),
            [[[1, 2], [3, 4]], [[5, 6], [7]]],
            [("Inputs.x[1][1]", "expected 2 elements (dimension 3 has size 2), got 1")],
        ),
        (Array("float64", (None, 3)), {"a": 1}, [("Inputs.x", "expected an array of shape (*, 3), got an object")]),
        (Array("float64"), None, [("Inputs.x", "expected an array of shape (*,), got null")]),
    ],
)
def test_wrong_rank_or_size_is_reported_with_its_path(spec, value, problems):
    out, found = decode(spec, value)
    assert out is None and found == problems


@pytest.mark.parametrize(
    ("dtype", "bad", "error"),
    [
        ("int64", 1.0, "expected an integer (int64), got 1.0"),
        ("int64", True, "expected an integer (int64), got true"),
        ("int64", "1", 'expected an integer (int64), got "1"'),
        ("uint8", 256, "256 is out of range for uint8 (0 to 255)"),
        ("float64", "1.5", 'expected a number (float64), got "1.5"'),
        ("float64", True, "expected a number (float64), got true"),
        ("float64", None, "null is not allowed (the array's elements are not nullable)"),
        ("bool", 1, "expected a boolean, got 1"),
        ("string", 5, "expected a string, got 5"),
        ("datetime", "soon", 'expected an ISO-8601 date-time string (like 2024-03-21T10:00:00), got "soon"'),
    ],
)
def test_elements_follow_the_column_rules(dtype, bad, error):
    good = {"int64": 1, "uint8": 1, "float64": 1.5, "bool": True, "string": "a", "datetime": "2024-01-01"}[dtype]
    out, problems = decode(Array(dtype, (None, 2)), [[good, good], [good, bad]])
    assert out is None and problems == [("Inputs.x[1][1]", error)]


def test_nullable_float_string_and_datetime_elements():
    out, problems = decode(Array("float64", (None, 2), nullable=True), [[1, None]])
    assert problems == [] and math.isnan(out[0, 1])
    out, problems = decode(Array("string", nullable=True), ["a", None])
    assert problems == [] and out.tolist() == ["a", None]
    out, problems = decode(Array("datetime", nullable=True), [None, "2024-01-01"])
    assert problems == [] and np.isnat(out[0]) and not np.isnat(out[1])


@pytest.mark.parametrize("dtype", ["int64", "uint8", "bool"])
def test_nullable_int_and_bool_arrays_are_refused_at_declaration(dtype):
    with pytest.raises(TypeError, match="cannot hold null"):
        Array(dtype, nullable=True)


def test_bad_shapes_are_refused_at_declaration():
    for shape in [(), (-1,), (None, 2.5)]:
        with pytest.raises(ValueError):
            Array("float64", shape)
    with pytest.raises(ValueError):
        Array("complex", (None,))


def test_at_most_20_problems_are_reported():
    out, problems = decode(Array("int64", (None, 2)), [["a", "b"]] * 50)
    assert out is None and len(problems) == MAX_REPORTED_ERRORS
    assert problems[:3] == [
        ("Inputs.x[0][0]", 'expected an integer (int64), got "a"'),
        ("Inputs.x[0][1]", 'expected an integer (int64), got "b"'),
        ("Inputs.x[1][0]", 'expected an integer (int64), got "a"'),
    ]


def test_a_large_array():
    value = orjson.loads(orjson.dumps([[i, i * 0.5, -i] for i in range(100_000)]))
    out, problems = decode(Array("float64", (None, 3)), value)
    assert problems == [] and out.shape == (100_000, 3) and out[99_999, 1] == 49_999.5


def test_from_sample():
    spec = Array.from_sample(np.zeros((5, 4), dtype=np.float32))
    assert (spec.dtype, spec.shape, spec.nullable_elements) == ("float32", (None, 4), False)
    assert spec.example() == [[0.0] * 4, [0.0] * 4]
    assert Array.from_sample(np.array([1.0, np.nan])).nullable_elements
    assert Array.from_sample(np.array([[1, 2]], dtype=np.uint8)).describe() == "Array[uint8](*, 2)"
    assert Array.from_sample(np.array(["a", "b"])).dtype == "string"
    dates = Array.from_sample(np.array(["2024-01-01T10:00", "NaT"], dtype="datetime64[s]"))
    assert dates.dtype == "datetime" and dates.nullable_elements
    assert dates.example() == ["2024-01-01T10:00:00", None]
    with pytest.raises(ValueError):
        Array.from_sample(np.float64(1.0))


@pytest.mark.parametrize(
    "spec",
    [Array("float64", (None, 3)), Array("int8", (2, None, 2)), Array("datetime", nullable=True), Array("string")],
)
def test_example_fits_schema_and_decodes(spec):
    schema = spec.schema(JSON_SCHEMA)
    assert schema["format"] == "numpy.ndarray"
    Draft202012Validator.check_schema(schema)
    Draft202012Validator(schema).validate(spec.example())
    out, problems = decode(spec, spec.example())
    assert problems == [] and isinstance(out, np.ndarray)


def test_schema_of_a_fixed_dimension():
    assert Array("int8", (None, 2)).schema(JSON_SCHEMA) == {
        "type": "array",
        "items": {
            "type": "array",
            "items": {"type": "integer", "format": "int8", "minimum": -128, "maximum": 127},
            "minItems": 2,
            "maxItems": 2,
        },
        "format": "numpy.ndarray",
    }
    assert Array("float64", nullable=True).schema(JSON_SCHEMA)["items"] == {"type": ["number", "null"], "format": "double"}


def test_the_array_itself_is_never_null():
    assert Array("float64", nullable=True).nullable is False
    assert Array("float64", nullable=True).describe() == "Array[float64?](*,)"
