"""The two servers as processes: start in their own process group, wait for the health route, measure
memory from /proc, stop the whole group.

The reference server hard-codes its bind address to 0.0.0.0. When `unshare`/`nsenter` can be used
(root on Linux), it runs in a private network namespace that has only a loopback interface, so it is
reachable from nowhere but that namespace's 127.0.0.1; the benchmark's clients (wrk, bench_client.py)
enter that namespace with `nsenter --net=/proc/PID/ns/net`. Traffic only ever goes to 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ("Server", "free_port", "netns_available")

HERE = Path(__file__).resolve().parent
CLIENT = HERE / "bench_client.py"

# Run as `unshare --net -- PYTHON -c LO_UP ARGV...`: bring the namespace's loopback up, then exec ARGV.
LO_UP = """
import fcntl, os, socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
req = struct.pack("16sH", b"lo", 0)
flags = struct.unpack("16sH", fcntl.ioctl(s, 0x8913, req)[:18])[1]            # SIOCGIFFLAGS
fcntl.ioctl(s, 0x8914, struct.pack("16sH", b"lo", flags | 0x1))               # SIOCSIFFLAGS |= IFF_UP
s.close()
os.execv(sys.argv[1], sys.argv[1:])
"""


def netns_available() -> bool:
    """True when a private network namespace can be made here (unshare + nsenter as root, Linux)."""
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("nsenter"):
        return False
    probe = subprocess.run(["unshare", "--net", "--", sys.executable, "-c", LO_UP, "/bin/true"],
                           capture_output=True)
    return probe.returncode == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    """pid and all its descendants (from /proc/*/stat)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(parents.get(p, []))
    return out


def _status_kib(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Server:
    """One server process group. `client_prefix` is what a client command needs to reach it."""

    def __init__(self, name: str, argv: list[str], *, env: dict[str, str], cwd: Path, port: int,
                 health_path: str, log: Path, netns: bool = False) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.cwd = cwd
        self.port = port
        self.health_path = health_path
        self.log = log
        self.netns = netns
        self.proc: subprocess.Popen[bytes] | None = None
        self.peak_resettable = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def client_prefix(self) -> list[str]:
        return ["nsenter", f"--net=/proc/{self.pid}/ns/net", "--"] if self.netns else []

    def start(self) -> None:
        argv = self.argv
        if self.netns:
            argv = ["unshare", "--net", "--", sys.executable, "-c", LO_UP, *argv]
        self._logfile = open(self.log, "wb")
        self.proc = subprocess.Popen(argv, cwd=self.cwd, env=self.env, stdout=self._logfile,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)

    def request(self, path: str, body: Path | None = None, timeout: float = 5.0,
                content_type: str = "application/json") -> dict[str, Any]:
        """One request through bench_client.py, from inside the server's namespace when it has one."""
        cmd = [*self.client_prefix, sys.executable, str(CLIENT), self.url + path, "--timeout", str(timeout),
               "--content-type", content_type]
        if body is not None:
            cmd += ["--body", str(body)]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            return {"status": None, "error": done.stderr.strip()[-500:]}
        return json.loads(done.stdout)

    def wait_ready(self, timeout: float) -> float:
        """Poll the health route until 200; answer the seconds it took. Raise if the process exits."""
        start = time.monotonic()
        while True:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with code {self.proc.returncode} before it was ready; "
                                   f"its log ({self.log}) ends with:\n{self.log_tail()}")
            if self.request(self.health_path, timeout=1.0).get("status") == 200:
                return time.monotonic() - start
            if time.monotonic() - start > timeout:
                raise RuntimeError(f"{self.name} not ready after {timeout:.0f} s; log tail:\n{self.log_tail()}")
            time.sleep(0.2)

    def log_tail(self, lines: int = 25) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # memory ---------------------------------------------------------------------------------------
    def pids(self) -> list[int]:
        return _children(self.pid) if self.alive() else []

    def rss_kib(self) -> int:
        return sum(_status_kib(p, "VmRSS") for p in self.pids())

    def peak_kib(self) -> int:
        """Sum of VmHWM (peak resident set) of the server process and its children."""
        return sum(_status_kib(p, "VmHWM") for p in self.pids())

    def reset_peak(self) -> bool:
        """Reset every process's VmHWM to its current RSS (`echo 5 > /proc/PID/clear_refs`)."""
        ok = True
        for p in self.pids():
            try:
                with open(f"/proc/{p}/clear_refs", "w") as f:
                    f.write("5")
            except OSError:
                ok = False
        self.peak_resettable = self.peak_resettable and ok
        return ok

    # stop -----------------------------------------------------------------------------------------
    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM the process group, SIGKILL it after `grace` seconds."""
        if self.proc is None:
            return
        pgid = self.proc.pid  # start_new_session: the group id is the leader's pid
        if self.proc.poll() is None:
            try:
                os.killpg(pgid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(pgid, signal.SIGKILL)  # stragglers (gunicorn workers) and a leader that ignored TERM
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self._logfile.close()
