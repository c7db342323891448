"""`--workers N`: a supervisor running N gateway processes on one port (SO_REUSEPORT).

Each worker is a full `python -m gateway` process with its own scorer instance (its own init()). A worker
that dies is replaced; one that fails at startup stops everything (exit 1). SIGTERM/SIGINT are passed on
so each worker drains its in-flight requests, then the supervisor exits 0. SIGHUP is passed on too: each
worker reloads its scorers while it goes on serving. Metrics are summed through
prometheus-client's multiprocess directory, which the supervisor creates and removes.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from typing import Any

from gateway.settings import Settings

__all__ = ("WORKER_ENV", "EXIT_STARTUP", "supervise")

WORKER_ENV = "GATEWAY_WORKER"
EXIT_STARTUP = 1

log = logging.getLogger("gateway.server.workers")


def _worker_argv(argv: list[str]) -> list[str]:
    return [sys.executable, "-m", "gateway", *argv, "--reuse-port"]


def supervise(argv: list[str], settings: Settings) -> int:
    """Run and watch `settings.workers` worker processes until SIGTERM/SIGINT; returns the exit code."""
    metrics_dir = tempfile.mkdtemp(prefix="gateway-metrics-")
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    workers: dict[int, subprocess.Popen[bytes]] = {}

    def reload(signum: int, frame: Any) -> None:
        log.info("SIGHUP: each worker reloads its scorers while it serves")
        for worker in workers.values():
            if worker.poll() is None:
                worker.send_signal(signal.SIGHUP)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    previous[signal.SIGHUP] = signal.signal(signal.SIGHUP, reload)

    def spawn(index: int) -> subprocess.Popen[bytes]:
        env = {**os.environ, WORKER_ENV: str(index), "PROMETHEUS_MULTIPROC_DIR": metrics_dir}
        return subprocess.Popen(_worker_argv(argv), env=env)

    workers.update({index: spawn(index) for index in range(1, settings.workers + 1)})
    log.info("supervising %d workers on %s:%d: pids %s", len(workers), settings.host, settings.port,
             ", ".join(str(w.pid) for w in workers.values()))
    code = 0
    try:
        while not stopping:
            time.sleep(0.2)
            for index, worker in list(workers.items()):
                status = worker.poll()
                if status is None or stopping:
                    continue
                if status == EXIT_STARTUP:
                    log.error("worker %d could not start (exit %d); stopping", index, status)
                    code = EXIT_STARTUP
                    stopping = True
                    break
                log.warning("worker %d (pid %d) exited with %d; starting a new one", index, worker.pid, status)
                _forget(metrics_dir, worker.pid)
                workers[index] = spawn(index)
    finally:
        for worker in workers.values():
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + settings.drain_timeout + 10
        for worker in workers.values():
            try:
                worker.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        shutil.rmtree(metrics_dir, ignore_errors=True)
    return code


def _forget(metrics_dir: str, pid: int) -> None:
    """Drop a dead worker's live gauges (in-flight, queue) from the summed metrics."""
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", metrics_dir)
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid, metrics_dir)  # type: ignore[no-untyped-call]
