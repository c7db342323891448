"""The traffic capture's writer: one JSON line per record, off the request path, truncation markers,
hourly files rotated by size, sampling, collector records (README 'Capturing traffic')."""

from __future__ import annotations

import hashlib
import json
import stat

from gateway.azureml.collector import BasicCorrelationContext, Collected
from gateway.scoring.capture import Capture, Exchange, body_field
from gateway.scoring.current import scoring_request


def exchange(body: bytes, **changes) -> Exchange:
    fields = dict(scorer="default", route="/score", request_id="r-1", status=200, duration_ms=1.25,
                  request_body=body, response_body=b'{"Results": [1]}', content_type="application/json",
                  request_json=True, response_json=True)
    return Exchange(**(fields | changes))


def lines(directory):
    return [json.loads(line) for path in sorted(directory.glob("*.jsonl")) for line in path.read_text().splitlines()]


def test_a_record_holds_the_exchange_and_no_headers(tmp_path):
    capture = Capture(tmp_path)
    capture.record(exchange(b'{"Inputs": {"x": 1}}', query="a=1", rows=3, trace_id="abc"))
    capture.close()
    [record] = lines(tmp_path)
    assert record["kind"] == "score" and record["scorer"] == "default" and record["route"] == "/score"
    assert record["request"] == {"json": {"Inputs": {"x": 1}}} and record["response"] == {"json": {"Results": [1]}}
    assert record["status"] == 200 and record["duration_ms"] == 1.25 and record["rows"] == 3 and record["trace_id"] == "abc"
    assert record["time"].endswith("Z") and record["query"] == "a=1"
    assert not any("header" in key or "auth" in key.lower() for key in record)
    [path] = tmp_path.glob("*.jsonl")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # user data


def test_bodies_beyond_the_limit_are_markers():
    assert body_field(b"x" * 11, 10) == {"truncated": True, "bytes": 11, "sha256": hashlib.sha256(b"x" * 11).hexdigest()}
    assert body_field(b"x" * 10, 10) == {"text": "x" * 10}
    assert body_field(b"not json", 100) == {"text": "not json"}
    assert body_field(b'{"a": 1}', 100) == {"text": '{"a": 1}'}  # not known to be JSON: never parsed
    assert body_field(b"\xff\xfe", 100) == {"base64": "//4="}
    assert body_field(None, 100) == {"streamed": True}


def test_files_rotate_by_size_and_are_named_by_hour(tmp_path):
    capture = Capture(tmp_path, rotate=600)
    for i in range(10):
        capture.record(exchange(json.dumps({"Inputs": {"i": i}}).encode()))
    capture.close()
    files = sorted(tmp_path.glob("*.jsonl"))
    assert len(files) > 1 and all(f.stat().st_size <= 600 for f in files)
    assert all(f.name.startswith("capture-") and f.name.count("-") == 2 for f in files)
    assert [r["request"]["json"]["Inputs"]["i"] for r in lines(tmp_path)] == list(range(10))  # none lost, in order


def test_sampling(tmp_path):
    never = Capture(tmp_path / "none", sample=0.0)
    assert not any(never.sampled() for _ in range(200))
    half = Capture(tmp_path / "half", sample=0.5)
    taken = sum(half.sampled() for _ in range(2000))
    assert 800 < taken < 1200
    never.close()
    half.close()


def test_collector_records_carry_the_request_and_correlation_ids(tmp_path):
    import pandas as pd

    capture = Capture(tmp_path)
    with scoring_request("req-5"):
        capture.collected(Collected("model_inputs", pd.DataFrame({"a": [1, 2]}), BasicCorrelationContext("corr-1")))
    capture.close()
    [record] = lines(tmp_path)
    assert record == record | {"kind": "collector", "collector": "model_inputs", "correlation_id": "corr-1",
                               "request_id": "req-5", "data": [{"a": 1}, {"a": 2}]}
