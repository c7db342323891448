"""Capture with model v1, replay against v2, read the report (README 'Testing a new model on recorded
traffic'): the replay reports exactly the rows that changed."""

from __future__ import annotations

import json
import subprocess
import sys

from aiohttp.test_utils import TestClient, TestServer
from conftest import ROOT

from gateway import Settings, create_app
from gateway.scoring.loader import load_scorer
from gateway.settings import ScorerTarget

V1 = str(ROOT / "tests" / "scorers" / "replay" / "v1.py")
V2 = str(ROOT / "tests" / "scorers" / "replay" / "v2.py")


def rows(*pairs):
    return {"Inputs": {"data": [{"age": a, "income": i} for a, i in pairs]}}


async def capture_v1_traffic(directory) -> None:
    """Mixed traffic through a real server with model v1: valid, invalid, large, and one v2 will refuse."""
    settings = Settings(capture_dir=str(directory), capture_max_bytes=2000)
    client = TestClient(TestServer(create_app(settings, [load_scorer(ScorerTarget("default", V1))])))
    await client.start_server()
    try:
        sent = [
            rows((30, 10.0), (70, 20.0)),  # row 1 changes in v2
            rows((25, 1.0)),  # the same in v2
            {"Inputs": {"data": [{"age": "x", "income": 1.0}]}},  # invalid: 400 both times
            rows(*((20, float(i)) for i in range(200))),  # larger than the capture keeps: skipped
            rows((40, -5.0)),  # v2 raises: newly failing
        ]
        for body in sent:
            await client.post("/score", json=body, headers={"x-request-id": f"req-{sent.index(body)}"})
        assert (await client.post("/score", json=rows((61, 1.0)), headers={"Authorization": "Bearer secret"})).status == 200
    finally:
        await client.close()  # the capture writes out every record at shutdown


def replay(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gateway", "replay", *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


async def test_replay_against_a_changed_model_reports_exactly_the_changed_rows(tmp_path):
    await capture_v1_traffic(tmp_path / "capture")
    records = [json.loads(line) for f in (tmp_path / "capture").glob("*.jsonl") for line in f.read_text().splitlines()]
    assert [r["status"] for r in records] == [200, 200, 400, 200, 200, 200]
    assert records[3]["request"]["truncated"] is True
    assert "secret" not in json.dumps(records)  # no auth header is ever captured

    same = replay(str(tmp_path / "capture"), "--scorer", V1)
    assert same.returncode == 0, same.stdout + same.stderr
    assert "  same           5" in same.stdout and "  skipped        1" in same.stdout

    report = tmp_path / "report.json"
    changed = replay(str(tmp_path / "capture"), "--scorer", V2, "--report", str(report))
    assert changed.returncode == 1, changed.stdout + changed.stderr
    out = changed.stdout
    assert "  same           2" in out and "  changed        2" in out and "  newly failing  1" in out
    assert "(request id req-0, changed) Results[1].score: 40.0 -> 41.0" in out
    verdicts = json.loads(report.read_text())
    assert verdicts["summary"] == {"same": 2, "changed": 2, "newly failing": 1, "newly passing": 0, "skipped": 1}
    changed_rows = {(r["request_id"], d["path"]) for r in verdicts["requests"] for d in r["differences"]}
    assert {(rid, path) for rid, path in changed_rows if path != "status"} == {
        ("req-0", "Results[1].score"), (records[5]["request_id"], "Results[0].score")}
    failing = [r for r in verdicts["requests"] if r["verdict"] == "newly failing"]
    assert [(r["request_id"], r["recorded_status"], r["status"]) for r in failing] == [("req-4", 200, 500)]


def test_usage_errors_exit_2(tmp_path):
    assert replay(str(tmp_path / "nothing"), "--scorer", V1).returncode == 2
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    result = replay(str(empty), "--scorer", V1)
    assert result.returncode == 2 and "holds no scored requests" in result.stderr
    assert replay(str(empty)).returncode == 2  # neither --scorer nor --url
