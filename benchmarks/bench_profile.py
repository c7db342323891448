"""Opt-in profile (`run.py --profile`): py-spy on the gateway while the load generator drives it at the
largest size; answers the top functions by own time and keeps the collapsed stacks.

py-spy is installed into the benchmark environment (benchmarks/.venv-reference) on first use.
"""

from __future__ import annotations

import argparse
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import bench_env
import bench_load
from bench_procs import Server

__all__ = ("profile_gateway",)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"


def profile_gateway(args: argparse.Namespace, tool: str, gateway: Server, rows: int, body: Path, workdir: Path,
                    setup_log: Path) -> dict[str, Any]:
    """py-spy record (raw collapsed stacks) on the gateway while the load generator drives it."""
    py_spy = bench_env.ensure_tool_in_env("py-spy", "py-spy", setup_log)
    if py_spy is None:
        return {"error": "py-spy could not be installed"}
    raw = RESULTS / f"profile-gateway-{rows}.txt"
    # --gil: only samples of the thread holding the GIL, i.e. where the (GIL-bound) process spends its CPU;
    # without it, threads waiting for the GIL or for work (ThreadPoolExecutor._worker, the selector) show up
    # as "own time" too. --nonblocking: the process is not paused to sample, so it runs at about full speed.
    spy = subprocess.Popen([str(py_spy), "record", "-p", str(gateway.pid), "-d", f"{max(1, int(args.duration))}",
                            "-r", "100", "--gil", "--nonblocking", "-f", "raw", "-o", str(raw)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    load = bench_load.run_load(tool, gateway, body, duration=args.duration, connections=args.conn["gateway"],
                               threads=args.threads, timeout=args.timeout, workdir=workdir)
    _, err = spy.communicate(timeout=args.duration + 60)
    if spy.returncode != 0 or not raw.exists():
        return {"error": f"py-spy failed ({spy.returncode}): {err.strip()[-400:]}"}
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        leaf = stack.split(";")[-1]
        name, _, where = leaf.partition(" (")
        where = where.rstrip(")")
        file = where.rsplit(":", 1)[0]  # py-spy already shortens paths (pandas/core/base.py)
        own[f"{name} ({file})"] += int(count)
        total += int(count)
    top = [{"function": f, "samples": n, "percent": 100 * n / total} for f, n in own.most_common(20)]
    merged = bench_load.merge_runs([load], rows)
    return {"rows": rows, "seconds": args.duration, "samples": total, "raw": str(raw.relative_to(ROOT)),
            "requests_per_s_while_profiled": merged["requests_per_s"], "top_own_time": top}
