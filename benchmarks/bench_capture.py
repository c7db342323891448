"""The benchmark's capture part (`run.py --capture`): the gateway with and without `--capture DIR` under
the same load, alternating, at 1 row and the largest size; what capturing costs a request, and whether
any record was lost (every answered request must be one line)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

import bench_load
from bench_procs import Server, free_port

__all__ = ("capture_part",)

ROOT = Path(__file__).resolve().parent.parent


def _captured(directory: Path) -> int:
    return sum(1 for path in directory.glob("*.jsonl") for line in path.read_text().splitlines()
               if json.loads(line).get("kind") == "score")


def capture_part(args: Any, tool: str, plain: Server, bodies: dict[int, Path], workdir: Path,
                 log: Callable[[str], None]) -> dict[str, Any]:
    sizes = sorted({min(bodies), max(bodies)})
    results: dict[str, Any] = {}
    for rows in sizes:
        directory = workdir / f"capture-{rows}"
        port = free_port()
        captured = Server(
            "gateway+capture",
            [sys.executable, "-m", "gateway", "--scorer", "benchmarks/scorers/gateway_score.py", "--port", str(port),
             "--workers", "1", "--capture", str(directory), "--capture-max-bytes", str(1 << 30)],
            env={k: v for k, v in os.environ.items() if not k.startswith(("GATEWAY_", "AZUREML_", "AML_"))},
            cwd=ROOT, port=port, health_path="/readyz", log=workdir / f"gateway-capture-{rows}.log",
        )
        captured.start()
        try:
            captured.wait_ready(120)
            runs: dict[str, list[dict[str, Any]]] = {"without": [], "with": []}
            for _ in range(args.rounds):
                for key, server in (("without", plain), ("with", captured)):
                    runs[key].append(bench_load.run_load(tool, server, bodies[rows], duration=args.duration,
                                                         connections=args.conn["gateway"], threads=args.threads,
                                                         timeout=args.timeout, workdir=workdir))
        finally:
            captured.stop()
        answered = sum(run["requests"] for run in runs["with"])
        records = _captured(directory)
        without = bench_load.merge_runs(runs["without"], rows)
        with_ = bench_load.merge_runs(runs["with"], rows)
        results[str(rows)] = {
            "requests_per_s_without": without["requests_per_s"], "requests_per_s_with": with_["requests_per_s"],
            "p50_ms_without": without["p50_ms"], "p50_ms_with": with_["p50_ms"],
            "p99_ms_without": without["p99_ms"], "p99_ms_with": with_["p99_ms"],
            "answered": answered, "records": records, "lost": max(0, answered - records),
            "capture_bytes": sum(p.stat().st_size for p in directory.glob("*.jsonl")),
        }
        r = results[str(rows)]
        log(f"  {rows:>6} rows: {r['requests_per_s_without']:,.1f} req/s without capture, "
            f"{r['requests_per_s_with']:,.1f} with (p99 {r['p99_ms_without']:.2f} → {r['p99_ms_with']:.2f} ms); "
            f"{records} records for {answered} answered requests, {r['lost']} lost")
    return results

