"""Shared fixtures: an in-process gateway for given scorers, and a real `python -m gateway` process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterator

import pytest
import requests
from aiohttp.test_utils import TestClient, TestServer

from gateway import Scorer, Settings, create_app
from gateway.server.app import SERVER_OPTIONS

HERE = Path(__file__).parent
ROOT = HERE.parent
SCORERS = HERE / "scorers"

ServeFn = Callable[..., Awaitable[TestClient]]


@pytest.fixture
def serve(aiohttp_client: Any) -> ServeFn:
    """`await serve(run, name=..., init=...)` or `await serve(scorer1, scorer2)`: a client for a fresh app."""

    async def _serve(*functions: Any, settings: Settings | None = None, **named: Any) -> TestClient:
        scorers: list[Scorer] = []
        for fn in functions:
            scorers.append(fn if isinstance(fn, Scorer) else Scorer.from_function("default", fn))
        for name, fn in named.items():
            scorers.append(fn if isinstance(fn, Scorer) else Scorer.from_function(name, fn))
        server = TestServer(create_app(settings or Settings(), scorers))
        # the gateway's own server options (TestServer passes start_server's keywords on, not its own)
        await server.start_server(**{k: v for k, v in SERVER_OPTIONS.items() if k != "handler_cancellation"})
        return await aiohttp_client(server)

    return _serve


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class GatewayProcess:
    """A `python -m gateway` subprocess on a free loopback port."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
        self.port = free_port()
        self.args = args
        self.base = f"http://127.0.0.1:{self.port}"
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gateway", *args, "--port", str(self.port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=full_env,
            cwd=cwd or ROOT,
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                out, err = self.proc.communicate()
                raise AssertionError(f"gateway exited {self.proc.returncode}:\n{out}\n{err}")
            try:
                if requests.get(self.base + "/readyz", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise AssertionError("gateway did not become ready")

    def stop(self) -> tuple[str, str]:
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            out, err = self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        return out, err


@pytest.fixture
def gateway_process() -> Iterator[Callable[..., GatewayProcess]]:
    started: list[GatewayProcess] = []

    def _start(*args: str, env: dict[str, str] | None = None, ready: bool = True) -> GatewayProcess:
        process = GatewayProcess(list(args), env)
        started.append(process)
        if ready:
            process.wait_ready()
        return process

    yield _start
    for process in started:
        process.stop()


POWER_BI_ROWS = [
    {"age": 42, "income": 52000.5, "is_member": True, "city": "Seattle", "signup_date": "2021-03-04T10:00:00"},
    {"age": 23, "income": 18000.0, "is_member": False, "city": "Lisbon", "signup_date": "2023-11-30T08:15:00"},
    {"age": 67, "income": 91000.25, "is_member": True, "city": "Utrecht", "signup_date": "2019-07-21T00:00:00"},
]
