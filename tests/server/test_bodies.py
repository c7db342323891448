"""Request bodies under hostile traffic: compressed bodies inflated off the loop within the body limit,
corrupt ones answered 400, and no body read before the request is admitted and authenticated."""

from __future__ import annotations

import asyncio
import gzip
import threading
import zlib

import pytest

from gateway import Json, Settings, Value, contract
from gateway.server import body as body_module

JSON = {"Content-Type": "application/json"}
PAYLOAD = b'{"Inputs": {"rows": [1, 2, 3]}, "GlobalParameters": {"sleep": 0}}'


@contract(Inputs=Json(), GlobalParameters={"sleep": Value(float, default=0.0)})
def echo(Inputs, GlobalParameters):
    import time

    time.sleep(GlobalParameters["sleep"])
    return {"Results": Inputs}


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("gzip", gzip.compress(PAYLOAD)),
        ("x-gzip", gzip.compress(PAYLOAD)),
        ("deflate", zlib.compress(PAYLOAD)),
        ("deflate", zlib.compress(PAYLOAD)[2:-4]),  # raw deflate, as some clients send it
        ("gzip", gzip.compress(PAYLOAD[:30]) + gzip.compress(PAYLOAD[30:])),  # two gzip members
        ("identity", PAYLOAD),
    ],
)
async def test_encoded_bodies_are_inflated(serve, encoding, data):
    client = await serve(echo)
    response = await client.post("/score", data=data, headers={**JSON, "Content-Encoding": encoding})
    assert response.status == 200, await response.text()
    assert await response.json() == {"Results": {"rows": [1, 2, 3]}}


@pytest.mark.parametrize(
    "data",
    [gzip.compress(PAYLOAD)[:15] + b"garbage" * 10, gzip.compress(PAYLOAD)[:-12], b"not gzip at all"],
    ids=["corrupt", "truncated", "not-gzip"],
)
async def test_a_corrupt_compressed_body_is_a_400(serve, data):
    """Once a 500 with aiohttp's traceback in the log."""
    client = await serve(echo)
    response = await client.post("/score", data=data, headers={**JSON, "Content-Encoding": "gzip"})
    assert response.status == 400
    body = await response.json()
    assert "gzip" in body["message"] and body["errors"][0]["path"] == "$"


async def test_an_unknown_encoding_is_a_415(serve):
    client = await serve(echo)
    response = await client.post("/score", data=PAYLOAD, headers={**JSON, "Content-Encoding": "br"})
    assert response.status == 415
    assert "Content-Encoding 'br'" in (await response.json())["message"]


async def test_a_bomb_is_413_as_soon_as_it_inflates_past_the_limit_and_is_inflated_off_the_loop(serve, monkeypatch):
    """98 KiB of gzip inflating to 100 MiB: refused at the 1 MiB limit, inflated in a worker thread."""
    threads: list[str] = []
    original = body_module.inflate

    def spy(data: bytes, encoding: str, limit: int) -> bytes:
        threads.append(threading.current_thread().name)
        return original(data, encoding, limit)

    monkeypatch.setattr(body_module, "inflate", spy)
    client = await serve(echo, settings=Settings(max_body_size=1 << 20))
    bomb = gzip.compress(b'{"Inputs": "' + b" " * (100 << 20) + b'"}', compresslevel=9)
    assert len(bomb) < 200 << 10
    response = await client.post("/score", data=bomb, headers={**JSON, "Content-Encoding": "gzip"})
    assert response.status == 413
    assert "inflates past the limit of 1048576 bytes" in (await response.json())["message"]
    assert threads and threading.main_thread().name not in threads
    assert (await client.get("/healthz")).status == 200


async def test_without_a_key_a_compressed_body_is_never_read_or_inflated(serve, monkeypatch):
    """With keys, unauthenticated bombs once still stalled the loop while aiohttp inflated them."""
    calls: list[int] = []
    monkeypatch.setattr(body_module, "inflate", lambda *args: calls.append(1) or b"")
    client = await serve(echo, settings=Settings(api_keys=("k",)))
    bomb = gzip.compress(b" " * (20 << 20))
    response = await client.post("/score", data=bomb, headers={**JSON, "Content-Encoding": "gzip"})
    assert response.status == 401
    assert response.headers.get("Connection", "").lower() == "close"
    assert calls == []


async def test_a_request_beyond_admission_is_refused_before_its_body_is_read(serve):
    """Bodies were read before admission control: 20 concurrent 80 MB bodies against 2 running + 5 queued
    raised peak memory by 1.6 GB. Now the 3rd request against 1 running + 1 queued gets its 429 while
    its body has not even been sent."""
    client = await serve(echo, settings=Settings(max_concurrency=1, max_queue=1, inline_budget=0))
    slow = b'{"Inputs": 1, "GlobalParameters": {"sleep": 1.0}}'
    busy = [asyncio.ensure_future(client.post("/score", data=slow, headers=JSON)) for _ in range(2)]
    await asyncio.sleep(0.3)
    reader, writer = await asyncio.open_connection("127.0.0.1", client.port)
    writer.write(b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 80000000\r\n\r\n{")
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(4096), 5)  # answered without the other 79 999 999 bytes
    writer.close()
    assert answer.startswith(b"HTTP/1.1 429"), answer[:100]
    assert b"Retry-After: 1" in answer and b"Connection: close" in answer
    assert [r.status for r in await asyncio.gather(*busy)] == [200, 200]
    assert (await client.post("/score", data=PAYLOAD, headers=JSON)).status == 200  # admission came back
