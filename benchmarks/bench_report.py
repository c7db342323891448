"""The benchmark's report: the printed table, the target checks (README 'Benchmarks') and the chart (drawn by
bench_chart.py with the benchmark environment's python, where matplotlib is installed)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

__all__ = ("format_table", "targets", "draw_chart")

HERE = Path(__file__).resolve().parent
TARGET_THROUGHPUT = 8.0  # target: at least 8x the reference's requests/s at every size, native and inference-schema
TARGET_P99 = 3.0  # target: p99 at most a third of the reference's
TARGET_IS_OF_NATIVE = 0.9  # target: the inference-schema scorer within 10% of the native contract's requests/s
TARGET_HTTP_FLOOR = 0.7  # target: the 1-row figure at least 70% of the bare-aiohttp floor
TARGET_FLOOR = 1.3  # target: within 1.3x of the in-process floor at 10 000 rows
TARGET_MEMORY = 4.0  # target: peak RSS increase of a 100 000-row request at most 4x its body
TARGET_BATCHING = 3.0  # target: dynamic batching at least 3x throughput for 64 concurrent one-row clients
FLOOR_TARGET_ROWS = 10_000


def _f(x: float, width: int, digits: int = 1) -> str:
    return f"{x:>{width},.{digits}f}"


def _spread(values: list[float]) -> str:
    """(max - min) / mean of the runs' requests/s, as a percentage: how much the machine wandered."""
    if len(values) < 2 or not sum(values):
        return "-"
    return f"{100 * (max(values) - min(values)) / (sum(values) / len(values)):.0f}%"


def format_table(report: dict[str, Any]) -> str:
    lines = []
    meta = report["meta"]
    lines.append(f"gateway {meta['gateway_version']} vs azureml-inference-server-http "
                 f"{meta['reference_versions'].get('azureml-inference-server-http')} / inference-schema "
                 f"{meta['reference_versions'].get('inference-schema')} — one worker each, {meta['loadgen']}, "
                 f"connections gateway {meta['connections']['gateway']} / reference {meta['connections']['reference']}, "
                 f"{meta['rounds']} × {meta['duration_s']:g} s per server and size (A B A B)")
    head = (f"{'rows':>6}  {'server':<10}{'req/s':>11}{'rows/s':>13}{'p50 ms':>10}{'p99 ms':>10}"
            f"{'peak RSS MiB':>14}{'errors':>8}{'spread':>8}")
    lines.append(head)
    lines.append("-" * len(head))
    for s in report["sizes"]:
        rows = s["rows"]
        for who in ("gateway", "gateway-is", "reference"):
            if who not in s:
                continue
            r = s[who]
            lines.append(f"{rows:>6}  {who:<10}{_f(r['requests_per_s'], 11)}{_f(r['rows_per_s'], 13, 0)}"
                         f"{_f(r['p50_ms'], 10, 2)}{_f(r['p99_ms'], 10, 2)}{_f(r['peak_rss_mib'], 14)}{r['errors']:>8}"
                         f"{_spread([run['requests_per_s'] for run in r['runs']]):>8}")
        ra = s["ratios"]
        lines.append(f"{rows:>6}  {'ratio':<10}{ra['throughput']:>10.2f}×{ra['throughput']:>12.2f}×"
                     f"{ra['p50']:>9.2f}×{ra['p99']:>9.2f}×   (gateway÷reference req/s; reference÷gateway latency)")
        if "is_throughput" in ra:
            lines.append(f"{rows:>6}  {'ratio-is':<10}{ra['is_throughput']:>10.2f}×{'':>13}{'':>10}{ra['is_p99']:>9.2f}×"
                         f"   (inference-schema scorer on the gateway: {ra['is_of_native']:.0%} of the native contract)")
        fl = s["floor"]
        lines.append(f"{rows:>6}  {'floor':<10}{_f(fl['requests_per_s'], 11)}{_f(fl['requests_per_s'] * rows, 13, 0)}"
                     f"{'':>42}{_spread(fl['runs']):>8}   gateway÷floor req/s = {ra['floor']:.2f}"
                     f" (floor ÷ gateway = {1 / ra['floor']:.2f}×)"
                     if ra["floor"] else f"{rows:>6}  floor     n/a")
        lines.append("")
    csv_row = report.get("csv")
    if csv_row:
        lines.append(f"{csv_row['rows']:>6}  {'CSV':<10}{_f(csv_row['csv_requests_per_s'], 11)}"
                     f"{_f(csv_row['csv_requests_per_s'] * csv_row['rows'], 13, 0)}{_f(csv_row['csv_p50_ms'], 10, 2)}"
                     f"{_f(csv_row['csv_p99_ms'], 10, 2)}   text/csv on /invocations; the same rows as JSON on /score: "
                     f"{csv_row['json_requests_per_s']:,.1f} req/s")
    bare = report.get("http_floor")
    if bare:
        lines.append(f"bare aiohttp (fixed answer, 1-row body): {bare['requests_per_s']:,.1f} req/s, "
                     f"p99 {bare['p99_ms']:.2f} ms")
    mem = report.get("memory")
    if mem:
        lines.append(f"memory check: one {mem['rows']:,}-row request ({mem['body_bytes'] / 2**20:.1f} MiB body)")
        for who in ("gateway", "gateway-is", "reference"):
            m = mem.get(who)
            if m:
                lines.append(f"  {who:<10} status {m['status']}, {m['seconds'] or 0:.2f} s, RSS before "
                             f"{m['rss_before_mib']:.1f} MiB, peak {m['peak_rss_mib']:.1f} MiB: increase "
                             f"{m['increase_mib']:.1f} MiB = {m['increase_over_body']:.2f}× the body"
                             + ("" if m["exact"] else " (VmHWM could not be reset: upper bound)"))
    t = report.get("targets")
    if t:
        lines.append("targets:")
        for item in t:
            lines.append(f"  [{'PASS' if item['ok'] else 'FAIL'}] {item['target']}: {item['measured']}")
    batching = report.get("batching")
    if batching:
        lines.append(f"dynamic batching, {batching['connections']} concurrent one-row clients:")
        for label, m in batching["models"].items():
            verdict = "PASS" if m["ratio"] >= TARGET_BATCHING else "FAIL"
            lines.append(f"  [{verdict}] {label}: {m['requests_per_s_without']:,.0f} → {m['requests_per_s_with']:,.0f} "
                         f"req/s ({m['ratio']:.2f}×; target ≥ {TARGET_BATCHING:g}×)")
    return "\n".join(lines)


def targets(sizes: list[dict[str, Any]], memory: dict[str, Any] | None = None,
            http_floor: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    out = []
    for who, key in (("gateway", "throughput"), ("gateway-is", "is_throughput")):
        if not all(key in s["ratios"] for s in sizes):
            continue
        worst = min(sizes, key=lambda s: s["ratios"][key])
        out.append({"target": f"{who} ≥ {TARGET_THROUGHPUT:g}× the reference's requests/s at every size",
                    "ok": all(s["ratios"][key] >= TARGET_THROUGHPUT for s in sizes),
                    "measured": ", ".join(f"{s['rows']}: {s['ratios'][key]:.2f}×" for s in sizes)
                    + f" (lowest at {worst['rows']} rows)"})
        out.append({"target": f"{who} p99 at most 1/{TARGET_P99:g} of the reference's at every size",
                    "ok": all(s[who]["p99_ms"] * TARGET_P99 <= s["reference"]["p99_ms"] for s in sizes),
                    "measured": ", ".join(f"{s['rows']}: {s[who]['p99_ms']:.1f} vs {s['reference']['p99_ms']:.1f} ms"
                                          for s in sizes)})
    if all("is_of_native" in s["ratios"] for s in sizes):
        out.append({"target": f"the inference-schema scorer within {1 - TARGET_IS_OF_NATIVE:.0%} of the native "
                              "contract's requests/s at every size",
                    "ok": all(s["ratios"]["is_of_native"] >= TARGET_IS_OF_NATIVE for s in sizes),
                    "measured": ", ".join(f"{s['rows']}: {s['ratios']['is_of_native']:.0%}" for s in sizes)})
    one = [s for s in sizes if s["rows"] == 1]
    if http_floor and one and http_floor["requests_per_s"]:
        share = one[0]["gateway"]["requests_per_s"] / http_floor["requests_per_s"]
        out.append({"target": f"the 1-row figure ≥ {TARGET_HTTP_FLOOR:.0%} of the bare-aiohttp floor",
                    "ok": share >= TARGET_HTTP_FLOOR,
                    "measured": f"{one[0]['gateway']['requests_per_s']:,.0f} of {http_floor['requests_per_s']:,.0f} "
                                f"req/s = {share:.0%}"})
    at = [s for s in sizes if s["rows"] == FLOOR_TARGET_ROWS]
    if at:
        ratio = at[0]["ratios"]["floor"]
        out.append({"target": f"gateway within {TARGET_FLOOR}× of the in-process floor at {FLOOR_TARGET_ROWS:,} rows",
                    "ok": ratio > 0 and 1 / ratio <= TARGET_FLOOR,
                    "measured": f"floor ÷ gateway = {1 / ratio:.2f}×" if ratio else "n/a"})
    for who in ("gateway", "gateway-is"):
        measured = (memory or {}).get(who)
        if measured:
            out.append({"target": f"a {memory['rows']:,}-row request raises {who}'s peak RSS by ≤ {TARGET_MEMORY:g}× its body",
                        "ok": measured["status"] == 200 and measured["increase_over_body"] <= TARGET_MEMORY,
                        "measured": f"{measured['increase_mib']:.1f} MiB = {measured['increase_over_body']:.2f}× the body"})
    return out


def draw_chart(ref_python: str, source: Path, target: Path) -> str | None:
    done = subprocess.run([ref_python, str(HERE / "bench_chart.py"), str(source), str(target)],
                          capture_output=True, text=True)
    return None if done.returncode == 0 else done.stderr.strip()[-800:]
