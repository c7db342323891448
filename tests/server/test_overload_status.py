"""`--overload-status 503` (README 'Text values and overload status'): a request refused at capacity gets 503
instead of 429, with Retry-After either way, for clients that retry only 503 (Azure Stream Analytics)."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
import requests
from conftest import SCORERS

from gateway import Json, Settings, contract
from gateway.cli import main as cli

SLOW = str(SCORERS / "slow.py")
JSON = {"Content-Type": "application/json"}


def metric(text: str, name: str, **labels: str) -> float:
    """One sample of the Prometheus text (0 when absent)."""
    for line in text.splitlines():
        head, _, value = line.rpartition(" ")
        if line.startswith("#") or head.split("{")[0] != name:
            continue
        found = dict(part.split("=", 1) for part in head[len(name) + 1 : -1].split(",")) if "{" in head else {}
        if all(found.get(k, "").strip('"') == v for k, v in labels.items()):
            return float(value)
    return 0.0


@pytest.mark.parametrize("status", [429, 503])
async def test_saturated_requests_get_the_overload_status_with_retry_after(serve, status):
    release = threading.Event()

    @contract(Inputs=Json())
    def gated(Inputs):
        release.wait(30)
        return {"Results": Inputs}

    client = await serve(gated, settings=Settings(max_concurrency=2, max_queue=3, overload_status=status))
    tasks = [asyncio.ensure_future(client.post("/score", json={"Inputs": i})) for i in range(20)]
    await asyncio.sleep(0.5)
    release.set()
    responses = await asyncio.gather(*tasks)
    statuses = [r.status for r in responses]
    assert statuses.count(200) == 5 and statuses.count(status) == 15, statuses
    for response in responses:
        if response.status == status:
            assert response.headers["Retry-After"] == "1"
            assert "at capacity" in (await response.json())["message"]
    metrics = await (await client.get("/metrics")).text()
    assert metric(metrics, "gateway_requests_total", route="/score", status=str(status)) == 15
    assert metric(metrics, "gateway_rejected_total", scorer="default") == 15


async def test_a_request_beyond_admission_gets_503_before_its_body_is_read(serve):
    client = await serve(_sleepy, settings=Settings(max_concurrency=1, max_queue=0, inline_budget=0, overload_status=503))
    busy = asyncio.ensure_future(client.post("/score", data=b'{"Inputs": 1, "GlobalParameters": {"sleep": 1.0}}', headers=JSON))
    await asyncio.sleep(0.3)
    reader, writer = await asyncio.open_connection("127.0.0.1", client.port)
    writer.write(b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 80000000\r\n\r\n{")
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(4096), 5)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 503"), answer[:100]
    assert b"Retry-After: 1" in answer and b"at capacity" in answer
    assert (await busy).status == 200


@contract(Inputs=Json(), GlobalParameters=Json(default={}))
def _sleepy(Inputs, GlobalParameters):
    time.sleep(GlobalParameters.get("sleep", 0))
    return {"Results": Inputs}


def test_a_gateway_process_with_overload_status_503_answers_503_when_saturated(gateway_process):
    gateway = gateway_process("--scorer", SLOW, "--overload-status", "503", "--max-concurrency", "1", "--max-queue", "0")
    answers: list[requests.Response] = []
    slow = threading.Thread(target=lambda: answers.append(requests.post(
        gateway.base + "/score", json={"Inputs": 1, "GlobalParameters": {"sleep": 2.0}}, timeout=30)))
    slow.start()
    time.sleep(0.5)  # the slow call holds the one slot
    try:
        response = requests.post(gateway.base + "/score", json={"Inputs": 2}, timeout=10)
        assert response.status_code == 503, response.text
        assert response.headers["Retry-After"] == "1"
        assert "at capacity" in response.json()["message"]
    finally:
        slow.join()
    assert [answer.status_code for answer in answers] == [200]
    assert requests.post(gateway.base + "/score", json={"Inputs": 3}, timeout=10).status_code == 200


def test_the_environment_sets_it_and_only_429_or_503_is_accepted(monkeypatch, capsys):
    parser = cli.build_parser()
    monkeypatch.setenv("GATEWAY_OVERLOAD_STATUS", "503")
    assert cli.settings_from_args(parser, parser.parse_args(["--scorer", SLOW])).overload_status == 503
    with pytest.raises(SystemExit) as exited:
        cli.settings_from_args(parser, parser.parse_args(["--scorer", SLOW, "--overload-status", "500"]))
    assert exited.value.code == 2
    assert "overload_status must be 429 or 503, not 500" in capsys.readouterr().err
