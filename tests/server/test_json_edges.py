"""Valid JSON at the edges orjson does not reach (integers beyond 64 bits, lone surrogates, deep nesting):
parsed exactly, echoed as Azure ML's server echoes it, and reported with the value the client sent."""

from __future__ import annotations

import json

import pytest

from gateway import Json, Table, contract

JSON = {"Content-Type": "application/json"}

BODIES = {
    "an integer of 2**64": '{"Inputs": 18446744073709551616}',
    "a negative integer beyond 64 bits": '{"Inputs": [-18446744073709551617, 1]}',
    "a lone surrogate escape": '{"Inputs": "\\ud800 alone"}',
    "300 levels of nesting": '{"Inputs": ' + "[" * 300 + "]" * 300 + "}",
}


def echo_parsed(data):
    """An undecorated run(), as Azure ML entry scripts are written: it parses the text itself."""
    return json.loads(data)


@pytest.mark.parametrize("case", list(BODIES))
async def test_an_undecorated_run_echoes_what_the_standard_library_parsed(serve, case):
    """Once each of these answered 500: orjson refuses to write them."""
    client = await serve(echo_parsed)
    body = BODIES[case]
    response = await client.post("/score", data=body.encode(), headers=JSON)
    assert response.status == 200, await response.text()
    assert json.loads(await response.read()) == json.loads(body)


@contract(Inputs=Json())
def echo_json(Inputs):
    return {"Results": Inputs}


@pytest.mark.parametrize("case", ["an integer of 2**64", "a negative integer beyond 64 bits", "300 levels of nesting"])
async def test_a_json_parameter_keeps_them_exactly_on_the_way_in_and_out(serve, case):
    client = await serve(echo_json)
    body = BODIES[case]
    response = await client.post("/score", data=body.encode(), headers=JSON)
    assert response.status == 200, await response.text()
    assert json.loads(await response.read()) == {"Results": json.loads(body)["Inputs"]}


@contract(Inputs={"data": Table({"n": "int64", "u": "uint64"})})
def count(Inputs):
    return {"Results": len(Inputs["data"])}


async def test_an_integer_beyond_64_bits_is_reported_as_the_client_sent_it(serve):
    """Once: `got 1.8446744073709552e+19`, the float orjson had made of it."""
    client = await serve(count)
    body = b'{"Inputs": {"data": [{"n": 18446744073709551616, "u": 18446744073709551615}, {"n": 1, "u": 18446744073709551617}]}}'
    response = await client.post("/score", data=body, headers=JSON)
    assert response.status == 400
    errors = {e["path"]: e["error"] for e in (await response.json())["errors"]}
    assert errors == {
        "Inputs.data[0].n": "18446744073709551616 is out of range for int64 (-9223372036854775808 to 9223372036854775807)",
        "Inputs.data[1].u": "18446744073709551617 is out of range for uint64 (0 to 18446744073709551615)",
    }
    ok = await client.post("/score", data=b'{"Inputs": {"data": [{"n": -9223372036854775808, "u": 18446744073709551615}]}}', headers=JSON)
    assert ok.status == 200 and (await ok.json()) == {"Results": 1}
