"""Fuzzing: thousands of malformed bodies never produce a 5xx nor kill the server (README 'Running in production')."""

from __future__ import annotations

import http.client
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway import List, Value, contract
from gateway.testing import serve_scorer


@contract(
    Inputs={"data": List({"age": int, "income": float, "member": bool, "city": str}), "k": Value(int, default=1)},
    GlobalParameters={"method": Value(str, default="predict", enum=["predict", "predict_proba"])},
)
def scorer(Inputs, GlobalParameters):
    return {"Results": [row["age"] for row in Inputs["data"]]}


scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)
row = st.fixed_dictionaries(
    {},
    optional={"age": json_values, "income": json_values, "member": json_values, "city": json_values, "AGE": scalars},
)
envelopes = st.fixed_dictionaries(
    {},
    optional={
        "Inputs": st.fixed_dictionaries({}, optional={"data": st.lists(row, max_size=5) | json_values, "k": json_values})
        | json_values,
        "GlobalParameters": st.fixed_dictionaries({}, optional={"method": json_values}) | json_values,
        "inputs": json_values,
    },
)
bodies = (
    st.binary(max_size=200)
    | envelopes.map(lambda v: json.dumps(v).encode())
    | envelopes.map(lambda v: json.dumps(v).encode()).flatmap(
        lambda raw: st.integers(0, max(len(raw) - 1, 0)).map(lambda cut: raw[:cut])
    )
    | st.sampled_from([b"NaN", b'{"Inputs": NaN}', b"[" * 5000, b'{"Inputs": "\xff"}', b"\x00", b"{}" * 3])
)
content_types = st.sampled_from(["application/json", "text/plain", "application/x+json", "", "application/json; charset=latin-1"])


@pytest.fixture(scope="module")
def gateway():
    with serve_scorer(scorer) as served:
        yield served


@settings(max_examples=2500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=bodies, content_type=content_types, method=st.sampled_from(["POST", "POST", "POST", "GET"]))
def test_malformed_bodies_never_5xx(gateway, body, content_type, method):
    host, port = gateway.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    headers = {"Content-Type": content_type} if content_type else {}
    path = "/score" if method == "POST" else "/score?Inputs=" + body[:50].hex()
    connection.request(method, path, body=body if method == "POST" else None, headers=headers)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    assert response.status < 500, payload
    if response.status != 200:
        assert json.loads(payload)["message"]


def test_server_still_healthy_after_fuzzing(gateway):
    reply = gateway.score({"Inputs": {"data": [{"age": 1, "income": 2.0, "member": True, "city": "x"}]}})
    assert reply.assert_ok().json() == {"Results": [1]}
