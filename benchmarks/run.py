"""gateway vs the Azure ML inference server (azmlinfsrv), same AutoML-style scorer, same Power BI bodies.

    python benchmarks/run.py [--quick] [--sizes 1,100,1000,10000] [--duration S] [--connections N]

Run from the repository root with the gateway's virtual environment active. It

1. creates benchmarks/.venv-reference (azureml-inference-server-http 1.5.1, inference-schema 1.8, the
   gateway environment's numpy/pandas, matplotlib) and installs wrk with apt-get when it is missing;
2. starts both servers with one worker each on 127.0.0.1: the gateway
   (`python -m gateway --scorer benchmarks/scorers/gateway_score.py`) and the reference
   (`azmlinfsrv --entry_script reference_score.py`, in a private network namespace since it binds
   0.0.0.0), waits for their health routes and checks that both answer the same predictions;
3. for each size runs wrk with wrk/post.lua against gateway, reference, gateway, reference (after a
   warm-up of each), resetting and reading peak RSS (VmHWM of the server and its children), and after
   each pair the in-process floor (orjson.loads + DataFrame + model + orjson.dumps in a loop);
4. sends one 100 000-row body to each server and reports the peak RSS increase against the body size;
5. prints the table, writes results/latest.json and results/latest.png; stops both servers (also on
   Ctrl-C or an error).

See benchmarks/README.md for what each column means and the numbers of a run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import bench_capture  # noqa: E402
import bench_csv  # noqa: E402
import bench_env  # noqa: E402
import bench_load  # noqa: E402
import bench_payload  # noqa: E402
from bench_procs import Server, free_port, netns_available  # noqa: E402
from bench_profile import profile_gateway  # noqa: E402
from bench_report import draw_chart, format_table, targets  # noqa: E402

SCORERS = HERE / "scorers"
RESULTS = HERE / "results"


def log(msg: str) -> None:
    print(msg, flush=True)


# --------------------------------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="3 s per run, 1 s warm-ups, 1 s floor loops (default: 10 s, 3 s, 3 s)")
    p.add_argument("--sizes", default="1,100,1000,10000", help="rows per request, comma-separated (1,100,1000,10000)")
    p.add_argument("--duration", type=float, help="seconds per measured run (10; 3 with --quick)")
    p.add_argument("--warmup", type=float, help="seconds of unmeasured load per server before each size (3; 1 with --quick)")
    p.add_argument("--rounds", type=int, default=2, help="measured runs per server and size, alternating A B A B (2)")
    p.add_argument("--connections", type=int, default=8, help="open connections for both servers (8)")
    p.add_argument("--gateway-connections", type=int, help="override --connections for the gateway")
    p.add_argument("--reference-connections", type=int, help="override --connections for the reference")
    p.add_argument("--threads", type=int, default=1, help="load generator threads (1: the machine has 2 cores)")
    p.add_argument("--timeout", type=float, default=20.0, help="per-request timeout of the load generator, s (20)")
    p.add_argument("--loadgen", choices=("wrk", "hey"), default="wrk", help="wrk (default; falls back to hey) or hey")
    p.add_argument("--memory-rows", type=int, default=100_000, help="rows of the memory-check request (100000; 0 skips)")
    p.add_argument("--no-netns", action="store_true",
                   help="do not isolate the reference in a network namespace (it then listens on 0.0.0.0)")
    p.add_argument("--profile", action="store_true",
                   help="also run py-spy on the gateway at the largest size and report the top functions by own time")
    p.add_argument("--batching", action="store_true",
                   help="also measure dynamic batching: 1-row requests with and without it")
    p.add_argument("--capture", action="store_true",
                   help="also measure the gateway with --capture DIR against itself without (cost, records lost)")
    p.add_argument("--batching-connections", type=int, default=64, help="concurrent connections for --batching (64)")
    p.add_argument("--json", type=Path, default=RESULTS / "latest.json", help="where to write the JSON")
    p.add_argument("--png", type=Path, default=RESULTS / "latest.png", help="where to write the chart")
    args = p.parse_args(argv)
    args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if not args.sizes or min(args.sizes) < 1:
        p.error("--sizes needs positive row counts")
    if args.duration is None:
        args.duration = 3.0 if args.quick else 10.0
    if args.warmup is None:
        args.warmup = 1.0 if args.quick else 3.0
    args.floor_seconds = 1.0 if args.quick else 3.0
    args.conn = {"gateway": args.gateway_connections or args.connections,
                 "reference": args.reference_connections or args.connections}
    args.conn["gateway-is"] = args.conn["gateway"]
    if args.rounds < 1 or args.duration <= 0:
        p.error("--rounds and --duration must be positive")
    return args


# --------------------------------------------------------------------------------------------------
# servers
# --------------------------------------------------------------------------------------------------
def make_servers(ref_env: dict[str, Any], netns: bool, logs: Path) -> dict[str, Server]:
    gw_port = free_port()
    gw_env = {k: v for k, v in os.environ.items() if not k.startswith(("GATEWAY_", "AZUREML_", "AML_"))}
    gateway = Server(
        "gateway",
        [sys.executable, "-m", "gateway", "--scorer", "benchmarks/scorers/gateway_score.py",
         "--port", str(gw_port), "--workers", "1"],
        env=gw_env, cwd=ROOT, port=gw_port, health_path="/readyz", log=logs / "gateway.log",
    )
    ref_port = 5001 if netns else free_port()  # alone in its namespace, the reference can keep its default port
    bin_dir = str(Path(ref_env["azmlinfsrv"]).parent)
    ref_vars = {k: v for k, v in os.environ.items()
                if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV") and not k.startswith(("AZUREML_", "AML_"))}
    ref_vars.update({
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "VIRTUAL_ENV": str(Path(bin_dir).parent),
        "GUNICORN_CMD_ARGS": "--no-control-socket",  # gunicorn 27 would create $HOME/.gunicorn/gunicorn.ctl
        "WORKER_COUNT": "1",
    })
    reference = Server(
        "reference",
        [ref_env["azmlinfsrv"], "--entry_script", "reference_score.py", "--port", str(ref_port),
         "--worker_count", "1"],
        env=ref_vars, cwd=SCORERS, port=ref_port, health_path="/", log=logs / "reference.log", netns=netns,
    )
    # the reference's own inference-schema scorer file, unchanged, on the gateway (what a migrating user runs)
    is_port = free_port()
    inference_schema = Server(
        "gateway-is",
        [sys.executable, "-m", "gateway", "--scorer", "reference_score.py", "--port", str(is_port), "--workers", "1"],
        env=gw_env, cwd=SCORERS, port=is_port, health_path="/readyz", log=logs / "gateway-is.log",
    )
    return {"gateway": gateway, "gateway-is": inference_schema, "reference": reference}


def http_floor(args: argparse.Namespace, tool: str, body: Path, workdir: Path, logs: Path) -> dict[str, Any]:
    """A bare aiohttp server answering a fixed body under the same load: what the HTTP stack allows."""
    port = free_port()
    server = Server("bare aiohttp", [sys.executable, str(HERE / "bare_aiohttp.py"), str(port)],
                    env=dict(os.environ), cwd=ROOT, port=port, health_path="/", log=logs / "bare-aiohttp.log")
    server.start()
    try:
        server.wait_ready(60)
        if args.warmup > 0:
            bench_load.run_load(tool, server, body, duration=args.warmup, connections=args.conn["gateway"],
                                threads=args.threads, timeout=args.timeout, workdir=workdir)
        runs = [bench_load.run_load(tool, server, body, duration=args.duration, connections=args.conn["gateway"],
                                    threads=args.threads, timeout=args.timeout, workdir=workdir)
                for _ in range(args.rounds)]
    finally:
        server.stop()
    merged = bench_load.merge_runs(runs, 1)
    log(f"       1 rows  bare aiohttp: {merged['requests_per_s']:9.1f} req/s  p50 {merged['p50_ms']:8.2f} ms  "
        f"p99 {merged['p99_ms']:8.2f} ms  (a handler answering a fixed body)")
    return merged


def check_answers(servers: dict[str, Server], bodies: dict[int, Path]) -> None:
    """Both servers answer 200 with the same predictions as the model in process, at every size."""
    for rows, path in bodies.items():
        expected = bench_payload.expected_results(path.read_bytes())
        for name, server in servers.items():
            answer = server.request("/score", path, timeout=120)
            if answer.get("status") != 200:
                raise RuntimeError(f"{name} answered {answer.get('status')} to the {rows}-row body: "
                                   f"{(answer.get('body') or answer.get('error') or '')[:500]}\nlog tail:\n"
                                   f"{server.log_tail()}")
            results = json.loads(answer["body"]).get("Results")
            if results != expected:
                raise RuntimeError(f"{name} answered different predictions for the {rows}-row body: "
                                   f"{str(results)[:200]} instead of {str(expected)[:200]}")
    log(f"  both servers answer the same predictions as the model in process at {', '.join(map(str, bodies))} rows")


def measure_size(args: argparse.Namespace, tool: str, servers: dict[str, Server], rows: int, body: Path,
                 workdir: Path) -> dict[str, Any]:
    for name, server in servers.items():
        if args.warmup > 0:
            bench_load.run_load(tool, server, body, duration=args.warmup, connections=args.conn[name],
                                threads=args.threads, timeout=args.timeout, workdir=workdir)
        server.reset_peak()
    payload = body.read_bytes()
    bench_payload.floor(payload, 0)  # warm
    floors: list[dict[str, Any]] = []
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in servers}
    for round_ in range(1, args.rounds + 1):
        for name, server in servers.items():  # A, B, A, B
            if not server.alive():
                raise RuntimeError(f"{name} died during the load; log tail:\n{server.log_tail()}")
            run = bench_load.run_load(tool, server, body, duration=args.duration, connections=args.conn[name],
                                      threads=args.threads, timeout=args.timeout, workdir=workdir)
            runs[name].append(run)
            merged = bench_load.merge_runs([run], rows)
            bad = f"  NON-200/errors: {merged['errors']} {merged['statuses']} {merged['socket_errors']}" \
                if merged["errors"] else ""
            log(f"  {rows:>6} rows  {name:<9} run {round_}/{args.rounds}: {merged['requests_per_s']:9.1f} req/s  "
                f"p50 {merged['p50_ms']:8.2f} ms  p99 {merged['p99_ms']:8.2f} ms{bad}")
        # the floor in this process, between the rounds, so that it sees the same machine as the servers
        floors.append(bench_payload.floor(payload, args.floor_seconds))
        rps = floors[-1]["iterations"] / sum(floors[-1]["steps"].values())
        log(f"  {rows:>6} rows  {'floor':<9} run {round_}/{args.rounds}: {rps:9.1f} req/s  "
            f"(orjson.loads + DataFrame + model + orjson.dumps, in process)")
    out: dict[str, Any] = {"floor": bench_payload.merge_floors(floors)}
    for name, server in servers.items():
        merged = bench_load.merge_runs(runs[name], rows)
        merged["peak_rss_mib"] = server.peak_kib() / 1024
        merged["peak_rss_reset"] = server.peak_resettable
        merged["connections"] = args.conn[name]
        out[name] = merged
    return out


def memory_check(servers: dict[str, Server], rows: int, workdir: Path) -> dict[str, Any]:
    """One `rows`-row request per server: peak RSS increase over the RSS before it, against the body."""
    path = workdir / f"body-{rows}.json"
    payload = bench_payload.body(rows)
    path.write_bytes(payload)
    out: dict[str, Any] = {"rows": rows, "body_bytes": len(payload)}
    for name, server in servers.items():
        before = server.rss_kib()
        reset = server.reset_peak()
        baseline = before if reset else server.peak_kib()
        answer = server.request("/score", path, timeout=600)
        peak = server.peak_kib()
        increase = max(0, peak - baseline) * 1024
        out[name] = {
            "status": answer.get("status"),
            "seconds": answer.get("seconds"),
            "rss_before_mib": before / 1024,
            "peak_rss_mib": peak / 1024,
            "increase_mib": increase / 2**20,
            "increase_over_body": increase / len(payload),
            "exact": reset,
        }
        if answer.get("status") != 200:
            out[name]["error"] = (answer.get("body") or answer.get("error") or "")[:300]
        log(f"  {rows} rows ({len(payload) / 2**20:.1f} MiB body) → {name}: status {answer.get('status')}, "
            f"{(answer.get('seconds') or 0):.2f} s, peak RSS +{increase / 2**20:.1f} MiB "
            f"= {increase / len(payload):.1f}× the body")
    path.unlink(missing_ok=True)
    return out


#: The batching comparisons: (label, scorer without batching, scorer with it). The numpy model costs
#: ~0.1 ms a call, so batching saves little besides it; the scikit-learn pipeline (like AutoML's) ~3 ms.
BATCHING_MODELS = (
    ("numpy model", None, "benchmarks/scorers/gateway_batched_score.py"),
    ("scikit-learn pipeline", "benchmarks/scorers/gateway_sklearn_score.py",
     "benchmarks/scorers/gateway_sklearn_batched_score.py"),
)


def _gateway(name: str, scorer: str, workdir: Path) -> Server:
    port = free_port()
    return Server(
        name,
        [sys.executable, "-m", "gateway", "--scorer", scorer, "--port", str(port), "--workers", "1", "--max-queue", "1024"],
        env={k: v for k, v in os.environ.items() if not k.startswith(("GATEWAY_", "AZUREML_", "AML_"))},
        cwd=ROOT, port=port, health_path="/readyz", log=workdir / f"{name.replace(' ', '-')}.log",
    )


def batching_part(args: argparse.Namespace, tool: str, servers: dict[str, Server], workdir: Path) -> dict[str, Any]:
    """Dynamic batching: each model's scorer with and without batching under many concurrent
    one-row requests (alternating A B A B), and the throughput ratio (target ≥ 3×)."""
    body = workdir / "body-batching-1.json"
    body.write_bytes(bench_payload.body(1))
    connections = args.batching_connections
    results: dict[str, Any] = {"connections": connections, "rows_per_request": 1, "models": {}}
    for label, plain_scorer, batched_scorer in BATCHING_MODELS:
        if plain_scorer is not None and not _importable("sklearn"):
            log(f"  {label}: skipped (scikit-learn is not installed in the gateway's environment)")
            continue
        started: list[Server] = []
        try:
            plain = servers["gateway"] if plain_scorer is None else _gateway(f"{label} plain", plain_scorer, workdir)
            if plain_scorer is not None:
                plain.start()
                started.append(plain)
                plain.wait_ready(120)
            batched = _gateway(f"{label} batched", batched_scorer, workdir)
            batched.start()
            started.append(batched)
            batched.wait_ready(120)
            runs: dict[str, list[dict[str, Any]]] = {"without": [], "with": []}
            for _ in range(args.rounds):
                for key, server in (("without", plain), ("with", batched)):
                    runs[key].append(bench_load.run_load(tool, server, body, duration=args.duration,
                                                         connections=connections, threads=2, timeout=30.0,
                                                         workdir=workdir))
        finally:
            for server in started:
                server.stop()
        without = bench_load.merge_runs(runs["without"], 1)["requests_per_s"]
        merged = bench_load.merge_runs(runs["with"], 1)["requests_per_s"]
        ratio = merged / without if without else 0.0
        results["models"][label] = {"requests_per_s_without": without, "requests_per_s_with": merged, "ratio": ratio}
        log(f"  {label}: {connections} connections, 1 row each: {without:,.0f} req/s without batching, "
            f"{merged:,.0f} req/s with ({ratio:.2f}×)")
    return results


def _importable(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def git_state() -> dict[str, Any]:
    def git(*a: str) -> str:
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    try:
        return {"commit": git("rev-parse", "--short", "HEAD"),
                "gateway_dirty": bool(git("status", "--porcelain", "--", "gateway"))}
    except OSError:
        return {}


# --------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import gateway  # noqa: F401  (the gateway's environment must be the active one)
    except ImportError:
        raise SystemExit("the gateway is not importable: activate its environment (. .venv/bin/activate) "
                         "and run from the repository root")
    started = time.monotonic()
    RESULTS.mkdir(parents=True, exist_ok=True)
    setup_log = RESULTS / "setup.log"
    ref_env = bench_env.reference_env(setup_log)
    log(f"[setup] reference environment: {json.dumps(ref_env['versions'])}")
    tool, tool_version = bench_env.ensure_loadgen(args.loadgen, setup_log)
    log(f"[setup] load generator: {tool_version}")
    netns = not args.no_netns and netns_available()
    if not netns:
        log("[setup] WARNING: no private network namespace (needs root, unshare, nsenter): the reference "
            "server listens on 0.0.0.0 for the length of the run")

    def on_signal(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    workdir = Path(tempfile.mkdtemp(prefix="bench-", dir=RESULTS))
    servers = make_servers(ref_env, netns, RESULTS)
    report: dict[str, Any] = {}
    sizes: list[dict[str, Any]] = []
    try:
        bodies: dict[int, Path] = {}
        for rows in args.sizes:
            bodies[rows] = workdir / f"body-{rows}.json"
            bodies[rows].write_bytes(bench_payload.body(rows))

        for server in servers.values():
            server.start()
        for name, server in servers.items():
            seconds = server.wait_ready(timeout=180)
            log(f"{name} ready in {seconds:.1f} s (pid {server.pid}, {server.url}"
                f"{', private network namespace' if server.netns else ''}; log {server.log.relative_to(ROOT)})")
        check_answers(servers, bodies)
        log(f"load: {tool}, {args.rounds} × {args.duration:g} s per server and size after {args.warmup:g} s warm-ups")
        for rows, path in bodies.items():
            measured = measure_size(args, tool, servers, rows, path, workdir)
            gw, ref, floor = measured["gateway"], measured["reference"], measured["floor"]
            floor_rps = floor["requests_per_s"]
            sizes.append({
                "rows": rows,
                "body_bytes": path.stat().st_size,
                "gateway": gw,
                "reference": ref,
                "floor": floor,
                "gateway-is": measured["gateway-is"],
                "ratios": {
                    "throughput": gw["requests_per_s"] / ref["requests_per_s"] if ref["requests_per_s"] else 0.0,
                    "is_throughput": measured["gateway-is"]["requests_per_s"] / ref["requests_per_s"]
                    if ref["requests_per_s"] else 0.0,
                    "is_of_native": measured["gateway-is"]["requests_per_s"] / gw["requests_per_s"]
                    if gw["requests_per_s"] else 0.0,
                    "is_p99": ref["p99_ms"] / measured["gateway-is"]["p99_ms"] if measured["gateway-is"]["p99_ms"] else 0.0,
                    "p50": ref["p50_ms"] / gw["p50_ms"] if gw["p50_ms"] else 0.0,
                    "p99": ref["p99_ms"] / gw["p99_ms"] if gw["p99_ms"] else 0.0,
                    "floor": gw["requests_per_s"] / floor_rps if floor_rps else 0.0,
                },
            })
        if 1 in bodies:
            report["http_floor"] = http_floor(args, tool, bodies[1], workdir, RESULTS)
        largest = max(bodies)
        log(f"CSV body against the same rows as JSON, {largest} rows:")
        report["csv"] = bench_csv.csv_part(args, tool, servers["gateway"], bodies[largest], largest, workdir, log)
        if args.memory_rows > 0:
            log("memory check:")
            report["memory"] = memory_check(servers, args.memory_rows, workdir)
        if args.capture:
            log("traffic capture:")
            report["capture"] = bench_capture.capture_part(args, tool, servers["gateway"], bodies, workdir, log)
        if args.batching:
            log("dynamic batching:")
            report["batching"] = batching_part(args, tool, servers, workdir)
        if args.profile:
            rows = max(bodies)
            log(f"profiling the gateway with py-spy at {rows} rows for {args.duration:g} s")
            report["profile"] = profile_gateway(args, tool, servers["gateway"], rows, bodies[rows], workdir,
                                                setup_log)
        for name, server in servers.items():
            if not server.alive():
                raise RuntimeError(f"{name} exited during the run; log tail:\n{server.log_tail()}")
    except KeyboardInterrupt:
        log("interrupted: stopping the servers")
        raise
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    report = {
        "meta": {
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
            "gateway_version": gateway.__version__,
            "git": git_state(),
            "reference_versions": ref_env["versions"],
            "reference_pinned": ref_env["pinned"],
            "loadgen": tool_version,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "rounds": args.rounds,
            "connections": args.conn,
            "threads": args.threads,
            "reference_network_namespace": netns,
            "wall_seconds": None,
        },
        "sizes": sizes,
        "targets": targets(sizes, report.get("memory"), report.get("http_floor")),
        **report,
    }
    report["meta"]["wall_seconds"] = round(time.monotonic() - started, 1)
    table = format_table(report)
    log("")
    log(table)
    if "profile" in report:
        prof = report["profile"]
        if "error" in prof:
            log(f"profile: {prof['error']}")
        else:
            log(f"\npy-spy, gateway at {prof['rows']} rows, {prof['samples']} samples "
                f"({prof['requests_per_s_while_profiled']:.1f} req/s while profiled), top by own time:")
            for item in prof["top_own_time"][:10]:
                log(f"  {item['percent']:5.1f}%  {item['function']}")
            log(f"  (collapsed stacks: {prof['raw']})")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    chart_error = draw_chart(ref_env["python"], args.json, args.png)
    log(f"\nwrote {args.json}" + (f" and {args.png}" if chart_error is None else f"; no chart: {chart_error}"))
    log(f"total {report['meta']['wall_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except RuntimeError as exc:  # a server that would not start, died or answered wrongly
        print(f"\nbenchmark failed: {exc}", file=sys.stderr)
        sys.exit(1)
