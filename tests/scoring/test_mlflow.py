"""MLflow's scoring protocol and Azure ML's `input_data` request translated into a scorer's envelope, without
a server (README 'MLflow clients and CSV')."""

from __future__ import annotations

import json

import orjson
import pandas as pd
import pytest

from gateway import Column, Json, Scorer, Table, Value, contract
from gateway.errors import (
    ContractError,
    EnvelopeError,
    ScoringTimeout,
    TooBusy,
    UnsupportedMediaType,
)
from gateway.scoring.arguments import Incoming, arguments
from gateway.scoring.mlflow import MLFLOW, error_code, predictions

CHURN = Table({"age": "int64", "income": "float64", "city": Column("string", nullable=True)})


@contract(Inputs={"data": CHURN}, GlobalParameters={"method": Value(str, default="predict", enum=["predict", "proba"])})
def churn(Inputs, GlobalParameters):
    return {"Results": len(Inputs["data"])}


@contract(data=Table({"x": "float64"}), threshold=Value(float, default=0.5))
def top_level(data, threshold):
    return list(data["x"] > threshold)


def bind(run, body, content_type="application/json", protocol=None):
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    incoming = Incoming("POST", raw, content_type=content_type)
    incoming.protocol = protocol
    kwargs, ctx = arguments(Scorer.from_function("default", run), incoming)
    return kwargs


def invoke(run, body, content_type="application/json"):
    return bind(run, body, content_type, protocol=MLFLOW)


def problems(run, body, **options) -> list[str]:
    with pytest.raises(ContractError) as caught:
        invoke(run, body, **options)
    return [str(problem) for problem in caught.value.problems]


# --- Azure ML's input_data on the score routes ------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        {"columns": ["age", "income", "city"], "index": [0], "data": [[1, 2.0, "x"]]},
        [{"age": 1, "income": 2.0, "city": "x"}],
        [[1, 2.0, "x"]],  # rows in the declared column order
        {"age": [1], "income": [2.0], "city": ["x"]},  # named columns
    ],
)
def test_every_form_of_input_data_fills_the_table(value):
    data = bind(churn, {"input_data": value})["Inputs"]["data"]
    assert data.to_dict("records") == [{"age": 1, "income": 2.0, "city": "x"}]


def test_split_form_with_index_and_params():
    body = {"input_data": {"columns": ["age", "income", "city"], "index": [3], "data": [[1, 2.0, "x"]]}}
    assert bind(churn, body)["Inputs"]["data"].index.tolist() == [3]
    kwargs = bind(churn, {"input_data": [[1, 2.0, "x"]], "params": {"method": "proba"}})
    assert kwargs["GlobalParameters"] == {"method": "proba"}
    kwargs = bind(top_level, {"input_data": [1.0, 0.2], "params": {"threshold": 0.1}})  # one column: single values
    assert kwargs["threshold"] == 0.1 and kwargs["data"]["x"].tolist() == [1.0, 0.2]


def test_input_data_problems_keep_the_paths_of_the_body_sent():
    with pytest.raises(ContractError) as caught:
        bind(churn, {"input_data": [[1, "x", "x"]]})
    assert caught.value.message == "input_data[0][1]: expected a number (float64), got \"x\" (column 'income')"
    with pytest.raises(ContractError) as caught:
        bind(churn, {"input_data": [], "params": {"method": "x"}})
    assert caught.value.message == 'params.method: expected one of "predict", "proba", got "x"'
    with pytest.raises(EnvelopeError) as caught:
        bind(churn, {"input_data": [1, 2]})
    assert caught.value.message.startswith("input_data: a list of single values fills a table of one column")


def test_input_data_for_a_scorer_without_exactly_one_table():
    @contract(Inputs={"left": CHURN, "right": CHURN})
    def two(Inputs):
        return 0

    with pytest.raises(EnvelopeError) as caught:
        bind(two, {"input_data": []})
    assert "needs a scorer with exactly one table parameter" in caught.value.message
    assert "has 2 table parameters (Inputs.left, Inputs.right)" in caught.value.message


def test_other_bodies_are_the_envelope_as_before():
    @contract(input_data=Json())
    def own(input_data):
        return input_data

    assert bind(own, {"input_data": [1]}) == {"input_data": [1]}  # a contract taking input_data itself
    with pytest.raises(ContractError) as caught:
        bind(churn, {"input_data": [], "Inputs": {}})  # not Azure's request: the envelope's own problems
    assert caught.value.message == "Inputs.data: required key 'data' is missing"


# --- MLflow's /invocations --------------------------------------------------------------------------------


def test_pandas_split_output_with_its_index():
    frame = pd.DataFrame({"age": [42, 23], "income": [1.5, 2.0], "city": ["a", None]}, index=[7, 9])
    kwargs = invoke(churn, {"dataframe_split": json.loads(frame.to_json(orient="split"))})
    data = kwargs["Inputs"]["data"]
    assert data.index.tolist() == [7, 9]
    assert data["age"].dtype == "int64" and data["age"].tolist() == [42, 23]
    assert kwargs["GlobalParameters"] == {"method": "predict"}


@pytest.mark.parametrize(
    "body",
    [
        {"dataframe_records": [{"age": 1, "income": 2.0, "city": "x"}]},
        {"instances": [{"age": 1, "income": 2.0, "city": "x"}]},
        {"instances": [[1, 2.0, "x"]]},  # rows in the declared column order
        {"inputs": {"age": [1], "income": [2.0], "city": ["x"]}},  # named columns
        {"inputs": [[1, 2.0, "x"]]},
        {"inputs": {"columns": ["city", "age", "income"], "data": [["x", 1, 2.0]]}},
    ],
)
def test_every_input_field_fills_the_table(body):
    data = invoke(churn, body)["Inputs"]["data"]
    assert data.to_dict("records") == [{"age": 1, "income": 2.0, "city": "x"}]


def test_params_go_to_global_parameters_or_to_the_parameters_of_their_name():
    kwargs = invoke(churn, {"dataframe_records": [], "params": {"method": "proba"}})
    assert kwargs["GlobalParameters"] == {"method": "proba"}
    kwargs = invoke(top_level, {"inputs": [1.0, 0.2], "params": {"threshold": 0.1}})  # one column: single values
    assert kwargs["threshold"] == 0.1 and kwargs["data"]["x"].tolist() == [1.0, 0.2]


def test_problems_keep_the_paths_of_the_body_sent():
    split = {"columns": ["age", "income", "city"], "data": [[1, 2.0, "a"], [2, 3.0, "b"], [3, 4.0, "c"], [4, "x", "d"]]}
    assert problems(churn, {"dataframe_split": split}) == [
        "dataframe_split.data[3][1]: expected a number (float64), got \"x\" (column 'income')"
    ]
    assert problems(churn, {"dataframe_records": [{"age": "1", "income": 2.0, "city": None}]}) == [
        'dataframe_records[0].age: expected an integer (int64), got "1"'
    ]
    assert problems(churn, {"instances": [[1, 2.0]]}) == ["instances[0]: expected 3 values (one per column), got 2"]
    assert problems(churn, {"inputs": {"age": [1], "income": [2.0]}}) == ["inputs: missing column 'city'"]
    assert problems(churn, {"inputs": [{"age": 1, "income": 2.0, "city": "x"}], "params": {"method": "x"}}) == [
        'params.method: expected one of "predict", "proba", got "x"'
    ]
    assert problems(top_level, {"inputs": [1.0, "y"]}) == ['inputs[1]: expected a number (float64), got "y"']


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"dataframe_split": {"columns": ["age"], "data": []}, "inputs": []}, "exactly one of the input fields"),
        ({"data": [[1]]}, "exactly one of the input fields"),
        ({"dataframe_split": [[1, 2.0, "x"]]}, "dataframe_split: expected pandas' split form"),
        ({"dataframe_split": {"columns": ["age"], "rows": []}}, "dataframe_split: expected pandas' split form"),
        ({"dataframe_records": [[1, 2.0, "x"]]}, "dataframe_records[0]: expected a row object, got an array"),
        ({"inputs": [1, 2]}, "inputs: a list of single values fills a table of one column, and this one has 3"),
        ({"instances": 3}, "instances: expected rows (an array) or named columns (an object), got 3"),
        ({"inputs": [], "params": [1]}, "params: expected an object of parameters, got an array"),
    ],
)
def test_bodies_of_the_wrong_shape_are_bad_requests(body, message):
    with pytest.raises(EnvelopeError) as caught:
        invoke(churn, body)
    assert message in caught.value.message, caught.value.message
    assert error_code(caught.value) == "BAD_REQUEST"


def test_a_scorer_without_exactly_one_table():
    @contract(Inputs={"left": CHURN, "right": CHURN})
    def two(Inputs):
        return 0

    for run, why in ((two, "has 2 table parameters (Inputs.left, Inputs.right)"), (lambda data: data, "declares no contract")):
        with pytest.raises(EnvelopeError) as caught:
            invoke(run, {"inputs": []})
        assert "needs a scorer with exactly one table parameter" in caught.value.message
        assert why in caught.value.message


def test_csv_and_content_types():
    kwargs = invoke(churn, b"age,income,city\n1,2.5,x\n", content_type="text/csv; charset=utf-8")
    assert kwargs["Inputs"]["data"].to_dict("records") == [{"age": 1, "income": 2.5, "city": "x"}]
    for content_type in ("text/plain", None, "text/csv; charset=latin-1", "application/json; format=pandas-split"):
        with pytest.raises(UnsupportedMediaType):
            invoke(churn, b"{}", content_type=content_type)


def test_predictions_unwrap_results():
    assert predictions({"Results": [1, 2]}, b'{"Results":[1,2]}') == b'{"predictions":[1,2]}'
    assert predictions([1, 2], b"[1,2]") == b'{"predictions":[1,2]}'
    assert predictions({"Results": 1, "extra": 2}, b'{"Results":1,"extra":2}') == b'{"predictions":{"Results":1,"extra":2}}'


def test_error_codes():
    assert error_code(ContractError([])) == "INVALID_PARAMETER_VALUE"
    assert error_code(TooBusy("busy")) == "REQUEST_LIMIT_EXCEEDED"
    assert error_code(ScoringTimeout("slow")) == "DEADLINE_EXCEEDED"
    assert error_code(UnsupportedMediaType("no")) == "BAD_REQUEST"
