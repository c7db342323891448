"""End-to-end tests of the HTTP surface, the envelope and Results through aiohttp's real test server."""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid

import numpy as np
import pandas as pd
import pytest

from gateway import Json, Scorer, Settings, Value, contract

JSON = {"Content-Type": "application/json"}


@contract(Inputs=Json(), GlobalParameters={"method": Value(str, default="predict", enum=["predict", "predict_proba"])})
def echo(Inputs, GlobalParameters):
    return {"Results": {"Inputs": Inputs, "GlobalParameters": GlobalParameters}}


@contract(Inputs=Json())
def echo_headers(Inputs, request_headers):
    return {"custom": request_headers.get("X-Custom-Thing"), "Inputs": Inputs, "names": sorted(request_headers)}


@contract(Inputs=Json(), GlobalParameters=Json())
def optional_globals(Inputs, GlobalParameters={"method": "predict"}):
    return {"GlobalParameters": GlobalParameters}


def raw(data):
    return {"type": type(data).__name__, "data": data}


@contract(Inputs=Json())
def raises(Inputs):
    raise ValueError("secret internal detail: password=hunter2")


@contract(Inputs=Json())
def numeric(Inputs):
    frame = pd.DataFrame({"a": [1, 2], "b": [0.5, float("nan")], "when": pd.to_datetime(["2024-01-01", None])})
    return {
        "Results": np.array([1.5, np.nan, np.inf]),
        "count": np.int64(2),
        "flag": np.bool_(False),
        "frame": frame,
        "series": frame["a"],
    }


@contract(Inputs=Json())
async def async_run(Inputs):
    await asyncio.sleep(0)
    return {"Results": Inputs, "async": True}


@contract(Inputs=Json())
def unserializable(Inputs):
    return {"model": object()}


# --- probes -----------------------------------------------------------------------------------


async def test_root_answers_healthy(serve):
    client = await serve(echo)
    response = await client.get("/")
    assert response.status == 200
    assert await response.text() == "Healthy"
    assert "x-ms-run-function-failed" not in response.headers


async def test_healthz_and_readyz(serve):
    client = await serve(echo)
    assert (await client.get("/healthz")).status == 200
    ready = await client.get("/readyz")
    assert ready.status == 200
    assert (await ready.json())["scorers"] == ["default"]


# --- the envelope -----------------------------------------------------------------------------


async def test_power_bi_envelope_reaches_run(serve):
    client = await serve(echo)
    body = {"Inputs": {"data": [{"a": 1}]}, "GlobalParameters": {"method": "predict_proba"}}
    response = await client.post("/score", json=body)
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json"
    assert await response.json() == {"Results": body}
    assert response.headers["x-ms-run-function-failed"] == "False"
    exec_ms = response.headers["x-ms-run-fn-exec-ms"]
    assert float(exec_ms) >= 0 and len(exec_ms.split(".")[1]) == 3


async def test_missing_optional_member_gets_its_default(serve):
    client = await serve(echo)
    response = await client.post("/score", json={"Inputs": {}, "GlobalParameters": {}})
    assert (await response.json())["Results"]["GlobalParameters"] == {"method": "predict"}


async def test_missing_optional_parameter_gets_the_python_default_unconverted(serve):
    client = await serve(optional_globals)
    response = await client.post("/score", json={"Inputs": {}})
    assert response.status == 200
    assert await response.json() == {"GlobalParameters": {"method": "predict"}}


async def test_lowercase_inputs_is_a_400_that_says_keys_are_case_sensitive(serve):
    client = await serve(echo)
    response = await client.post("/score", json={"inputs": {"data": []}})
    assert response.status == 400
    body = await response.json()
    assert "'inputs' is not a parameter; keys are case-sensitive: did you mean 'Inputs'?" in body["message"]
    assert body["errors"][0]["path"] == "inputs"
    assert response.headers["x-ms-run-function-failed"] == "False"


async def test_missing_required_parameter_is_named(serve):
    client = await serve(echo)
    response = await client.post("/score", json={"GlobalParameters": {}})
    assert response.status == 400
    body = await response.json()
    assert body["errors"] == [{"path": "Inputs", "error": "A value is not provided for the 'Inputs' parameter."}]


async def test_unknown_top_level_keys_are_ignored(serve):
    client = await serve(echo)
    response = await client.post("/score", json={"Inputs": 1, "Extra": 2, "request_headers": {"x": 1}})
    assert response.status == 200
    assert (await response.json())["Results"]["Inputs"] == 1


async def test_bad_enum_value_in_global_parameters_has_its_path(serve):
    client = await serve(echo)
    response = await client.post("/score", json={"Inputs": {}, "GlobalParameters": {"method": "explain"}})
    assert response.status == 400
    body = await response.json()
    assert body["errors"][0]["path"] == "GlobalParameters.method"
    assert 'got "explain"' in body["errors"][0]["error"]


@pytest.mark.parametrize(
    "data, status, words",
    [
        (b"", 400, "POST body is empty"),
        (b'{"Inputs": [1, 2', 400, "could not be decoded as JSON"),
        (b'{"Inputs": NaN}', 400, "could not be decoded as JSON"),
        (b'{"Inputs": "\xff\xfe"}', 400, "not valid UTF-8"),
        (b"[1, 2, 3]", 400, "should be a JSON dictionary"),
        (b'"Inputs"', 400, "should be a JSON dictionary"),
    ],
)
async def test_bad_bodies(serve, data, status, words):
    client = await serve(echo)
    response = await client.post("/score", data=data, headers=JSON)
    assert response.status == status
    body = await response.json()
    assert words in body["message"]
    assert "Traceback" not in await response.text()


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_wrong_content_type_is_415(serve, content_type):
    client = await serve(echo)
    headers = {"Content-Type": content_type} if content_type else {}
    response = await client.post("/score", data=b'{"Inputs": {}}', headers=headers, skip_auto_headers=["Content-Type"])
    assert response.status == 415
    assert "Expects Content-Type to be application/json" in (await response.json())["message"]


async def test_vendor_json_content_type_is_accepted(serve):
    client = await serve(echo)
    response = await client.post(
        "/score", data=b'{"Inputs": 5}', headers={"Content-Type": "application/vnd.powerbi+json; charset=utf-8"}
    )
    assert response.status == 200


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "HEAD"])
async def test_unknown_methods_are_405(serve, method):
    client = await serve(echo)
    response = await client.request(method, "/score")
    assert response.status == 405
    assert "GET" in response.headers["Allow"] and "POST" in response.headers["Allow"]
    if method != "HEAD":
        assert "not allowed" in (await response.json())["message"]


async def test_unknown_path_is_404_json_with_request_id(serve):
    client = await serve(echo)
    response = await client.get("/nowhere", headers={"x-request-id": "abc"})
    assert response.status == 404
    assert (await response.json())["message"] == "no route for /nowhere"
    assert response.headers["x-request-id"] == "abc"


async def test_get_reads_parameters_from_the_query_string(serve):
    client = await serve(echo)
    response = await client.get(
        "/score", params=[("Inputs", '{"data": [1, 2]}'), ("GlobalParameters", '{"method": "predict_proba"}')]
    )
    assert response.status == 200
    assert (await response.json())["Results"] == {
        "Inputs": {"data": [1, 2]},
        "GlobalParameters": {"method": "predict_proba"},
    }


async def test_get_with_non_json_query_value_keeps_the_string(serve):
    client = await serve(echo)
    response = await client.get("/score", params={"Inputs": "hello"})
    assert (await response.json())["Results"]["Inputs"] == "hello"


# --- undecorated scorers, headers, async ------------------------------------------------------


async def test_undecorated_run_gets_the_raw_body_as_text_whatever_the_content_type(serve):
    client = await serve(raw)
    response = await client.post("/score", data=b"not json at all", headers={"Content-Type": "text/plain"})
    assert await response.json() == {"type": "str", "data": "not json at all"}
    response = await client.post("/score", data=b'{"a": 1}', headers=JSON)
    assert await response.json() == {"type": "str", "data": '{"a": 1}'}


async def test_undecorated_run_rejects_invalid_utf8(serve):
    client = await serve(raw)
    response = await client.post("/score", data=b"\xff", headers={"Content-Type": "text/plain"})
    assert response.status == 400
    assert "Input cannot be decoded as UTF-8" in (await response.json())["message"]


async def test_undecorated_get_receives_the_query_as_a_json_string(serve):
    client = await serve(raw)
    response = await client.get("/score", params=[("a", "1"), ("b", "x")])
    assert await response.json() == {"type": "str", "data": '{"a":1,"b":"x"}'}


async def test_request_headers_are_passed_when_run_accepts_them(serve):
    client = await serve(echo_headers)
    response = await client.post(
        "/score", json={"Inputs": 1}, headers={"x-custom-thing": "abc", "X-REQUEST-ID": "r1"}
    )
    answer = await response.json()
    assert answer["custom"] == "abc" and answer["Inputs"] == 1
    assert {"X-Custom-Thing", "X-Request-Id", "Content-Type", "Host"} <= set(answer["names"])  # as Azure ML spelled them


async def test_async_run_is_awaited(serve):
    client = await serve(async_run)
    response = await client.post("/score", json={"Inputs": [1]})
    assert await response.json() == {"Results": [1], "async": True}


async def test_sync_run_does_not_block_health_checks(serve):
    release = threading.Event()

    @contract(Inputs=Json())
    def slow(Inputs):
        release.wait(10)
        return {"Results": "done"}

    client = await serve(slow)
    pending = asyncio.ensure_future(client.post("/score", json={"Inputs": 1}))
    await asyncio.sleep(0.2)
    health = await asyncio.wait_for(client.get("/healthz"), timeout=2)
    assert health.status == 200
    assert not pending.done()
    release.set()
    response = await pending
    assert await response.json() == {"Results": "done"}


# --- results and failures ---------------------------------------------------------------------


async def test_numpy_pandas_and_nan_results_are_serialized_strictly(serve):
    client = await serve(numeric)
    response = await client.post("/score", json={"Inputs": 1})
    assert response.status == 200
    text = await response.text()
    assert "NaN" not in text and "Infinity" not in text
    assert await response.json() == {
        "Results": [1.5, None, None],
        "count": 2,
        "flag": False,
        "frame": [{"a": 1, "b": 0.5, "when": "2024-01-01T00:00:00"}, {"a": 2, "b": None, "when": None}],
        "series": [1, 2],
    }


async def test_scorer_exception_is_a_generic_500_with_the_traceback_only_in_the_log(serve, caplog):
    client = await serve(raises)
    request_id = str(uuid.uuid4())
    with caplog.at_level(logging.ERROR, logger="gateway.scoring"):
        response = await client.post("/score", json={"Inputs": 1}, headers={"x-request-id": request_id})
    assert response.status == 500
    body = await response.json()
    assert body == {"message": f"run() failed (ValueError); see logs for request id {request_id}"}
    assert response.headers["x-ms-run-function-failed"] == "True"
    assert "hunter2" not in await response.text()
    assert "hunter2" in caplog.text and "Traceback" in caplog.text and request_id in caplog.text


async def test_unserializable_result_is_a_500_blamed_on_the_scorer(serve):
    client = await serve(unserializable)
    response = await client.post("/score", json={"Inputs": 1})
    assert response.status == 500
    assert response.headers["x-ms-run-function-failed"] == "True"
    assert "see logs for request id" in (await response.json())["message"]


# --- several scorers --------------------------------------------------------------------------


async def test_two_named_scorers(serve):
    client = await serve(first=echo, second=raw)
    first = await client.post("/score/first", json={"Inputs": 7})
    assert (await first.json())["Results"]["Inputs"] == 7
    second = await client.post("/score/second", data=b"hi", headers={"Content-Type": "text/plain"})
    assert await second.json() == {"type": "str", "data": "hi"}
    unknown = await client.post("/score/third", json={})
    assert unknown.status == 404
    assert (await unknown.json())["message"] == "no scorer named 'third'; served scorers: first, second"
    no_default = await client.post("/score", json={})
    assert no_default.status == 404
    assert "first, second" in (await no_default.json())["message"]


async def test_scorer_named_default_answers_slash_score(serve):
    client = await serve(default=echo, other=raw)
    response = await client.post("/score", json={"Inputs": 3})
    assert (await response.json())["Results"]["Inputs"] == 3


async def test_single_scorer_is_also_reachable_by_name(serve):
    client = await serve(Scorer.from_function("churn", echo))
    assert (await client.post("/score/churn", json={"Inputs": 1})).status == 200
    assert (await client.post("/score", json={"Inputs": 1})).status == 200


# --- request ids --------------------------------------------------------------------------------


async def test_fresh_request_id_when_none_sent(serve):
    client = await serve(echo)
    response = await client.get("/")
    generated = response.headers["x-request-id"]
    assert uuid.UUID(generated).version == 4
    assert response.headers["x-ms-request-id"] == generated
    assert "x-ms-client-request-id" not in response.headers


@pytest.mark.parametrize(
    "sent, expected",
    [
        ({"x-request-id": "my-req-1"}, {"x-request-id": "my-req-1", "x-ms-request-id": "my-req-1"}),
        ({"x-ms-client-request-id": "client-1"}, {"x-ms-request-id": "client-1", "x-ms-client-request-id": "client-1"}),
        ({"x-ms-request-id": "legacy-1"}, {"x-ms-request-id": "legacy-1", "x-ms-client-request-id": "legacy-1"}),
        (
            {"x-request-id": "r", "x-ms-request-id": "l", "x-ms-client-request-id": "c", "TraceId": "trace-123"},
            {"x-request-id": "r", "x-ms-request-id": "l", "x-ms-client-request-id": "c", "TraceId": "trace-123"},
        ),
    ],
)
async def test_request_id_rules_follow_the_reference(serve, sent, expected):
    client = await serve(echo)
    response = await client.post("/score", json={"Inputs": 1}, headers=sent)
    for name, value in expected.items():
        assert response.headers[name] == value


async def test_overlong_request_id_is_replaced_not_refused(serve):
    client = await serve(echo)
    response = await client.get("/", headers={"x-request-id": "x" * 101})
    assert response.status == 200
    assert uuid.UUID(response.headers["x-request-id"]).version == 4


async def test_error_responses_carry_request_ids(serve):
    client = await serve(echo)
    response = await client.post("/score", data=b"", headers={**JSON, "x-request-id": "err-1"})
    assert response.status == 400
    assert response.headers["x-request-id"] == "err-1"


# --- limits -------------------------------------------------------------------------------------


async def test_body_over_the_limit_is_413(serve):
    client = await serve(echo, settings=Settings(max_body_size=1000))
    response = await client.post("/score", data=b'{"Inputs": "' + b"x" * 2000 + b'"}', headers=JSON)
    assert response.status == 413
    assert "exceeds the limit of 1000 bytes" in (await response.json())["message"]


async def test_bodies_over_aiohttp_default_of_1mb_are_accepted(serve):
    client = await serve(echo)
    payload = {"Inputs": "x" * 3_000_000}
    response = await client.post("/score", json=payload)
    assert response.status == 200


# --- published contract and output validation --------------------------------------------------


async def test_contract_json_is_published_per_scorer(serve):
    client = await serve(first=echo, second=raw)
    response = await client.get("/scorers/first/contract.json")
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/schema+json"
    schema = await response.json(content_type=None)
    assert schema["required"] == ["Inputs"]
    same = await client.get("/contract.json", params={"scorer": "first"})
    assert await same.json(content_type=None) == schema
    raw_schema = await (await client.get("/scorers/second/contract.json")).json(content_type=None)
    assert "raw request body" in raw_schema["description"]
    assert (await client.get("/scorers/nope/contract.json")).status == 404


def make_checked(value):
    from gateway import List, Results

    @contract(Inputs=Json(), results=Results(List(int)), validate_output=True)
    def run(Inputs):
        return value

    return run


async def test_validate_output_lets_conforming_results_through(serve):
    client = await serve(make_checked({"Results": [1, 2]}))
    response = await client.post("/score", json={"Inputs": 1})
    assert response.status == 200
    assert await response.json() == {"Results": [1, 2]}


async def test_validate_output_mismatch_is_a_500_naming_the_path(serve, caplog):
    client = await serve(make_checked({"Results": [1, "two"]}))
    with caplog.at_level(logging.ERROR, logger="gateway.scoring"):
        response = await client.post("/score", json={"Inputs": 1})
    assert response.status == 500
    assert response.headers["x-ms-run-function-failed"] == "True"
    message = (await response.json())["message"]
    assert "breaks the declared output contract at Results[1]: expected integer" in message
    assert "Results[1]" in caplog.text


async def test_output_is_not_validated_unless_asked(serve):
    from gateway import List, Results

    @contract(Inputs=Json(), results=Results(List(int)))
    def run(Inputs):
        return {"Results": ["not", "ints"]}

    client = await serve(run)
    assert (await client.post("/score", json={"Inputs": 1})).status == 200
