"""Through a real server: keys, CORS, limits, timeouts, backpressure, metrics, access logs (README 'Running in production')."""

from __future__ import annotations

import asyncio
import json
import threading

import aiohttp
import pytest

from gateway import Json, Settings, contract

JSON = {"Content-Type": "application/json"}


@contract(Inputs=Json())
def echo(Inputs):
    return {"Results": Inputs}


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text format (0 when absent)."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        head, _, value = line.rpartition(" ")
        if head.split("{")[0] != name:
            continue
        found = dict(
            part.split("=", 1) for part in head[len(name) + 1 : -1].split(",") if "=" in part
        ) if "{" in head else {}
        if all(found.get(k, "").strip('"') == v for k, v in labels.items()):
            return float(value)
    return 0.0


# --- API keys -------------------------------------------------------------------------------------


@pytest.fixture
async def keyed(serve):
    return await serve(echo, settings=Settings(api_keys=("old-key", "new-key")))


async def test_missing_key_is_401_with_a_challenge(keyed):
    response = await keyed.post("/score", json={"Inputs": 1})
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="gateway"'
    assert "Authorization: Bearer <key>" in (await response.json())["message"]
    assert response.headers["x-request-id"]


async def test_wrong_key_is_401_invalid_token(keyed):
    response = await keyed.post("/score", json={"Inputs": 1}, headers={"Authorization": "Bearer nope"})
    assert response.status == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert (await response.json())["message"] == "the API key is not valid"


@pytest.mark.parametrize("key", ["old-key", "new-key"])
async def test_both_keys_of_a_rotation_are_accepted(keyed, key):
    response = await keyed.post("/score", json={"Inputs": 1}, headers={"Authorization": f"Bearer {key}"})
    assert response.status == 200


async def test_basic_auth_scheme_is_refused(keyed):
    response = await keyed.post("/score", json={"Inputs": 1}, headers={"Authorization": "Basic b2xkLWtleQ=="})
    assert response.status == 401


@pytest.mark.parametrize("path", ["/", "/healthz", "/readyz"])
async def test_probes_stay_open(keyed, path):
    assert (await keyed.get(path)).status == 200


@pytest.mark.parametrize("path", ["/metrics", "/contract.json", "/score"])
async def test_everything_else_needs_the_key(keyed, path):
    assert (await keyed.get(path)).status == 401


# --- CORS -------------------------------------------------------------------------------------------


@pytest.fixture
async def cors(serve):
    return await serve(echo, settings=Settings(cors_origins=("https://allowed.example",)))


async def test_preflight_from_an_allowed_origin(cors):
    response = await cors.options(
        "/score",
        headers={
            "Origin": "https://allowed.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,authorization",
        },
    )
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://allowed.example"
    assert "Origin" in response.headers["Vary"]  # the echoed origin varies per request: caches must know
    assert set(response.headers["Access-Control-Allow-Methods"].split(",")) >= {"POST"}
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "content-type" in allowed and "authorization" in allowed
    assert "Access-Control-Allow-Credentials" not in response.headers


async def test_preflight_from_a_refused_origin_gets_no_cors_headers(cors):
    response = await cors.options(
        "/score", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert response.status == 403
    assert "Access-Control-Allow-Origin" not in response.headers


async def test_actual_request_from_allowed_origin_exposes_gateway_headers(cors):
    response = await cors.post("/score", json={"Inputs": 1}, headers={"Origin": "https://allowed.example"})
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://allowed.example"
    assert "x-request-id" in response.headers["Access-Control-Expose-Headers"]


async def test_preflight_passes_even_when_keys_are_required(serve):
    client = await serve(echo, settings=Settings(cors_origins=("*",), api_keys=("k",)))
    response = await client.options(
        "/score", headers={"Origin": "https://any.example", "Access-Control-Request-Method": "POST"}
    )
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] in ("*", "https://any.example")


async def test_without_cors_options_is_405(serve):
    client = await serve(echo)
    assert (await client.options("/score")).status == 405


# --- limits -----------------------------------------------------------------------------------------


async def test_deeply_nested_json_is_400(serve):
    client = await serve(echo)
    body = b'{"Inputs": ' + b"[" * 3000 + b"]" * 3000 + b"}"
    response = await client.post("/score", data=body, headers=JSON)
    assert response.status == 400
    assert "depth limit exceeded" in (await response.json())["message"]


async def test_chunked_body_over_the_limit_is_413_without_reading_it_all(serve):
    client = await serve(echo, settings=Settings(max_body_size=1024 * 1024))
    sent = 0

    async def chunks():
        nonlocal sent
        chunk = b" " * 65536
        for _ in range(3200):  # 200 MiB if it were all read
            sent += len(chunk)
            yield chunk

    try:
        response = await client.post("/score", data=chunks(), headers=JSON)
        status = response.status
    except aiohttp.ClientError:
        status = 413  # the server may close the connection while we are still sending
    assert status == 413
    assert sent < 200 * 1024 * 1024


# --- time -------------------------------------------------------------------------------------------


async def test_hanging_scorer_times_out_with_504_while_health_checks_answer(serve):
    release = threading.Event()

    @contract(Inputs=Json())
    def hangs(Inputs):
        release.wait(30)
        return {"Results": "late"}

    client = await serve(hangs, settings=Settings(scoring_timeout=0.5))
    try:
        pending = asyncio.ensure_future(client.post("/score", json={"Inputs": 1}))
        await asyncio.sleep(0.1)
        for _ in range(3):
            assert (await client.get("/healthz")).status == 200
        response = await pending
        assert response.status == 504
        assert await response.json() == {"message": "scoring timed out after 500 ms"}
        assert response.headers["x-ms-run-function-failed"] == "True"
        metrics = await (await client.get("/metrics")).text()
        assert metric(metrics, "gateway_scorer_errors_total", kind="timeout") == 1
    finally:
        release.set()


async def test_async_scorer_is_cancelled_on_timeout(serve):
    cancelled = asyncio.Event()

    @contract(Inputs=Json())
    async def sleeps(Inputs):
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    client = await serve(sleeps, settings=Settings(scoring_timeout=0.2))
    response = await client.post("/score", json={"Inputs": 1})
    assert response.status == 504
    assert cancelled.is_set()


async def test_client_disconnect_cancels_queued_work(serve):
    release = threading.Event()
    calls: list[int] = []

    @contract(Inputs=Json())
    def blocking(Inputs):
        calls.append(Inputs)
        release.wait(30)
        return {"Results": Inputs}

    client = await serve(blocking, settings=Settings(max_concurrency=1, max_queue=5))
    first = asyncio.ensure_future(client.post("/score", json={"Inputs": 1}))
    await asyncio.sleep(0.2)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(client.post("/score", json={"Inputs": 2}), timeout=0.3)
    await asyncio.sleep(0.2)  # the server notices the closed connection and cancels the waiting handler
    metrics = await (await client.get("/metrics")).text()
    assert metric(metrics, "gateway_queue_depth") == 0
    release.set()
    assert (await first).status == 200
    third = await client.post("/score", json={"Inputs": 3})
    assert (await third.json())["Results"] == 3
    assert calls == [1, 3]  # request 2 never reached run()


# --- backpressure -----------------------------------------------------------------------------------


async def test_50_concurrent_requests_against_concurrency_2_and_queue_5(serve):
    release = threading.Event()

    @contract(Inputs=Json())
    def gated(Inputs):
        release.wait(30)
        return {"Results": Inputs}

    client = await serve(gated, settings=Settings(max_concurrency=2, max_queue=5))
    tasks = [asyncio.ensure_future(client.post("/score", json={"Inputs": i})) for i in range(50)]
    await asyncio.sleep(0.5)
    metrics = await (await client.get("/metrics")).text()
    assert metric(metrics, "gateway_scorer_calls_in_flight") == 2
    assert metric(metrics, "gateway_queue_depth") == 5
    release.set()
    responses = await asyncio.gather(*tasks)
    statuses = [r.status for r in responses]
    assert statuses.count(200) == 7
    assert statuses.count(429) == 43
    for response in responses:
        if response.status == 429:
            assert response.headers["Retry-After"] == "1"
            assert "at capacity" in (await response.json())["message"]
        else:
            assert (await response.json())["Results"] in range(50)
    metrics = await (await client.get("/metrics")).text()
    assert metric(metrics, "gateway_requests_total", route="/score", status="200") == 7
    assert metric(metrics, "gateway_requests_total", route="/score", status="429") == 43
    assert metric(metrics, "gateway_rejected_total", scorer="default") == 43
    assert metric(metrics, "gateway_scorer_calls_in_flight") == 0
    assert metric(metrics, "gateway_queue_depth") == 0


async def test_metrics_count_requests_latency_and_ignored_keys(serve):
    client = await serve(echo)
    await client.post("/score", json={"Inputs": 1, "Extra": 2, "More": 3})
    await client.post("/score", data=b"", headers=JSON)
    text = await (await client.get("/metrics")).text()
    assert metric(text, "gateway_requests_total", scorer="default", route="/score", status="200") == 1
    assert metric(text, "gateway_requests_total", scorer="default", route="/score", status="400") == 1
    assert metric(text, "gateway_request_duration_seconds_count", scorer="default", route="/score") == 2
    assert metric(text, "gateway_ignored_inputs_total", scorer="default") == 2


# --- logs -------------------------------------------------------------------------------------------


def test_json_access_log_lines_carry_id_scorer_status_and_no_secrets(gateway_process):
    import requests
    from conftest import SCORERS

    process = gateway_process(
        "--scorer", str(SCORERS / "echo.py"), "--log-format", "json", "--api-key", "secret-key"
    )
    response = requests.post(
        process.base + "/score",
        json={"Inputs": "very-private-value"},
        headers={"Authorization": "Bearer secret-key", "x-request-id": "log-1"},
        timeout=10,
    )
    assert response.status_code == 200
    _, err = process.stop()
    entries = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    access = [e for e in entries if e.get("logger") == "aiohttp.access" and e.get("request_id") == "log-1"]
    assert len(access) == 1
    entry = access[0]
    assert entry["scorer"] == "default" and entry["status"] == 200 and entry["path"] == "/score"
    assert entry["method"] == "POST" and entry["duration_ms"] > 0 and entry["rows"] == 0
    assert "very-private-value" not in err and "secret-key" not in err


def test_text_access_log_line(gateway_process):
    import requests
    from conftest import SCORERS

    process = gateway_process("--scorer", str(SCORERS / "echo.py"))
    requests.post(process.base + "/score", json={"Inputs": 1}, headers={"x-request-id": "txt-1"}, timeout=10)
    _, err = process.stop()
    line = next(line for line in err.splitlines() if "id=txt-1" in line)
    assert '"POST /score" 200' in line and "scorer=default" in line


async def test_clients_that_leave_while_queued_are_not_server_errors(serve, caplog):
    """Clients that give up while their request waits for a slot: no traceback in the log and no 500 in
    the metrics (once: `ValueError: <Future cancelled> is not in deque` and a 500 each); they count as 499."""
    from scorers.slow import run as slow

    client = await serve(slow, settings=Settings(max_concurrency=1, max_queue=50, inline_budget=0))
    body = {"Inputs": 1, "GlobalParameters": {"sleep": 1.5}}
    holder = asyncio.ensure_future(client.post("/score", json=body))
    for _ in range(100):  # until the slow call holds the only slot
        await asyncio.sleep(0.01)
        if metric(await (await client.get("/metrics")).text(), "gateway_scorer_calls_in_flight") == 1:
            break
    timeout = aiohttp.ClientTimeout(total=0.05)
    url = client.make_url("/score")
    async with aiohttp.ClientSession() as session:
        for _ in range(10):
            with pytest.raises(asyncio.TimeoutError):
                await session.post(url, json={"Inputs": 1}, timeout=timeout)
    assert (await holder).status == 200
    after = await client.post("/score", json={"Inputs": 2})
    assert after.status == 200
    text = await (await client.get("/metrics")).text()
    assert metric(text, "gateway_requests_total", route="/score", status="500") == 0
    assert metric(text, "gateway_requests_total", route="/score", status="499") == 10
    assert not [r for r in caplog.records if "unhandled" in r.getMessage() or r.exc_info]
