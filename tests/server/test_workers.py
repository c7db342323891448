"""Process behaviour through real `python -m gateway` processes: drain on SIGTERM, --workers,
init timeout, and a 200 MB body refused before it is read."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import requests
from conftest import ROOT, SCORERS
from test_production import metric

SLOW = str(SCORERS / "slow.py")


def rss_peak_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_sigterm_drains_the_in_flight_request_then_exits_0(gateway_process):
    process = gateway_process("--scorer", SLOW, "--drain-timeout", "20")
    answers: list[requests.Response] = []
    sender = threading.Thread(
        target=lambda: answers.append(
            requests.post(process.base + "/score", json={"Inputs": "x", "GlobalParameters": {"sleep": 2}}, timeout=30)
        )
    )
    sender.start()
    time.sleep(0.7)
    process.proc.send_signal(signal.SIGTERM)
    sender.join(30)
    assert answers and answers[0].status_code == 200
    assert answers[0].json()["Results"] == "x"
    assert process.proc.wait(timeout=30) == 0


def test_two_workers_serve_one_port_and_metrics_are_summed(gateway_process):
    process = gateway_process("--scorer", SLOW, "--workers", "2")
    pids = set()
    sent = 0
    deadline = time.monotonic() + 60  # the second worker may still be starting when the first answers
    while time.monotonic() < deadline and not (len(pids) == 2 and sent >= 20):
        with requests.Session() as fresh:  # a new connection each time, so the kernel spreads them
            answer = fresh.post(process.base + "/score", json={"Inputs": sent}, timeout=60).json()
        sent += 1
        pids.add(answer["pid"])
        if len(pids) < 2:
            time.sleep(0.05)
    assert len(pids) == 2, "both workers should have answered"
    assert process.proc.pid not in pids
    text = requests.get(process.base + "/metrics", timeout=60).text
    assert metric(text, "gateway_requests_total", scorer="default", route="/score", status="200") == sent

    victim = pids.pop()
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 60
    seen: set[int] = set()
    while time.monotonic() < deadline and not (seen - {victim} - pids):
        try:
            with requests.Session() as fresh:
                seen.add(fresh.post(process.base + "/score", json={"Inputs": 0}, timeout=5).json()["pid"])
        except requests.RequestException:  # a connection queued on the killed worker's socket is lost
            time.sleep(0.1)
    assert seen - {victim} - pids, "a replacement worker should be serving"

    process.proc.send_signal(signal.SIGTERM)
    assert process.proc.wait(timeout=60) == 0


def test_worker_that_cannot_start_stops_the_supervisor():
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "--scorer", str(SCORERS / "init_fails.py"), "--workers", "2", "--port", "5998"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert result.returncode == 1
    assert "init() raised RuntimeError" in result.stderr


def test_init_timeout_stops_startup():
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "--scorer", str(SCORERS / "slow_init.py"), "--init-timeout", "0.5",
         "--port", "5997"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert result.returncode == 1
    assert "init() did not finish within 0.5 s" in result.stderr


def test_200_mb_body_is_refused_before_it_is_read(gateway_process):
    process = gateway_process("--scorer", SLOW)
    before = rss_peak_kb(process.proc.pid)
    size = 200 * 1024 * 1024
    with socket.create_connection(("127.0.0.1", process.port), timeout=10) as sock:
        sock.sendall(
            f"POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\r\n".encode()
            + b"{" + b" " * 65536
        )
        reply = sock.recv(65536).decode()
    assert reply.startswith("HTTP/1.1 413")
    assert "exceeds the limit of 104857600 bytes" in reply
    after = rss_peak_kb(process.proc.pid)
    assert after - before < 20 * 1024, f"peak RSS grew by {after - before} kB"
    assert requests.get(process.base + "/healthz", timeout=5).status_code == 200
