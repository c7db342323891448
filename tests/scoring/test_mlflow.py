"""Azure ML's `input_data` request translated into a scorer's envelope, without a server (README 'MLflow
clients and CSV')."""

from __future__ import annotations

import orjson
import pytest

from gateway import Column, Json, Scorer, Table, Value, contract
from gateway.errors import ContractError, EnvelopeError
from gateway.scoring.arguments import Incoming, arguments

CHURN = Table({"age": "int64", "income": "float64", "city": Column("string", nullable=True)})


@contract(Inputs={"data": CHURN}, GlobalParameters={"method": Value(str, default="predict", enum=["predict", "proba"])})
def churn(Inputs, GlobalParameters):
    return {"Results": len(Inputs["data"])}


@contract(data=Table({"x": "float64"}), threshold=Value(float, default=0.5))
def top_level(data, threshold):
    return list(data["x"] > threshold)


def bind(run, body):
    incoming = Incoming("POST", orjson.dumps(body), content_type="application/json")
    kwargs, ctx = arguments(Scorer.from_function("default", run), incoming)
    return kwargs


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


def test_problems_keep_the_paths_of_the_body_sent():
    with pytest.raises(ContractError) as caught:
        bind(churn, {"input_data": [[1, "x", "x"]]})
    assert caught.value.message == "input_data[0][1]: expected a number (float64), got \"x\" (column 'income')"
    with pytest.raises(ContractError) as caught:
        bind(churn, {"input_data": [], "params": {"method": "x"}})
    assert caught.value.message == 'params.method: expected one of "predict", "proba", got "x"'
    with pytest.raises(EnvelopeError) as caught:
        bind(churn, {"input_data": [1, 2]})
    assert caught.value.message.startswith("input_data: a list of single values fills a table of one column")


def test_a_scorer_without_exactly_one_table():
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
