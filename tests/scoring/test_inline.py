"""gateway.scoring.inline: which requests of a sync scorer run on the event loop, and how an inline call ends."""

from __future__ import annotations

import threading
import time

import pytest

from gateway import Json, Settings, contract
from gateway.cli.main import build_parser, settings_from_args
from gateway.scoring.inline import WARMUP, InlineOverrun, InlinePolicy


def test_a_size_runs_inline_only_after_warm_up_calls_within_budget():
    policy = InlinePolicy(0.01)
    for _ in range(WARMUP - 1):
        policy.observe(100, 0.001)
        assert not policy.admits(100)
    policy.observe(100, 0.001)
    assert policy.admits(100)
    assert policy.admits(127)  # same power of two
    assert not policy.admits(128)  # a size never seen goes to threads first


def test_one_call_over_budget_moves_its_size_to_threads_until_threads_are_fast_again():
    policy = InlinePolicy(0.01)
    for _ in range(WARMUP):
        policy.observe(5000, 0.002)
    policy.observe(5000, 0.2)
    assert not policy.admits(5000)
    for _ in range(20):
        policy.observe(5000, 0.002)
    assert policy.admits(5000)


def test_budget_zero_never_runs_inline():
    policy = InlinePolicy(0)
    for _ in range(10):
        policy.observe(10, 0.0001)
    assert not policy.admits(10)


def test_run_interrupts_a_call_past_the_timeout_and_disables_the_policy():
    policy = InlinePolicy(0.01)
    started = time.perf_counter()
    with pytest.raises(InlineOverrun):
        policy.run(10, 0.2, lambda: time.sleep(5))
    assert time.perf_counter() - started < 2
    assert policy.disabled
    assert policy.run(10, 1.0, lambda: 42) == 42  # run() itself still works; admits() now says no
    assert not policy.admits(10)


def test_alarms_that_are_not_ours_still_reach_the_previous_handler(monkeypatch):
    import signal

    from gateway.scoring import inline

    received = []
    monkeypatch.setattr(inline, "_installed", False)  # both undone after the test, with the handler below
    monkeypatch.setattr(inline, "_previous", None)
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: received.append(signum))
    try:
        assert InlinePolicy(0.01).run(1, 1.0, lambda: "ok") == "ok"
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # our alarm is off once the call is done
        signal.setitimer(signal.ITIMER_REAL, 0.01)
        time.sleep(0.2)
        assert received == [signal.SIGALRM]
    finally:
        signal.signal(signal.SIGALRM, previous)


@contract(Inputs=Json())
def where(Inputs):
    return {"Results": threading.current_thread().name}


async def test_small_requests_move_from_the_thread_pool_to_the_loop(serve):
    client = await serve(where)
    threads = []
    for _ in range(WARMUP + 3):
        response = await client.post("/score", json={"Inputs": [1, 2, 3]})
        assert response.status == 200
        threads.append((await response.json())["Results"])
    assert all(name.startswith("gateway-scorer") for name in threads[:WARMUP])
    assert threads[WARMUP:] == [threading.main_thread().name] * 3


async def test_inline_budget_zero_keeps_every_call_in_threads(serve):
    client = await serve(where, settings=Settings(inline_budget=0))
    for _ in range(WARMUP + 3):
        response = await client.post("/score", json={"Inputs": 1})
        assert (await response.json())["Results"].startswith("gateway-scorer")


async def test_an_inline_call_that_hangs_answers_504_and_the_scorer_leaves_the_loop(serve):
    calls = []
    release = threading.Event()

    @contract(Inputs=Json())
    def sometimes_hangs(Inputs):
        calls.append(threading.current_thread().name)
        if Inputs == "hang":
            release.wait(30)
        return {"Results": "ok"}

    client = await serve(sometimes_hangs, settings=Settings(scoring_timeout=0.3))
    for _ in range(WARMUP):
        assert (await client.post("/score", json={"Inputs": "fast"})).status == 200  # as long as "hang"
    started = time.perf_counter()
    response = await client.post("/score", json={"Inputs": "hang"})
    assert time.perf_counter() - started < 5
    assert response.status == 504
    assert await response.json() == {"message": "scoring timed out after 300 ms"}
    assert calls[WARMUP] == threading.main_thread().name  # the hanging call did run inline
    assert (await client.get("/healthz")).status == 200
    try:
        assert (await client.post("/score", json={"Inputs": "fast"})).status == 200
        assert calls[-1].startswith("gateway-scorer")  # and nothing of that scorer runs inline any more
    finally:
        release.set()


async def test_errors_of_inline_calls_are_the_same_as_in_threads(serve):
    @contract(Inputs=Json())
    def fails(Inputs):
        if Inputs == "boom":
            raise ValueError("secret")
        return {"Results": Inputs}

    client = await serve(fails)
    for _ in range(WARMUP + 1):
        assert (await client.post("/score", json={"Inputs": "fine"})).status == 200
    response = await client.post("/score", json={"Inputs": "boom"})
    assert response.status == 500
    assert "secret" not in await response.text()
    bad = await client.post("/score", json={"inputs": 1})
    assert bad.status == 400
    assert (await client.post("/score", json={"Inputs": "fine"})).status == 200


def test_inline_budget_option_and_environment(monkeypatch):
    parser = build_parser()
    assert settings_from_args(parser, parser.parse_args(["--scorer", "m:f"])).inline_budget == 0.02
    assert settings_from_args(parser, parser.parse_args(["--scorer", "m:f", "--inline-budget", "0"])).inline_budget == 0
    monkeypatch.setenv("GATEWAY_INLINE_BUDGET", "0.005")
    parser = build_parser()
    assert settings_from_args(parser, parser.parse_args(["--scorer", "m:f"])).inline_budget == 0.005
    with pytest.raises(ValueError):
        Settings(inline_budget=-1)


async def test_a_call_that_waits_on_the_loop_takes_its_scorer_off_the_loop(serve):
    calls = []

    @contract(Inputs=Json())
    def waits_later(Inputs):
        calls.append(threading.current_thread().name)
        if len(calls) == WARMUP + 1:
            time.sleep(0.1)  # e.g. a slow call to another service: no CPU, much wall time
        return {"Results": len(calls)}

    client = await serve(waits_later, settings=Settings(inline_budget=0.05))
    for _ in range(WARMUP + 3):
        assert (await client.post("/score", json={"Inputs": 1})).status == 200
    assert calls[WARMUP] == threading.main_thread().name
    assert all(name.startswith("gateway-scorer") for name in calls[WARMUP + 1:])


def test_threads_are_timed_by_cpu_so_waiting_for_the_gil_does_not_count():
    from functools import partial

    from gateway.scoring.arguments import Incoming
    from gateway.scoring.execute import _execute_sync, _timed
    from gateway.scoring.scorer import Scorer

    @contract(Inputs=Json())
    def sleeps(Inputs):
        time.sleep(0.05)
        return {"Results": 1}

    policy = InlinePolicy(0.01)
    scorer = Scorer.from_function("default", sleeps)
    incoming = Incoming("POST", b'{"Inputs": 1}', content_type="application/json")
    for _ in range(WARMUP):
        _timed(policy, len(incoming.body), partial(_execute_sync, scorer, incoming))
    assert policy.admits(len(b'{"Inputs": 1}'))  # 50 ms of wall time, but hardly any CPU


async def test_a_sync_scorer_that_runs_its_own_event_loop_works_inline_too(serve):
    import asyncio

    @contract(Inputs=Json())
    def uses_asyncio(Inputs):
        async def fetch():
            await asyncio.sleep(0)
            return Inputs * 2

        return {"Results": asyncio.run(fetch()), "thread": threading.current_thread().name}

    client = await serve(uses_asyncio)
    answers = []
    for i in range(WARMUP + 2):
        response = await client.post("/score", json={"Inputs": i})
        assert response.status == 200
        answers.append(await response.json())
    assert [a["Results"] for a in answers] == [2 * i for i in range(WARMUP + 2)]
    assert answers[-1]["thread"] == threading.main_thread().name
    assert (await client.get("/healthz")).status == 200  # the server's own loop is still the running one
