"""API keys under hostile requests: nothing reaches scoring code, or says what is served, without a key."""

from __future__ import annotations

import asyncio

from scorers.churn_table import churn

from gateway import Scorer, Settings
from gateway.azureml import AMLResponse, rawhttp

KEY = {"Authorization": "Bearer k1"}


def raw_scorer(calls: list[str]) -> Scorer:
    @rawhttp
    def run(request):
        calls.append(request.method)
        return AMLResponse("reached run()", 200)

    return Scorer.from_function("raw", run)


async def test_options_needs_the_key_to_reach_a_rawhttp_scorer(serve):
    """Once, with keys and no CORS, `OPTIONS /score/raw?x=1` reached a @rawhttp run() without a key."""
    calls: list[str] = []
    client = await serve(raw_scorer(calls), settings=Settings(api_keys=("k1",)))
    response = await client.options("/score/raw?x=1")
    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert calls == []
    allowed = await client.options("/score/raw?x=1", headers=KEY)
    assert allowed.status == 200 and await allowed.text() == "reached run()"
    assert calls == ["OPTIONS"]


async def test_without_a_key_options_does_not_say_what_exists(serve):
    """An unknown scorer (once: 404 listing the served ones) and an unknown route (once: 405) answer the
    same 401 as a known one."""
    calls: list[str] = []
    client = await serve(raw_scorer(calls), churn=churn, settings=Settings(api_keys=("k1",)))
    answers = []
    for path in ("/score/raw", "/score/nope", "/nowhere", "/score"):
        response = await client.options(path)
        answers.append((response.status, (await response.json())["message"]))
    assert {answer for answer in answers} == {(401, "this gateway needs an API key: send 'Authorization: Bearer <key>'")}
    assert calls == []


async def test_with_cors_only_a_real_preflight_passes_without_a_key(serve):
    calls: list[str] = []
    settings = Settings(api_keys=("k1",), cors_origins=("https://app.example",))
    client = await serve(raw_scorer(calls), settings=settings)
    preflight = {"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}
    answered = await client.options("/score/raw", headers=preflight)
    assert answered.status == 200 and answered.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert (await client.options("/score/raw")).status == 401  # not a preflight: no Origin
    assert (await client.options("/score/raw", headers={"Origin": "https://app.example"})).status == 401
    assert calls == []  # the CORS layer answered; run() never saw an OPTIONS


async def _raw_request(port: int, head: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(65536), 10)
    writer.close()
    return answer


async def test_a_key_with_a_non_utf8_byte_is_a_wrong_key(serve):
    """`Authorization: Bearer k1\\xff` once answered 500."""
    client = await serve(churn, settings=Settings(api_keys=("k1",)))
    head = b"GET /swagger.json HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k1\xff\r\nConnection: close\r\n\r\n"
    answer = await _raw_request(client.port, head)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert b"the API key is not valid" in answer
    good = await _raw_request(client.port, head.replace(b"k1\xff", b"k1"))
    assert good.startswith(b"HTTP/1.1 200")
