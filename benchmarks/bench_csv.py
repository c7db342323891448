"""The benchmark's CSV row: the gateway scoring the largest size's rows as a `text/csv` body on MLflow's
`/invocations` (read with the declared dtypes, strictly) against the same rows as the usual JSON body on
`/score`, alternating, same load."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Callable

import bench_load
import bench_payload
from bench_procs import Server

__all__ = ("csv_body", "csv_part")


def csv_body(rows: int) -> bytes:
    """The benchmark's rows as CSV, a header then one line per row (`DataFrame.to_csv(index=False)`)."""
    out = io.StringIO()
    table = bench_payload.rows(rows)
    writer = csv.DictWriter(out, fieldnames=list(table[0]), lineterminator="\n")
    writer.writeheader()
    for row in table:
        writer.writerow({k: ("true" if v else "false") if isinstance(v, bool) else v for k, v in row.items()})
    return out.getvalue().encode()


def csv_part(args: Any, tool: str, gateway: Server, json_body: Path, rows: int, workdir: Path,
             log: Callable[[str], None]) -> dict[str, Any]:
    body = workdir / f"body-{rows}.csv"
    body.write_bytes(csv_body(rows))
    answer = gateway.request("/invocations", body, timeout=120, content_type="text/csv")
    expected = bench_payload.expected_results(json_body.read_bytes())
    if answer.get("status") != 200 or json.loads(answer["body"]).get("predictions") != expected:
        raise RuntimeError(f"the gateway answered the CSV body wrongly: {answer.get('status')} "
                           f"{(answer.get('body') or '')[:300]}")
    runs: dict[str, list[dict[str, Any]]] = {"json": [], "csv": []}
    for _ in range(args.rounds):
        runs["json"].append(bench_load.run_load(tool, gateway, json_body, duration=args.duration,
                                                connections=args.conn["gateway"], threads=args.threads,
                                                timeout=args.timeout, workdir=workdir))
        runs["csv"].append(bench_load.run_load(tool, gateway, body, duration=args.duration,
                                               connections=args.conn["gateway"], threads=args.threads,
                                               timeout=args.timeout, workdir=workdir, path="/invocations",
                                               content_type="text/csv"))
    merged = {key: bench_load.merge_runs(value, rows) for key, value in runs.items()}
    result = {"rows": rows, "json_bytes": json_body.stat().st_size, "csv_bytes": body.stat().st_size,
              **{f"{key}_{m}": merged[key][m] for key in merged for m in ("requests_per_s", "p50_ms", "p99_ms")}}
    log(f"  {rows:>6} rows  JSON /score {result['json_requests_per_s']:9.1f} req/s (p99 {result['json_p99_ms']:.2f} ms, "
        f"{result['json_bytes'] / 1024:.0f} KiB)   CSV /invocations {result['csv_requests_per_s']:9.1f} req/s "
        f"(p99 {result['csv_p99_ms']:.2f} ms, {result['csv_bytes'] / 1024:.0f} KiB)")
    return result
