"""Traffic capture through `python -m gateway --capture DIR`: the banner says bodies are user data, every
scored request under concurrent load is one record, none holds a key, and a Collector's records land in
the same capture (README 'Capturing traffic')."""

from __future__ import annotations

import json
import textwrap
from concurrent.futures import ThreadPoolExecutor

import requests

SCRIPT = '''
from azureml.ai.monitoring import Collector


def init():
    global inputs
    inputs = Collector(name="model_inputs")


def run(raw_data):
    context = inputs.collect({"length": len(raw_data)})
    return raw_data.upper()
'''


def test_every_scored_request_under_load_is_one_record(gateway_process, tmp_path):
    script = tmp_path / "score.py"
    script.write_text(textwrap.dedent(SCRIPT))
    capture = tmp_path / "capture"
    process = gateway_process("--scorer", str(script), "--capture", str(capture), "--api-key", "k-secret",
                              "--log-level", "WARNING")
    session_headers = {"Authorization": "Bearer k-secret"}

    def send(i: int) -> int:
        return requests.post(process.base + "/score", data=f"row {i}".encode(), headers=session_headers | {
            "x-request-id": f"load-{i}"}, timeout=30).status_code

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(send, range(400)))
    assert statuses == [200] * 400
    assert requests.get(process.base + "/healthz", timeout=5).status_code == 200  # not a scored request
    out, _ = process.stop()
    assert f"capturing every scored request into {capture}: captured bodies are user data" in out
    text = "".join(path.read_text() for path in sorted(capture.glob("*.jsonl")))
    assert "k-secret" not in text
    records = [json.loads(line) for line in text.splitlines()]
    scored = {r["request_id"]: r for r in records if r["kind"] == "score"}
    assert set(scored) == {f"load-{i}" for i in range(400)}  # none lost, none doubled
    assert scored["load-7"]["request"] == {"text": "row 7"} and scored["load-7"]["response"] == {"json": "ROW 7"}
    collected = [r for r in records if r["kind"] == "collector"]
    assert len(collected) == 400 and {r["request_id"] for r in collected} == set(scored)
    assert all(r["collector"] == "model_inputs" and r["data"] == {"length": len(scored[r["request_id"]]["request"]["text"])}
               for r in collected)
