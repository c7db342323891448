"""Hostile and unlucky traffic against a real `python -m gateway`: what it costs in memory and in probe latency.

    python benchmarks/hostile.py                 # this checkout
    python benchmarks/hostile.py --root ../old   # another checkout of the gateway, for a before/after

1. memory: 20 concurrent 80 MB bodies against --max-concurrency 2 --max-queue 5 (7 admissible): the rise
   of the server's peak RSS, and how many were answered 200 / 429.
2. compressed bombs: 20 gzip bodies of ~400 KiB inflating to 400 MiB (past the 100 MiB limit), sent at
   once: the slowest /healthz answer while they are handled, and their statuses.
3. a slow inline call: ten fast calls, then one whose value makes it compute for 3 s: the slowest
   /healthz answer meanwhile.
"""

from __future__ import annotations

import argparse
import gzip
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
CPU_BOUND = HERE.parent / "tests" / "scorers" / "cpu_bound.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Gateway:
    def __init__(self, root: Path, *args: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gateway", "--scorer", str(CPU_BOUND), "--port", str(self.port), "--log-level", "WARNING", *args],
            cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(self.base + "/readyz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise SystemExit("the gateway did not start")
            time.sleep(0.1)

    def peak_kib(self) -> int:
        with open(f"/proc/{self.proc.pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

    def reset_peak(self) -> None:
        with open(f"/proc/{self.proc.pid}/clear_refs", "w") as refs:
            refs.write("5")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)


def probe_while(gateway: Gateway, work: list[threading.Thread]) -> float:
    """Start `work`, probe /healthz every 10 ms until it is done; the slowest probe in seconds."""
    for thread in work:
        thread.start()
    worst = 0.0
    while any(thread.is_alive() for thread in work):
        started = time.perf_counter()
        try:
            requests.get(gateway.base + "/healthz", timeout=60)
        except requests.RequestException:
            pass
        worst = max(worst, time.perf_counter() - started)
        time.sleep(0.01)
    return worst


def post(base: str, body: bytes, headers: dict[str, str], statuses: list[object]) -> None:
    try:
        statuses.append(requests.post(base + "/score", data=body, headers=headers, timeout=120).status_code)
    except requests.RequestException as exc:
        statuses.append(type(exc).__name__)


def memory(root: Path) -> str:
    gateway = Gateway(root, "--max-concurrency", "2", "--max-queue", "5", "--inline-budget", "0")
    body = b'{"Inputs": "' + b"x" * (80 << 20) + b'", "GlobalParameters": {"seconds": 1.0}}'
    before = gateway.peak_kib()
    gateway.reset_peak()
    statuses: list[object] = []
    work = [threading.Thread(target=post, args=(gateway.base, body, {"Content-Type": "application/json"}, statuses)) for _ in range(20)]
    for thread in work:
        thread.start()
    for thread in work:
        thread.join()
    rise = (gateway.peak_kib() - before) / 1024
    gateway.stop()
    return f"memory: 20 × 80 MB bodies against 2 running + 5 queued: peak RSS +{rise:.0f} MiB; statuses {_count(statuses)}"


def bombs(root: Path) -> str:
    gateway = Gateway(root)
    bomb = gzip.compress(b'{"Inputs": "' + b" " * (400 << 20) + b'"}', compresslevel=9)
    statuses: list[object] = []
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    work = [threading.Thread(target=post, args=(gateway.base, bomb, headers, statuses)) for _ in range(20)]
    worst = probe_while(gateway, work)
    gateway.stop()
    return f"bombs: 20 × {len(bomb) >> 10} KiB of gzip inflating to 400 MiB: slowest /healthz {worst * 1000:.0f} ms; statuses {_count(statuses)}"


def inline(root: Path) -> str:
    gateway = Gateway(root, "--scoring-timeout", "10")
    headers = {"Content-Type": "application/json"}
    for _ in range(10):
        requests.post(gateway.base + "/score", data=b'{"Inputs": 1, "GlobalParameters": {"seconds": 0.000}}', headers=headers)
    statuses: list[object] = []
    slow = b'{"Inputs": 1, "GlobalParameters": {"seconds": 3.000}}'
    worst = probe_while(gateway, [threading.Thread(target=post, args=(gateway.base, slow, headers, statuses))])
    gateway.stop()
    return f"inline: a 3 s call after ten fast ones of its size: slowest /healthz {worst * 1000:.0f} ms; statuses {_count(statuses)}"


def _count(statuses: list[object]) -> str:
    return ", ".join(f"{n}× {s}" for s, n in sorted({s: statuses.count(s) for s in statuses}.items(), key=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=HERE.parent, help="the gateway checkout to run (this one)")
    parser.add_argument("--only", choices=("memory", "bombs", "inline"), action="append", help="run only these")
    args = parser.parse_args()
    for name, measure in (("memory", memory), ("bombs", bombs), ("inline", inline)):
        if not args.only or name in args.only:
            print(measure(args.root.resolve()), flush=True)


if __name__ == "__main__":
    main()
