"""Value, Json, Object and List specs decoding JSON values strictly, with paths."""

import pytest

from gateway import Json, List, Object, Value
from gateway.core.decoding import DecodeContext


def decode(spec, value, path="GlobalParameters.k"):
    ctx = DecodeContext()
    out = spec.decode(value, path, ctx)
    return out, [(p.path, p.error) for p in ctx.problems.items]


@pytest.mark.parametrize(
    "spec, good, bad, error",
    [
        (Value(int), 3, 3.0, "expected integer, got 3.0"),
        (Value(int), -7, True, "expected integer, got true"),
        (Value(int), 0, "3", 'expected integer, got "3"'),
        (Value(float), 2.5, "2.5", 'expected number, got "2.5"'),
        (Value(float), 2, False, "expected number, got false"),
        (Value(bool), True, 1, "expected boolean, got 1"),
        (Value(bool), False, "false", 'expected boolean, got "false"'),
        (Value(str), "x", 1, "expected string, got 1"),
        (Value(str), "", None, "expected string, got null"),
        (Value(str, enum=["a", "b"]), "b", "c", 'expected one of "a", "b", got "c"'),
    ],
)
def test_value_accepts_only_its_type(spec, good, bad, error):
    assert decode(spec, good) == (good, [])
    assert decode(spec, bad)[1] == [("GlobalParameters.k", error)]


def test_float_value_turns_integers_into_floats():
    out, problems = decode(Value(float), 2)
    assert out == 2.0 and isinstance(out, float) and problems == []


def test_nullable_value_accepts_null():
    assert decode(Value(int, nullable=True), None) == (None, [])


def test_value_default_and_enum_are_checked_at_declaration():
    with pytest.raises(TypeError):
        Value(int, default="x")
    with pytest.raises(TypeError):
        Value(str, enum=["a", 1])
    with pytest.raises(TypeError):
        Value(list)


def test_value_from_sample():
    assert Value.from_sample(0.5).type is float
    assert Value.from_sample(True).type is bool
    assert Value.from_sample("predict").example() == "predict"


def test_json_passes_anything():
    assert decode(Json(), {"deep": [1, None]}) == ({"deep": [1, None]}, [])


def test_object_requires_an_object():
    assert decode(Object({"a": int}), [1], "Inputs")[1] == [("Inputs", "expected an object, got an array")]


def test_nested_case_mistake_says_key_not_parameter():
    _, problems = decode(Object({"data": Json()}), {"Data": []}, "Inputs")
    assert problems == [("Inputs.Data", "'Data' is not a key; keys are case-sensitive: did you mean 'data'?")]


def test_nested_missing_key():
    _, problems = decode(Object({"data": Json()}), {}, "Inputs")
    assert problems == [("Inputs.data", "required key 'data' is missing")]


def test_list_paths_index_each_element():
    out, problems = decode(List(int), [1, "2", 3, None], "Inputs.ids")
    assert problems == [("Inputs.ids[1]", 'expected integer, got "2"'), ("Inputs.ids[3]", "expected integer, got null")]


def test_odd_keys_are_quoted_in_paths():
    _, problems = decode(Object({"my col": int}), {"my col": "x"}, "Inputs")
    assert problems == [('Inputs["my col"]', 'expected integer, got "x"')]


def test_error_count_is_capped_at_20_but_counted():
    ctx = DecodeContext()
    List(int).decode(["x"] * 50, "Inputs.ids", ctx)
    assert len(ctx.problems.items) == 20
    assert ctx.problems.total == 50
