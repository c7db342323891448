"""The contract declaration: what it accepts at decoration time and how it binds an envelope."""

import pytest

from gateway import Json, Object, Value, contract
from gateway.core.declare import get_contract
from gateway.core.decoding import DecodeContext
from gateway.core.schema import JSON_SCHEMA
from gateway.errors import ContractError


def bind(fn, body):
    ctx = DecodeContext()
    kwargs = get_contract(fn).bind(body, ctx)
    ctx.problems.raise_if_any()
    return kwargs, ctx


def test_decorator_leaves_run_callable_directly():
    @contract(Inputs=Json())
    def run(Inputs):
        return Inputs

    assert run(5) == 5
    assert list(get_contract(run).params) == ["Inputs"]


def test_shorthand_declarations():
    @contract(Inputs={"n": int, "x": float, "flag": bool, "name": str})
    def run(Inputs):
        return Inputs

    kwargs, _ = bind(run, {"Inputs": {"n": 1, "x": 2, "flag": True, "name": "a"}})
    assert kwargs == {"Inputs": {"n": 1, "x": 2.0, "flag": True, "name": "a"}}
    assert isinstance(kwargs["Inputs"]["x"], float)


def test_mapping_form_allows_any_parameter_name():
    @contract({"results": Json(), "data": Json()})
    def run(results, data):
        return results

    assert list(get_contract(run).params) == ["results", "data"]


def test_undeclared_parameter_without_default_is_refused():
    with pytest.raises(TypeError, match="parameter 'GlobalParameters' is neither declared"):

        @contract(Inputs=Json())
        def run(Inputs, GlobalParameters):
            return Inputs


def test_declared_name_missing_from_run_is_refused():
    with pytest.raises(TypeError, match="has no keyword parameter 'Inputs'"):

        @contract(Inputs=Json())
        def run(data):
            return data


def test_request_headers_cannot_be_declared():
    with pytest.raises(TypeError, match="filled by the gateway"):

        @contract(request_headers=Json())
        def run(request_headers):
            return request_headers


def test_unknown_shorthand_is_refused():
    with pytest.raises(TypeError, match="cannot declare a parameter"):
        contract(Inputs=list)


def test_kwargs_catch_all_accepts_any_declared_name():
    @contract(Inputs=Json(), Other=Json(default=None))
    def run(**params):
        return params

    kwargs, _ = bind(run, {"Inputs": 1})
    assert kwargs == {"Inputs": 1, "Other": None}


def test_python_default_makes_a_parameter_optional_and_is_passed_unconverted():
    sentinel = {"method": "predict"}

    @contract(Inputs=Json(), GlobalParameters={"method": Value(str)})
    def run(Inputs, GlobalParameters=sentinel):
        return Inputs

    contract_ = get_contract(run)
    assert not contract_.params["GlobalParameters"].required
    kwargs, _ = bind(run, {"Inputs": 1})
    assert kwargs["GlobalParameters"] is sentinel


def test_object_of_optional_members_is_optional_and_filled_with_defaults():
    @contract(Inputs=Json(), GlobalParameters={"method": Value(str, default="predict"), "k": Value(int, default=3)})
    def run(Inputs, GlobalParameters):
        return Inputs

    kwargs, _ = bind(run, {"Inputs": 1})
    assert kwargs["GlobalParameters"] == {"method": "predict", "k": 3}


def test_all_problems_are_reported_together_with_paths():
    @contract(Inputs={"a": int, "b": Value(str, enum=["x", "y"])}, GlobalParameters={"k": int})
    def run(Inputs, GlobalParameters):
        return Inputs

    with pytest.raises(ContractError) as info:
        bind(run, {"Inputs": {"a": 1.5, "b": "z", "A": 1}, "globalparameters": {}})
    paths = [p.path for p in info.value.problems]
    assert paths == ["globalparameters", "Inputs.a", "Inputs.b"]
    errors = {p.path: p.error for p in info.value.problems}
    assert errors["Inputs.a"] == "expected integer, got 1.5"
    assert errors["Inputs.b"] == 'expected one of "x", "y", got "z"'
    assert "did you mean 'GlobalParameters'" in errors["globalparameters"]
    assert info.value.status == 400
    assert "(and 2 more errors)" in info.value.message


def test_unknown_keys_are_recorded_as_ignored():
    @contract(Inputs={"a": int})
    def run(Inputs):
        return Inputs

    _, ctx = bind(run, {"Inputs": {"a": 1, "zzz": 2}, "Other": 1})
    assert ctx.ignored == ["Other", "Inputs.zzz"]


def test_describe_summarises_the_contract():
    @contract(Inputs={"a": int}, GlobalParameters={"m": Value(str, default="p", enum=["p", "q"])})
    def run(Inputs, GlobalParameters):
        return Inputs

    assert get_contract(run).describe() == "Inputs: {a: int}, GlobalParameters?: {m: str{p,q}}"


def test_object_json_schema_lists_required_members():
    spec = Object({"a": int, "b": Value(str, default="x", nullable=True)})
    assert spec.schema(JSON_SCHEMA) == {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": ["string", "null"], "default": "x"}},
        "required": ["a"],
    }


def test_from_sample_builds_each_kind_of_spec():
    import numpy as np
    import pandas as pd

    from gateway import Array, List, Table, from_sample

    spec = from_sample(
        {
            "frame": pd.DataFrame({"age": [1, 2], "name": ["a", None]}),
            "matrix": np.zeros((2, 3), dtype="float32"),
            "ids": [1, 2],
            "threshold": 0.5,
            "flag": True,
        }
    )
    assert isinstance(spec, Object)
    frame, matrix, ids = spec.members["frame"], spec.members["matrix"], spec.members["ids"]
    assert isinstance(frame, Table) and frame.columns["age"].dtype == "int64" and frame.columns["name"].nullable
    assert isinstance(matrix, Array) and matrix.dtype == "float32" and matrix.shape == (None, 3)
    assert isinstance(ids, List) and ids.items.type is int
    assert spec.members["threshold"].type is float and spec.members["flag"].type is bool
    with pytest.raises(TypeError):
        from_sample(object())
