"""Dynamic batching: concurrent requests with equal parameters merged into one run() call (README 'Benchmarks')."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pandas as pd
import pytest

from gateway import Batching, Column, Json, Table, Value, contract
from gateway.core.decoding import DecodeContext
from gateway.scoring.batching import split_rows

ROWS = Table({"age": "int64"})


def doubling(max_rows: int = 64, max_wait_ms: float = 100.0):
    calls: list[int] = []
    lock = threading.Lock()

    @contract(
        Inputs={"data": ROWS},
        GlobalParameters={"factor": Value(int, default=2)},
        batching=Batching(max_rows=max_rows, max_wait_ms=max_wait_ms),
    )
    def run(Inputs, GlobalParameters):
        with lock:
            calls.append(len(Inputs["data"]))
        return {"Results": Inputs["data"]["age"].to_numpy() * GlobalParameters["factor"]}

    return run, calls


def body(*ages: int, factor: int | None = None) -> dict:
    envelope: dict = {"Inputs": {"data": [{"age": a} for a in ages]}}
    if factor is not None:
        envelope["GlobalParameters"] = {"factor": factor}
    return envelope


async def test_concurrent_one_row_requests_share_run_calls(serve):
    run, calls = doubling()
    client = await serve(run)
    responses = await asyncio.gather(*(client.post("/score", json=body(i)) for i in range(40)))
    answers = [await r.json() for r in responses]
    assert [a["Results"] for a in answers] == [[2 * i] for i in range(40)]  # each gets its own rows, in order
    assert sum(calls) == 40
    assert len(calls) <= 4, calls  # merged: far fewer run() calls than requests


async def test_groups_never_exceed_max_rows(serve):
    run, calls = doubling(max_rows=64)
    client = await serve(run)
    responses = await asyncio.gather(*(client.post("/score", json=body(*range(30))) for _ in range(6)))
    assert all(r.status == 200 for r in responses)
    assert sum(calls) == 180 and max(calls) <= 64


async def test_different_global_parameters_are_not_merged(serve):
    run, calls = doubling()
    client = await serve(run)
    responses = await asyncio.gather(
        client.post("/score", json=body(1, factor=2)), client.post("/score", json=body(1, factor=3))
    )
    assert sorted([(await r.json())["Results"][0] for r in responses]) == [2, 3]
    assert sorted(calls) == [1, 1]


async def test_a_bad_request_gets_its_own_400_and_the_others_are_served(serve):
    run, calls = doubling()
    client = await serve(run)
    good, bad = await asyncio.gather(client.post("/score", json=body(5)), client.post("/score", json={"Inputs": {"data": [{"age": "x"}]}}))
    assert good.status == 200 and (await good.json())["Results"] == [10]
    assert bad.status == 400 and (await bad.json())["errors"][0]["path"] == "Inputs.data[0].age"


async def test_an_error_in_the_merged_call_reaches_every_request(serve):
    @contract(Inputs={"data": ROWS}, batching=Batching(max_rows=64, max_wait_ms=100))
    def fails(Inputs):
        raise RuntimeError("model exploded")

    client = await serve(fails)
    responses = await asyncio.gather(*(client.post("/score", json=body(i)) for i in range(5)))
    assert [r.status for r in responses] == [500] * 5
    for response in responses:
        assert response.headers["x-ms-run-function-failed"] == "True"
        assert "run() failed (RuntimeError)" in (await response.json())["message"]


async def test_a_result_that_is_not_one_per_row_fails_the_group(serve):
    @contract(Inputs={"data": ROWS}, batching=Batching(max_rows=64, max_wait_ms=100))
    def short(Inputs):
        return {"Results": [0]}

    client = await serve(short)
    responses = await asyncio.gather(*(client.post("/score", json=body(i)) for i in range(3)))
    assert [r.status for r in responses] == [500] * 3


def test_split_rows_cuts_every_row_aligned_kind():
    assert split_rows([1, 2, 3], [1, 2]) == [[1], [2, 3]]
    parts = split_rows(np.arange(4), [3, 1])
    assert [p.tolist() for p in parts] == [[0, 1, 2], [3]]
    frames = split_rows(pd.DataFrame({"a": [1, 2, 3]}), [2, 1])
    assert frames[1].to_dict("records") == [{"a": 3}]
    wrapped = split_rows({"Results": [1, 2], "model": "v1"}, [1, 1])
    assert wrapped == [{"Results": [1], "model": "v1"}, {"Results": [2], "model": "v1"}]
    with pytest.raises(ValueError, match="2 results for 3 rows"):
        split_rows([1, 2], [1, 2])
    with pytest.raises(ValueError, match="one result per row"):
        split_rows("text", [1])


def test_batching_needs_exactly_one_table():
    with pytest.raises(TypeError, match="exactly one Table"):

        @contract(Inputs=Json(), batching=Batching())
        def run(Inputs):
            return Inputs


async def test_merged_frames_keep_every_dtype(serve):
    table = Table(
        {
            "n": Column("int64", nullable=True),
            "x": "float64",
            "b": Column("bool", nullable=True),
            "s": Column("string", nullable=True),
            "t": "datetime",
        }
    )
    seen: list[pd.DataFrame] = []

    @contract(Inputs={"data": table}, batching=Batching(max_rows=64, max_wait_ms=100))
    def run(Inputs):
        seen.append(Inputs["data"])
        return {"Results": Inputs["data"]["n"].astype("float64").fillna(-1).tolist()}

    rows = [
        {"n": 1, "x": 1.5, "b": True, "s": "a", "t": "2024-03-21T10:00:00+02:00"},
        {"n": None, "x": 2, "b": None, "s": None, "t": "2024-03-22T00:00:00Z"},
        {"n": 3, "x": -1.0, "b": False, "s": "c", "t": "2024-03-23T12:30:00+00:00"},
    ]
    client = await serve(run)
    responses = await asyncio.gather(*(client.post("/score", json={"Inputs": {"data": [row]}}) for row in rows))
    assert [(await r.json())["Results"] for r in responses] == [[1.0], [-1.0], [3.0]]
    merged = pd.concat(seen, ignore_index=True) if len(seen) > 1 else seen[0]
    expected = table.decode(rows, "Inputs.data", DecodeContext())
    pd.testing.assert_frame_equal(merged, expected)
    assert len(seen) == 1  # all three were merged into one run() call


async def test_merged_calls_move_to_the_loop_once_their_size_proved_fast(serve):
    from gateway.scoring.inline import WARMUP

    threads: list[str] = []

    @contract(Inputs={"data": ROWS}, batching=Batching(max_rows=64, max_wait_ms=1.0))
    def run(Inputs):
        threads.append(threading.current_thread().name)
        return {"Results": Inputs["data"]["age"].to_numpy()}

    client = await serve(run)
    for i in range(WARMUP + 2):
        response = await client.post("/score", json=body(i))
        assert (await response.json())["Results"] == [i]
    assert all(name.startswith("gateway-scorer") for name in threads[:WARMUP])
    assert threads[WARMUP:] == [threading.main_thread().name] * 2


async def test_a_merged_call_that_hangs_on_the_loop_answers_504_to_each_request(serve):
    from gateway import Settings
    from gateway.scoring.inline import WARMUP

    release = threading.Event()

    @contract(Inputs={"data": ROWS}, batching=Batching(max_rows=64, max_wait_ms=1.0))
    def run(Inputs):
        if Inputs["data"]["age"].iloc[0] == 7:
            release.wait(30)
        return {"Results": Inputs["data"]["age"].to_numpy()}

    client = await serve(run, settings=Settings(scoring_timeout=0.3))
    try:
        for _ in range(WARMUP):
            assert (await client.post("/score", json=body(1))).status == 200
        response = await client.post("/score", json=body(7))
        assert response.status == 504
        assert (await client.post("/score", json=body(2))).status == 200
    finally:
        release.set()


async def test_requests_waiting_on_a_slow_merged_call_get_504_and_the_server_goes_on(serve):
    from gateway import Settings

    gate = asyncio.Event()

    @contract(Inputs={"data": ROWS}, batching=Batching(max_rows=64, max_wait_ms=20.0))
    async def run(Inputs):
        if (Inputs["data"]["age"] == 7).any():
            await gate.wait()
        return {"Results": Inputs["data"]["age"].to_numpy()}

    client = await serve(run, settings=Settings(scoring_timeout=0.3))
    slow = await asyncio.gather(*(client.post("/score", json=body(7, i)) for i in range(3)))
    assert [r.status for r in slow] == [504] * 3
    messages = [(await r.json())["message"] for r in slow]
    assert all("timed out after 300 ms" in m for m in messages)
    gate.set()
    fast = await client.post("/score", json=body(5, 6))
    assert fast.status == 200 and (await fast.json())["Results"] == [5, 6]
