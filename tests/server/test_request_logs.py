"""The scorer's own print() and logging lines carry the request id they were written for
(README 'Moving from Azure ML')."""

from __future__ import annotations

import io
import json
import logging
import sys
import textwrap

import requests

from gateway.scoring.current import scoring_request
from gateway.server.logs import JsonFormatter, TextFormatter
from gateway.server.request_logs import PRINT_LOGGER, RequestPrints, install_request_ids

SCRIPT = '''
import logging

logger = logging.getLogger("my_model")


def init():
    print("loaded the model")


def run(raw_data):
    print("scoring", len(raw_data), "bytes")
    logger.warning("the input looks odd")
    if raw_data == "fail":
        raise ValueError("bad row")
    return raw_data.upper()
'''


def write_script(tmp_path):
    path = tmp_path / "score.py"
    path.write_text(textwrap.dedent(SCRIPT))
    return str(path)


def test_prints_and_log_lines_name_their_request(gateway_process, tmp_path):
    process = gateway_process("--scorer", write_script(tmp_path), "--log-level", "INFO")
    answered = requests.post(process.base + "/score", data=b"abc", headers={"x-request-id": "find-me-1"}, timeout=10)
    assert answered.json() == "ABC"
    failed = requests.post(process.base + "/score", data=b"fail", headers={"x-request-id": "find-me-2"}, timeout=10)
    assert failed.status_code == 500
    out, err = process.stop()
    lines = err.splitlines()
    assert any(line.endswith("INFO gateway.print: id=find-me-1 scoring 3 bytes") for line in lines), err
    assert any(line.endswith("WARNING my_model: id=find-me-1 the input looks odd") for line in lines), err
    assert any(line.endswith("INFO gateway.print: id=find-me-2 scoring 4 bytes") for line in lines), err
    assert "loaded the model" in out  # init()'s print, outside any request, is the script's own output
    assert "scoring" not in out


def test_json_lines_carry_the_request_id_as_a_field(gateway_process, tmp_path):
    process = gateway_process("--scorer", write_script(tmp_path), "--log-level", "INFO", "--log-format", "json")
    requests.post(process.base + "/score", data=b"abc", headers={"x-request-id": "json-id-7"}, timeout=10)
    _, err = process.stop()
    entries = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    mine = [e for e in entries if e["logger"] in ("gateway.print", "my_model")]
    assert [(e["logger"], e["message"], e["request_id"]) for e in mine] == [
        ("gateway.print", "scoring 3 bytes", "json-id-7"),
        ("my_model", "the input looks odd", "json-id-7"),
    ]


def test_print_is_passed_through_outside_a_request_and_logged_inside(monkeypatch):
    monkeypatch.setattr("sys.stdout", sys.stdout)  # restored afterwards, as is the record factory
    monkeypatch.setattr(logging, "_logRecordFactory", logging.getLogRecordFactory())
    monkeypatch.setattr(PRINT_LOGGER, "level", logging.INFO)
    install_request_ids()
    assert isinstance(sys.stdout, RequestPrints)
    stream = io.StringIO()
    prints = RequestPrints(stream)
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    PRINT_LOGGER.addHandler(handler)
    try:
        print("outside", file=prints)
        with scoring_request("r-9"):
            print("one", "line", file=prints, end="")
            print(" continued", file=prints)
            print("second", file=prints)
    finally:
        PRINT_LOGGER.removeHandler(handler)
    assert stream.getvalue() == "outside\n"
    assert [(r.getMessage(), r.request_id) for r in records] == [("one line continued", "r-9"), ("second", "r-9")]
    text = TextFormatter().format(records[0])
    assert text.endswith("INFO gateway.print: id=r-9 one line continued")
    assert json.loads(JsonFormatter().format(records[1]))["request_id"] == "r-9"
