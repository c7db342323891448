"""Driving a server with the load generator (wrk + wrk/post.lua, or hey) and merging runs.

A run answers a dict: requests, seconds, statuses, errors and `points`, a list of (percentile, latency
in microseconds) describing its latency distribution. Runs of one server at one size are merged by
pooling their points weighted by each run's request count (a mixture of the runs' distributions), so
the merged p50/p99 are those of all the requests the runs made.
"""

from __future__ import annotations

import csv
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench_procs import Server

__all__ = ("run_load", "merge_runs")

HERE = Path(__file__).resolve().parent
LUA = HERE / "wrk" / "post.lua"


def run_load(tool: str, server: Server, body: Path, *, duration: float, connections: int, threads: int,
             timeout: float, workdir: Path, path: str = "/score", content_type: str = "application/json") -> dict[str, Any]:
    if tool == "wrk":
        return _wrk(server, body, duration=duration, connections=connections, threads=threads,
                    timeout=timeout, workdir=workdir, path=path, content_type=content_type)
    return _hey(server, body, duration=duration, connections=connections, timeout=timeout, path=path,
                content_type=content_type)


def _wrk(server: Server, body: Path, *, duration: float, connections: int, threads: int, timeout: float,
         workdir: Path, path: str, content_type: str) -> dict[str, Any]:
    out = Path(tempfile.mkstemp(prefix="wrk-", suffix=".json", dir=workdir)[1])
    cmd = [*server.client_prefix, "wrk", "-t", str(max(1, min(threads, connections))), "-c", str(connections),
           "-d", f"{duration:g}s", "--timeout", f"{timeout:g}s", "-s", str(LUA), server.url + path]
    env = {"BENCH_BODY": str(body), "BENCH_OUT": str(out), "BENCH_CONTENT_TYPE": content_type,
           "PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    try:
        if done.returncode != 0 or out.stat().st_size == 0:
            raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
        raw = json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)
    errors = raw["errors"]
    statuses = {int(k): v for k, v in raw["statuses"].items()}
    return {
        "requests": raw["requests"],
        "ok": statuses.get(200, 0),
        "seconds": raw["duration_us"] / 1e6,
        "statuses": statuses,
        "socket_errors": {k: v for k, v in errors.items() if k != "status" and v},
        "points": [(float(p), int(us)) for p, us in raw["percentiles"]],
    }


def _hey(server: Server, body: Path, *, duration: float, connections: int, timeout: float, path: str,
         content_type: str) -> dict[str, Any]:
    cmd = [*server.client_prefix, "hey", "-z", f"{duration:g}s", "-c", str(connections), "-t", str(int(timeout)),
           "-m", "POST", "-T", content_type, "-D", str(body), "-o", "csv", server.url + path]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"hey failed ({done.returncode}): {done.stderr.strip()}")
    latencies: list[int] = []
    statuses: dict[int, int] = {}
    last_offset = 0.0
    for row in csv.DictReader(done.stdout.splitlines()):
        latencies.append(int(float(row["response-time"]) * 1e6))
        status = int(row["status-code"])
        statuses[status] = statuses.get(status, 0) + 1
        last_offset = max(last_offset, float(row["offset"]) + float(row["response-time"]))
    latencies.sort()
    n = len(latencies)
    grid = [*range(1, 100), *(p / 10 for p in range(991, 1000)), 99.95, 99.99, 100]
    points = [(float(p), latencies[min(n - 1, max(0, round(p / 100 * n + 0.5) - 1))]) for p in grid] if n else []
    return {"requests": n, "ok": statuses.get(200, 0), "seconds": max(last_offset, duration), "statuses": statuses,
            "socket_errors": {}, "points": points}


def _quantile(runs: list[dict[str, Any]], q: float) -> float:
    """The q-th percentile (0..100) of the pooled distribution, in microseconds."""
    pooled: list[tuple[int, float]] = []
    for run in runs:
        points = run["points"]
        if not run["requests"] or not points:
            continue
        previous = 0.0
        for p, us in points:  # each point stands for the requests between the previous percentile and p
            pooled.append((us, run["requests"] * (p - previous) / 100))
            previous = p
    if not pooled:
        return float("nan")
    pooled.sort()
    total = sum(w for _, w in pooled)
    target = total * q / 100
    acc = 0.0
    for us, w in pooled:
        acc += w
        if acc >= target - 1e-9:
            return float(us)
    return float(pooled[-1][0])


def merge_runs(runs: list[dict[str, Any]], rows: int) -> dict[str, Any]:
    requests = sum(r["requests"] for r in runs)
    ok = sum(r["ok"] for r in runs)
    seconds = sum(r["seconds"] for r in runs)
    statuses: dict[int, int] = {}
    socket_errors: dict[str, int] = {}
    for r in runs:
        for k, v in r["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v
        for k, v in r["socket_errors"].items():
            socket_errors[k] = socket_errors.get(k, 0) + v
    rps = ok / seconds if seconds else 0.0
    return {
        "requests": requests,
        "ok": ok,
        "seconds": round(seconds, 3),
        "requests_per_s": rps,
        "rows_per_s": rps * rows,
        "p50_ms": _quantile(runs, 50) / 1000,
        "p99_ms": _quantile(runs, 99) / 1000,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "socket_errors": socket_errors,
        "errors": (requests - ok) + sum(socket_errors.values()),
        "runs": [{"requests": r["requests"], "seconds": round(r["seconds"], 3),
                  "requests_per_s": round(r["ok"] / r["seconds"], 2) if r["seconds"] else 0.0,
                  "p50_ms": _quantile([r], 50) / 1000, "p99_ms": _quantile([r], 99) / 1000} for r in runs],
    }
