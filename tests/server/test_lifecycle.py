"""The process's lifecycle through real `python -m gateway` processes and signals: the port opens before
init(), a drain answers every accepted request and its timeout bounds the exit, descriptors are raised."""

from __future__ import annotations

import signal
import socket
import threading
import time

import requests
from conftest import SCORERS

SLOW = str(SCORERS / "slow.py")


def test_the_port_opens_before_init_so_liveness_passes_while_readiness_waits(gateway_process):
    """During a long init() both probes once refused connections, and Kubernetes' liveness probe killed
    the pod. Now: liveness 200 at once, readiness and scoring 503 with Retry-After until init() is done."""
    process = gateway_process("--scorer", str(SCORERS / "slow_start.py"), env={"GATEWAY_TEST_INIT_SECONDS": "3"}, ready=False)
    deadline = time.monotonic() + 20
    while True:
        try:
            live = requests.get(process.base + "/healthz", timeout=1)
            break
        except requests.ConnectionError:
            assert time.monotonic() < deadline, "the port never opened"
            time.sleep(0.05)
    assert live.status_code == 200
    ready = requests.get(process.base + "/readyz", timeout=1)
    assert ready.status_code == 503 and ready.json() == {"status": "starting"}
    scored = requests.post(process.base + "/score", data="x", timeout=5)
    assert scored.status_code == 503 and scored.headers["Retry-After"] == "2"
    assert "init() has not finished" in scored.json()["message"]
    process.wait_ready(timeout=20)
    assert requests.post(process.base + "/score", data="x", timeout=5).json() == {"model": "loaded"}


def test_the_drain_timeout_bounds_the_exit_and_a_stuck_call_is_answered_503(gateway_process):
    """`--drain-timeout 2` with a run() stuck for 15 s once exited after 14.6 s."""
    process = gateway_process("--scorer", SLOW, "--drain-timeout", "2", "--inline-budget", "0")
    answers: list[requests.Response] = []
    sender = threading.Thread(
        target=lambda: answers.append(
            requests.post(process.base + "/score", json={"Inputs": "x", "GlobalParameters": {"sleep": 15}}, timeout=30)
        )
    )
    sender.start()
    time.sleep(0.5)
    started = time.monotonic()
    process.proc.send_signal(signal.SIGTERM)
    assert process.proc.wait(timeout=10) == 0
    took = time.monotonic() - started
    sender.join(10)
    assert answers and answers[0].status_code == 503 and answers[0].headers["Retry-After"] == "1"
    assert "shutting down" in answers[0].json()["message"]
    assert took < 6, f"the exit took {took:.1f} s for a 2 s drain timeout"
    try:  # the process is gone: nothing listens any more
        requests.get(process.base + "/healthz", timeout=1)
        raise AssertionError("still listening")
    except requests.ConnectionError:
        pass


def _raw_post(port: int, body: bytes, results: list[bytes]) -> None:
    head = f"POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
            sock.sendall(head.encode() + body)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
            results.append(b"".join(chunks))
    except OSError as exc:
        results.append(repr(exc).encode())


def test_sigterm_while_an_inline_call_blocks_the_loop_loses_no_request(gateway_process):
    """Once: after 50 fast requests of one size the first 1 s call ran on the loop, 20 connections waited
    unaccepted, and SIGTERM reset 15 of them. Every connection the kernel accepted gets its answer."""
    process = gateway_process("--scorer", SLOW, "--drain-timeout", "10")
    fast = b'{"Inputs": "x", "GlobalParameters": {"sleep": 0.0}}'
    slow = b'{"Inputs": "x", "GlobalParameters": {"sleep": 1.0}}'
    assert len(fast) == len(slow)
    for _ in range(50):
        assert requests.post(process.base + "/score", data=fast, headers={"Content-Type": "application/json"}).status_code == 200
    results: list[bytes] = []
    blocker = threading.Thread(target=_raw_post, args=(process.port, slow, results))
    blocker.start()
    time.sleep(0.2)
    waiting = [threading.Thread(target=_raw_post, args=(process.port, fast, results)) for _ in range(20)]
    for thread in waiting:
        thread.start()
    time.sleep(0.2)
    process.proc.send_signal(signal.SIGTERM)
    for thread in [blocker, *waiting]:
        thread.join(30)
    assert process.proc.wait(timeout=20) == 0
    statuses = [answer.split(b"\r\n", 1)[0] for answer in results]
    assert len(statuses) == 21
    assert statuses == [b"HTTP/1.1 200 OK"] * 21, statuses


def test_the_soft_descriptor_limit_is_raised_to_the_hard_one(gateway_process):
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, hard), hard))  # a common default, inherited
    try:
        process = gateway_process("--scorer", SLOW)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    with open(f"/proc/{process.proc.pid}/limits") as limits:
        line = next(line for line in limits if line.startswith("Max open files"))
    got_soft, got_hard = line.split()[3:5]
    assert got_hard == (str(hard) if hard != resource.RLIM_INFINITY else "unlimited")
    assert got_soft == got_hard


def test_a_slow_inline_call_does_not_hold_the_loop(gateway_process):
    """Ten fast calls, then a slow one of the same size (its cost depends on a value): it once ran on the
    loop and stalled `/healthz` for the whole scoring timeout. Now it is interrupted after its slice and
    run again in a thread, while the probes go on being answered."""
    process = gateway_process("--scorer", str(SCORERS / "cpu_bound.py"), "--scoring-timeout", "20")
    fast = b'{"Inputs": "x", "GlobalParameters": {"seconds": 0.000}}'
    slow = b'{"Inputs": "x", "GlobalParameters": {"seconds": 3.000}}'
    headers = {"Content-Type": "application/json"}
    for _ in range(10):
        answer = requests.post(process.base + "/score", data=fast, headers=headers).json()
    assert answer["thread"] == "MainThread"  # the fast calls run inline
    order: list[str] = []
    results: list[dict[str, object]] = []

    def post_slow() -> None:
        results.append(requests.post(process.base + "/score", data=slow, headers=headers, timeout=30).json())
        order.append("slow")

    sender = threading.Thread(target=post_slow)
    sender.start()
    time.sleep(0.5)
    for _ in range(5):
        assert requests.get(process.base + "/healthz", timeout=30).status_code == 200
        order.append("healthz")
    sender.join(30)
    assert order == ["healthz"] * 5 + ["slow"]  # every probe answered while the slow call still ran
    assert results[0]["thread"] != "MainThread" and results[0]["starts"] == 12  # the 11th start was interrupted
    _, err = process.stop()
    assert "held the event loop for 50 ms" in err
