"""Draw benchmarks/results/latest.png from latest.json (matplotlib only).

    python benchmarks/bench_chart.py results/latest.json results/latest.png

run.py calls it with the benchmark environment's python (benchmarks/.venv-reference, where matplotlib is
installed), so the gateway's environment needs no plotting library.
"""

from __future__ import annotations

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

COLORS = {"gateway": "#1f77b4", "reference": "#d62728", "floor": "#7f7f7f"}


def main(source: str, target: str) -> None:
    report = json.load(open(source))
    sizes = report["sizes"]
    rows = [s["rows"] for s in sizes]
    labels = [f"{r:,}" for r in rows]
    fig, axes = plt.subplots(2, 2, figsize=(12, 8.5))
    meta = report["meta"]
    fig.suptitle(f"gateway {meta['gateway_version']} vs azureml-inference-server-http "
                 f"{meta['reference_versions'].get('azureml-inference-server-http', '?')} (one worker each, "
                 f"{meta['machine']['cpus']} CPUs)\n{meta['loadgen']}, {meta['connections']['gateway']} connections "
                 f"(reference {meta['connections']['reference']}), {meta['rounds']} × {meta['duration_s']:g} s per "
                 f"server and size, {meta['date']}", fontsize=10)

    ax = axes[0][0]
    for who in ("gateway", "reference"):
        ax.plot(rows, [s[who]["rows_per_s"] for s in sizes], "o-", color=COLORS[who], label=who)
    ax.plot(rows, [s["floor"]["requests_per_s"] * s["rows"] for s in sizes], "s--", color=COLORS["floor"],
            label="in-process floor")
    ax.set(xscale="log", yscale="log", xlabel="rows per request", ylabel="rows / s", title="throughput (rows/s)")
    ax.set_xticks(rows, labels)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()

    ax = axes[0][1]
    for who in ("gateway", "reference"):
        ax.plot(rows, [s[who]["p50_ms"] for s in sizes], "o-", color=COLORS[who], label=f"{who} p50")
        ax.plot(rows, [s[who]["p99_ms"] for s in sizes], "^:", color=COLORS[who], label=f"{who} p99")
    ax.set(xscale="log", yscale="log", xlabel="rows per request", ylabel="ms", title="latency under load")
    ax.yaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xticks(rows, labels)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)

    ax = axes[1][0]
    width = 0.38
    xs = range(len(rows))
    tp = [s["ratios"]["throughput"] for s in sizes]
    lat = [s["ratios"]["p99"] for s in sizes]
    bars = ax.bar([x - width / 2 for x in xs], tp, width, color=COLORS["gateway"], label="req/s gateway ÷ reference")
    bars2 = ax.bar([x + width / 2 for x in xs], lat, width, color="#ff7f0e", label="p99 reference ÷ gateway")
    ax.bar_label(bars, fmt="%.1f×", fontsize=8)
    ax.bar_label(bars2, fmt="%.1f×", fontsize=8)
    ax.axhline(5, color="k", ls="--", lw=0.8, label="target 5×")
    ax.set_xticks(list(xs), labels)
    ax.set(xlabel="rows per request", ylabel="ratio", title="gateway advantage")
    ax.legend(fontsize=8)

    ax = axes[1][1]
    for who in ("gateway", "reference"):
        ax.plot(rows, [s[who]["peak_rss_mib"] for s in sizes], "o-", color=COLORS[who], label=who)
    ax2 = ax.twinx()
    ax2.plot(rows, [s["ratios"]["floor"] for s in sizes], "s--", color=COLORS["floor"], label="gateway ÷ floor req/s")
    ax2.axhline(1 / 1.3, color=COLORS["floor"], ls=":", lw=0.8)
    ax2.set_ylabel("gateway ÷ floor (target ≥ 1/1.3 at 10 000 rows)")
    ax2.set_ylim(0, max(1.05, max(s["ratios"]["floor"] for s in sizes) * 1.1))
    ax.set(xscale="log", xlabel="rows per request", ylabel="peak RSS (MiB)", title="memory and distance to the floor")
    ax.set_xticks(rows, labels)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="center left", fontsize=8)
    ax2.legend(loc="center right", fontsize=8)

    fig.tight_layout()
    fig.savefig(target, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
