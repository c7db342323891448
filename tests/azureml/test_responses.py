"""Responses a script builds beyond a body: `AMLResponse(generator)` streams, and a `flask.Response` returned
by `run()` is sent as it is (README 'Moving from Azure ML'). Through a real HTTP server, with
scripts written as Azure's are."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest

from gateway.scoring.loader import load_scorer
from gateway.settings import ScorerTarget

STREAM_SCRIPT = '''
import threading
import time

from azureml.contrib.services.aml_request import AMLRequest, rawhttp
from azureml.contrib.services.aml_response import AMLResponse

released = threading.Event()  # set by the test once it has the first chunk
closed = threading.Event()  # set when the endless generator is closed
opened = []  # the endless generators, kept alive: only an explicit close() ends them


def init():
    pass


@rawhttp
def run(request):
    case = request.args.get("case")
    if case == "wait":
        def generate():
            yield "chunk 0\\n"
            yield "chunk 1 (released)\\n" if released.wait(10) else "chunk 1 (never released)\\n"
            yield "chunk 2\\n"
        return AMLResponse(generate(), 200, {"Content-Type": "text/plain"})
    if case == "bytes":
        def generate():
            yield b"\\x89PNG\\r\\n"
            yield bytes(range(256))
            yield bytearray(b"\\xff\\x00")
        return AMLResponse(generate(), 200, {"Content-Type": "application/octet-stream"})
    if case == "fail":
        def generate():
            yield "chunk 0\\n"
            raise RuntimeError("the model crashed midway")
        return AMLResponse(generate(), 200, {"Content-Type": "text/plain"})
    if case == "not-text":
        def generate():
            yield "chunk 0\\n"
            yield 42
        return AMLResponse(generate(), 200, {"Content-Type": "text/plain"})
    if case == "endless":
        def generate():
            try:
                i = 0
                while True:
                    yield f"tick {i}\\n"
                    i += 1
                    time.sleep(0.01)
            finally:
                closed.set()
        stream = generate()
        opened.append(stream)
        return AMLResponse(stream, 200, {"Content-Type": "text/plain"})

    def generate():
        for i in range(3):
            yield f"chunk {i}\\n"
    return AMLResponse(generate(), 200, {"Content-Type": "text/plain"})
'''

FLASK_SCRIPT = '''
from azureml.contrib.services.aml_request import AMLRequest, rawhttp
from flask import Response


def init():
    pass


@rawhttp
def run(request):
    case = request.args.get("case")
    if case == "created":
        response = Response('{"id": 7}', status=201, mimetype="application/json")
        response.headers["X-Model-Version"] = "3"
        response.headers.add("Set-Cookie", "a=1; Path=/")
        response.headers.add("Set-Cookie", "b=2; Path=/")
        return response
    if case == "unavailable":
        return Response("the model is warming up", status=503, headers={"Retry-After": "5"})
    if case == "stream":
        def generate():
            for i in range(3):
                yield f"line {i}\\n"
        return Response(generate(), mimetype="text/plain")
    return Response(b"\\x00\\x01", status=202, content_type="application/octet-stream")
'''

PLAIN_FLASK_SCRIPT = '''
from flask import Response


def init():
    pass


def run(data):
    return Response(f"got {data}", status=201, mimetype="text/plain")
'''


async def _client(serve, tmp_path, source):
    path = tmp_path / "score.py"
    path.write_text(source)
    scorer = load_scorer(ScorerTarget("default", str(path)))
    return await serve(scorer), scorer.run.__globals__


async def _http_chunks(response: aiohttp.ClientResponse) -> list[bytes]:
    """The body as the HTTP chunks it was sent in (the empty last chunk left out)."""
    chunks, current = [], b""
    async for data, end_of_http_chunk in response.content.iter_chunks():
        current += data
        if end_of_http_chunk and current:
            chunks.append(current)
            current = b""
    assert current == b"", "the body was not sent as HTTP chunks"
    return chunks


@pytest.fixture
def flask():
    return pytest.importorskip("flask")


# --- AMLResponse(generator) -------------------------------------------------------------------


async def test_azures_streaming_example_sends_each_chunk_as_its_own_http_chunk(serve, tmp_path):
    client, _ = await _client(serve, tmp_path, STREAM_SCRIPT)
    response = await client.post("/score", data=b"{}", headers={"x-request-id": "stream-1"})
    assert response.status == 200
    assert response.headers["Transfer-Encoding"] == "chunked" and "Content-Length" not in response.headers
    assert response.headers["Content-Type"] == "text/plain"
    assert float(response.headers["x-ms-run-fn-exec-ms"]) >= 0
    assert response.headers["x-ms-run-function-failed"] == "False"
    assert response.headers["x-request-id"] == "stream-1"  # the middleware's headers reach a stream too
    assert await _http_chunks(response) == [b"chunk 0\n", b"chunk 1\n", b"chunk 2\n"]


async def test_the_first_chunk_is_sent_before_the_second_is_produced(serve, tmp_path):
    client, script = await _client(serve, tmp_path, STREAM_SCRIPT)
    response = await client.post("/score?case=wait", data=b"{}")
    first = await asyncio.wait_for(response.content.readchunk(), 5)  # the generator now waits on `released`
    assert first == (b"chunk 0\n", True)
    assert not script["released"].is_set()
    script["released"].set()
    assert await _http_chunks(response) == [b"chunk 1 (released)\n", b"chunk 2\n"]


async def test_bytes_chunks_are_sent_as_they_are(serve, tmp_path):
    client, _ = await _client(serve, tmp_path, STREAM_SCRIPT)
    response = await client.post("/score?case=bytes", data=b"{}")
    assert response.status == 200 and response.headers["Content-Type"] == "application/octet-stream"
    assert await _http_chunks(response) == [b"\x89PNG\r\n", bytes(range(256)), b"\xff\x00"]


@pytest.mark.parametrize("case, error", [("fail", "RuntimeError: the model crashed midway"), ("not-text", "yielded int")])
async def test_a_generator_failing_midway_cuts_the_body_short_and_is_logged(serve, tmp_path, caplog, case, error):
    client, _ = await _client(serve, tmp_path, STREAM_SCRIPT)
    with caplog.at_level(logging.ERROR, logger="gateway.server"):
        response = await client.post(f"/score?case={case}", data=b"{}", headers={"x-request-id": f"cut-{case}"})
        assert response.status == 200  # sent before the failure
        assert await asyncio.wait_for(response.content.readchunk(), 5) == (b"chunk 0\n", True)
        with pytest.raises(aiohttp.ClientPayloadError):  # no terminating chunk: the client sees a truncated body
            await asyncio.wait_for(response.read(), 5)
    logged = [r for r in caplog.records if "failed midway" in r.getMessage()]
    assert len(logged) == 1
    assert f"request id cut-{case}" in logged[0].getMessage() and "scorer 'default'" in logged[0].getMessage()
    assert error in caplog.text  # with its traceback


async def test_a_client_that_leaves_closes_the_generator(serve, tmp_path):
    client, script = await _client(serve, tmp_path, STREAM_SCRIPT)
    response = await client.post("/score?case=endless", data=b"{}")
    assert (await asyncio.wait_for(response.content.readchunk(), 5))[0] == b"tick 0\n"
    response.close()  # the connection goes away mid-stream
    assert await asyncio.to_thread(script["closed"].wait, 5), "the generator was not closed"
    assert len(script["opened"]) == 1  # still referenced: closed by the gateway, not by the garbage collector
    # the server keeps serving
    again = await client.post("/score", data=b"{}")
    assert await again.read() == b"chunk 0\nchunk 1\nchunk 2\n"


# --- flask.Response -----------------------------------------------------------------------------


async def test_a_flask_response_is_sent_with_its_status_and_every_header_line(serve, tmp_path, flask):
    client, _ = await _client(serve, tmp_path, FLASK_SCRIPT)
    response = await client.post("/score?case=created", data=b"{}")
    assert response.status == 201
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Model-Version"] == "3"
    assert response.headers.getall("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"]
    assert await response.read() == b'{"id": 7}'
    assert response.headers["Content-Length"] == "9"
    assert response.headers["x-ms-run-function-failed"] == "False"
    assert float(response.headers["x-ms-run-fn-exec-ms"]) >= 0
    other = await client.post("/score", data=b"{}")
    assert other.status == 202 and other.headers["Content-Type"] == "application/octet-stream"
    assert await other.read() == b"\x00\x01"


async def test_a_flask_response_of_503_is_marked_failed(serve, tmp_path, flask):
    client, _ = await _client(serve, tmp_path, FLASK_SCRIPT)
    response = await client.post("/score?case=unavailable", data=b"{}")
    assert response.status == 503
    assert response.headers["x-ms-run-function-failed"] == "True"
    assert response.headers["Retry-After"] == "5"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"  # flask's default
    assert await response.text() == "the model is warming up"


async def test_a_streamed_flask_response_streams(serve, tmp_path, flask):
    client, _ = await _client(serve, tmp_path, FLASK_SCRIPT)
    response = await client.post("/score?case=stream", data=b"{}")
    assert response.status == 200
    assert response.headers["Transfer-Encoding"] == "chunked"
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert await _http_chunks(response) == [b"line 0\n", b"line 1\n", b"line 2\n"]


async def test_a_flask_response_from_an_undecorated_run_is_sent_too(serve, tmp_path, flask):
    client, _ = await _client(serve, tmp_path, PLAIN_FLASK_SCRIPT)
    response = await client.post("/score", data=b'{"a": 1}')
    assert response.status == 201 and response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert await response.text() == 'got {"a": 1}'
