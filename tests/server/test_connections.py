"""Slow and silent connections through a real `python -m gateway` process: closed after the request read
timeout, whatever they trickle, and probes answered even when descriptors run low."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time

import requests
from conftest import ROOT, SCORERS, free_port

ECHO = str(SCORERS / "echo.py")


def _closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(1024) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def test_headers_trickled_forever_are_cut_at_the_read_timeout(gateway_process):
    """300 slowloris sockets were never closed (aiohttp times out only idle keep-alive connections)."""
    process = gateway_process("--scorer", ECHO, "--request-read-timeout", "2")
    sockets = []
    for _ in range(50):
        sock = socket.create_connection(("127.0.0.1", process.port))
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        sockets.append(sock)
    started = time.monotonic()
    for _ in range(12):  # one more header byte per socket every half second: never a complete request
        for sock in sockets:
            try:
                sock.sendall(b"X")
            except OSError:
                pass
        time.sleep(0.5)
        assert requests.get(process.base + "/healthz", timeout=2).status_code == 200
    for sock in sockets:
        sock.settimeout(0.5)
    assert all(_closed(sock) for sock in sockets), "a trickling connection is still open"
    assert time.monotonic() - started < 10


def test_a_body_that_does_not_arrive_in_time_is_a_408_and_the_connection_closes(gateway_process):
    process = gateway_process("--scorer", ECHO, "--request-read-timeout", "2")
    with socket.create_connection(("127.0.0.1", process.port), timeout=10) as sock:
        sock.sendall(b"POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"In")
        started = time.monotonic()
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
            if time.monotonic() - started > 8:
                break
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b"did not arrive within 2 s" in answer
    assert 1.5 < time.monotonic() - started < 6


def test_idle_keep_alive_connections_are_closed_after_the_read_timeout(gateway_process):
    process = gateway_process("--scorer", ECHO, "--request-read-timeout", "2")
    with socket.create_connection(("127.0.0.1", process.port), timeout=10) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        sock.settimeout(8)
        assert _closed(sock)
        assert 1.5 < time.monotonic() - started < 6


def test_probes_are_answered_when_descriptors_run_low():
    """With 256 descriptors, 1 100 silent connections once made `/healthz` fail."""
    port = free_port()

    def low_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))

    proc = subprocess.Popen(
        [sys.executable, "-m", "gateway", "--scorer", ECHO, "--port", str(port)],
        cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"}, preexec_fn=low_limit,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline
            time.sleep(0.1)
        silent = []
        for _ in range(400):
            try:
                silent.append(socket.create_connection(("127.0.0.1", port), timeout=2))
            except OSError:
                break
        time.sleep(2.5)  # a sweep closes the longest-idle connections beyond the reserve
        answers = []
        for _ in range(5):
            try:
                answers.append(requests.get(f"http://127.0.0.1:{port}/healthz", timeout=3).status_code)
            except requests.RequestException as exc:
                answers.append(repr(exc))
            time.sleep(0.3)
        assert answers.count(200) >= 4, answers
        for sock in silent:
            sock.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
