"""`gateway.testing`: the helpers scorer authors use in their own pytest suites."""

from __future__ import annotations

import pytest
from conftest import SCORERS

from gateway import Json, List, Results, contract
from gateway.testing import serve_scorer

CHURN = str(SCORERS / "churn_contract.py")  # its init() raises


@contract(Inputs={"data": List(int)}, results=Results(List(int)))
def doubler(Inputs):
    return {"Results": [2 * x for x in Inputs["data"]]}


@contract(Inputs=Json(), results=Results(List(int)))
def liar(Inputs):
    return {"Results": ["not an int"]}


def test_serve_a_function_and_assert_conformance():
    with serve_scorer(doubler) as gateway:
        reply = gateway.score({"Inputs": {"data": [1, 2]}})
        assert reply.assert_ok().assert_conforms().json() == {"Results": [2, 4]}
        assert reply.headers["x-ms-run-function-failed"] == "False"
        assert gateway.url.startswith("http://127.0.0.1:")


def test_conformance_failures_are_assertion_errors_with_paths():
    with serve_scorer(liar) as gateway:
        reply = gateway.score({"Inputs": 1}).assert_ok()
        with pytest.raises(AssertionError, match=r"Results\[0\]: expected integer"):
            reply.assert_conforms()


def test_bad_payloads_are_answered_and_checked_offline():
    with serve_scorer(doubler) as gateway:
        reply = gateway.score({"Inputs": {"data": ["x"]}})
        assert reply.status == 400
        assert reply.json()["errors"][0]["path"] == "Inputs.data[0]"
        gateway.assert_invalid({"Inputs": {"data": ["x"]}}, path="Inputs.data[0]")
        gateway.assert_valid({"Inputs": {"data": [1]}})
        with pytest.raises(AssertionError, match="no problem at Inputs.data"):
            gateway.assert_invalid({"inputs": {}}, path="Inputs.data")
        with pytest.raises(AssertionError, match="expected to break"):
            gateway.assert_invalid({"Inputs": {"data": []}})


def test_fixture_serves_named_script_targets_with_a_model_dir(gateway_server, tmp_path):
    gateway = gateway_server(echo=str(SCORERS / "echo.py"), model_dir=tmp_path)
    reply = gateway.score({"Inputs": [1]}, scorer="echo").assert_ok()
    assert reply.json()["model_dir"] == str(tmp_path)
    assert reply.json()["init_calls"] >= 1


def test_init_failure_surfaces_when_serving():
    from gateway.errors import StartupError

    with pytest.raises(StartupError, match="init\\(\\) raised RuntimeError: check must never call init"):
        with serve_scorer(CHURN):
            pass
