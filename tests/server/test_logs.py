"""gateway.server.logs: the formatters' record-free lines match their `format()`, and the access logger only
writes directly when the gateway's own handler is the one place its records would go."""

from __future__ import annotations

import io
import json
import logging
import os
import time

import pytest
from conftest import SCORERS

from gateway.server.keys import REQUEST_ID, ROWS, SCORER_NAME, STARTED
from gateway.server.logs import (
    AccessLogger,
    BufferedStreamHandler,
    JsonFormatter,
    TextFormatter,
    configure_logging,
    direct_handler,
)

ACCESS = logging.getLogger("aiohttp.access")


@pytest.fixture
def gateway_logging():
    """configure_logging's setup with its stream swapped for a StringIO; the previous setup restored after."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging("info", "text")
    handler = root.handlers[0]
    handler.stream = io.StringIO()
    yield handler
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    ACCESS.filters.clear()
    ACCESS.propagate = True


def _record(created: float, message: str, fields: dict | None = None) -> logging.LogRecord:
    record = logging.LogRecord("aiohttp.access", logging.INFO, "", 0, message, (), None)
    record.created = created
    record.msecs = int((created - int(created)) * 1000)
    if fields:
        record.fields = fields
    return record


@pytest.mark.parametrize("created", [1764037778.123456, 1764037778.0, 1764037779.999])
def test_text_line_is_what_format_makes(created):
    formatter = TextFormatter()
    line = formatter.line(created, "INFO", "aiohttp.access", '127.0.0.1 "POST /score" 200 1.234ms id=a', {})
    assert line == formatter.format(_record(created, '127.0.0.1 "POST /score" 200 1.234ms id=a'))
    assert line.endswith(' INFO aiohttp.access: 127.0.0.1 "POST /score" 200 1.234ms id=a')


def test_text_line_stamp_follows_the_second():
    formatter = TextFormatter()
    first = formatter.line(1764037778.5, "INFO", "n", "m", {})
    second = formatter.line(1764037779.25, "INFO", "n", "m", {})
    assert first[:19] != second[:19] and second == formatter.format(_record(1764037779.25, "m")).replace("aiohttp.access", "n")


def test_json_line_is_what_format_makes():
    formatter = JsonFormatter()
    fields = {"status": 200, "path": "/score", "rows": 3, "scorer": "ünï"}
    line = formatter.line(1764037778.042, "INFO", "aiohttp.access", "access", fields)
    assert line == formatter.format(_record(1764037778.042, "access", fields))
    entry = json.loads(line)
    assert entry["time"].endswith(".042Z") and entry["status"] == 200 and entry["scorer"] == "ünï"


def _alone(handler: BufferedStreamHandler) -> None:
    """Drop the capture handlers pytest adds to the root logger for each test's call phase."""
    logging.getLogger().handlers[:] = [handler]


def test_direct_handler_only_for_the_gateways_own_setup(gateway_logging):
    _alone(gateway_logging)
    assert direct_handler(ACCESS) is gateway_logging
    ACCESS.addFilter(lambda record: True)
    assert direct_handler(ACCESS) is None
    ACCESS.filters.clear()
    ACCESS.propagate = False
    assert direct_handler(ACCESS) is None
    ACCESS.propagate = True
    extra = logging.StreamHandler(io.StringIO())
    logging.getLogger().addHandler(extra)
    assert direct_handler(ACCESS) is None
    logging.getLogger().removeHandler(extra)
    gateway_logging.setFormatter(logging.Formatter("%(message)s"))
    assert direct_handler(ACCESS) is None


class _Request(dict):
    remote = "127.0.0.1"
    method = "POST"
    path = "/score"


class _Response:
    status = 200


def _log_once(handler: BufferedStreamHandler, log_format: str) -> str:
    handler.stream = io.StringIO()
    request = _Request({REQUEST_ID: "req-1", SCORER_NAME: "default", ROWS: 2})
    AccessLogger(ACCESS, log_format).log(request, _Response(), 0.0012345)
    return handler.stream.getvalue()


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_access_line_is_the_same_written_directly_or_through_a_record(gateway_logging, log_format):
    _alone(gateway_logging)
    gateway_logging.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    assert direct_handler(ACCESS) is gateway_logging
    direct = _log_once(gateway_logging, log_format)
    ACCESS.addFilter(lambda record: True)  # any filter sends records the usual way
    assert direct_handler(ACCESS) is None
    usual = _log_once(gateway_logging, log_format)
    assert direct.count("\n") == usual.count("\n") == 1
    if log_format == "json":
        a, b = json.loads(direct), json.loads(usual)
        assert a.pop("time")[:10] == b.pop("time")[:10] and a == b
        assert a["request_id"] == "req-1" and a["rows"] == 2 and a["duration_ms"] == 1.234
    else:
        assert direct[23:] == usual[23:]  # all but the time stamp
        assert direct[23:] == ' INFO aiohttp.access: 127.0.0.1 "POST /score" 200 1.234ms id=req-1 scorer=default rows=2\n'


def test_access_line_respects_the_level(gateway_logging):
    _alone(gateway_logging)
    logging.getLogger().setLevel("WARNING")
    assert _log_once(gateway_logging, "text") == ""


def test_buffered_handler_writes_warnings_at_once(tmp_path):
    path = tmp_path / "log.txt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        handler = BufferedStreamHandler(fd, interval=60)
        handler.setFormatter(TextFormatter())
        handler.write_line("an info line")
        assert path.read_text() == ""  # still in the buffer
        handler.emit(logging.LogRecord("gateway.server", logging.WARNING, "", 0, "a warning", (), None))
        text = path.read_text()
        assert text.startswith("an info line\n") and text.rstrip().endswith("WARNING gateway.server: a warning")
    finally:
        os.close(fd)


def test_access_duration_is_measured_from_the_middlewares_start(gateway_logging):
    """aiohttp's own duration comes from loop.time(), whole milliseconds on uvloop; the middleware's
    perf_counter() start gives the real one."""
    _alone(gateway_logging)
    gateway_logging.setFormatter(JsonFormatter())
    request = _Request({REQUEST_ID: "req-2", STARTED: time.perf_counter() - 0.0123456})
    AccessLogger(ACCESS, "json").log(request, _Response(), 0.001)
    duration = json.loads(gateway_logging.stream.getvalue())["duration_ms"]
    assert 12.345 <= duration < 1000 and duration != 1.0


HOSTILE = [
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer SECRETKEY\x01\r\n\r\n",
    b"GET /score?token=SECRETQUERY" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /healthz%0a2026-01-01%2000:00:00,000%20INFO%20gateway.access:%20FORGED HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Thing: val\x7fue SECRETHEADER\r\n\r\n",
    b"POST /score?q=SECRETQUERY HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer SECRETKEY\r\nContent-Length: 5\r\n\r\nSECRE",
]


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_no_key_query_or_header_reaches_the_log_and_no_line_can_be_forged(gateway_process, log_format):
    """Once aiohttp's "Error handling request" traceback quoted the raw header (the key) and the URL (the
    query string), and a `%0a` in the path wrote a second, fake text line."""
    import re
    import socket

    gateway = gateway_process("--scorer", str(SCORERS / "echo.py"), "--api-key", "k1", "--log-format", log_format)
    for head in HOSTILE:
        with socket.create_connection(("127.0.0.1", gateway.port), timeout=10) as sock:
            sock.sendall(head)
            assert sock.recv(200).startswith(b"HTTP/1.")
    _, err = gateway.stop()
    for secret in ("SECRETKEY", "SECRETQUERY", "SECRETHEADER", "SECRE"):
        assert secret not in err, f"{secret} reached the log:\n{err}"
    assert "FORGED" in err  # the path is logged, escaped, on its own record's line
    record = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ \S+: ") if log_format == "text" else re.compile(r"^\{")
    for line in err.splitlines():
        assert record.match(line) or line.startswith("    "), f"a line that is not a record: {line!r}"
        if "FORGED" in line:  # the forged text stays inside the access record that carried it
            assert "/healthz\\x0a2026-01-01" in line or "/healthz\\n2026-01-01" in line
    if log_format == "json":
        assert all(json.loads(line) for line in err.splitlines() if line.strip())
