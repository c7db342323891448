"""AZUREML_DEBUG_PORT through `python -m gateway`: each serving process connects to the debugger (a recording
stand-in for debugpy on PYTHONPATH) before its entry script is imported and its init() runs; debugpy is not
imported without the variable, and a missing debugpy stops startup saying how to install it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import requests
from conftest import HERE, ROOT

FIXTURES = HERE / "fixtures"

#: an entry script that notes when it is imported and when its init() runs, in the fake debugpy's log
SCRIPT = '''
import os


def _note(what):
    with open(os.environ["FAKE_DEBUGPY_LOG"], "a") as log:
        log.write(f"{what} {os.getpid()}\\n")


_note("import")


def init():
    _note("init")


def run(raw_data):
    return {"pid": os.getpid()}
'''


@pytest.fixture
def debugged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The script, and the log the fake debugpy and the script write; the fake debugpy first on PYTHONPATH."""
    script = tmp_path / "score.py"
    script.write_text(textwrap.dedent(SCRIPT))
    log = tmp_path / "calls.log"
    monkeypatch.setenv("FAKE_DEBUGPY_LOG", str(log))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(FIXTURES / "debugpy_fake"), str(ROOT)]))
    return script, log


def calls(log: Path) -> dict[int, list[str]]:
    """What each process did, in order, by process id."""
    by_pid: dict[int, list[str]] = {}
    for line in log.read_text().splitlines():
        what, _, pid = line.rpartition(" ")
        by_pid.setdefault(int(pid), []).append(what)
    return by_pid


def test_the_process_connects_to_the_debugger_before_importing_the_script(gateway_process, debugged):
    script, log = debugged
    process = gateway_process("--scorer", str(script), env={"AZUREML_DEBUG_PORT": "5678"})
    assert requests.post(process.base + "/score", data=b"x", timeout=10).status_code == 200
    assert calls(log) == {process.proc.pid: ["connect 5678", "wait_for_client", "import", "init"]}
    _, err = process.stop()
    assert "connecting to the debugger on port 5678" in err


def test_each_worker_connects_once_and_the_supervisor_never(gateway_process, debugged):
    script, log = debugged
    process = gateway_process("--scorer", str(script), "--workers", "2", env={"AZUREML_DEBUG_PORT": "5678"})
    deadline = time.monotonic() + 20  # ready once one worker is: the other may still be starting
    while sum("init" in steps for steps in calls(log).values()) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    answered = {requests.post(process.base + "/score", data=b"x", timeout=10).json()["pid"] for _ in range(20)}
    by_pid = calls(log)
    assert len(by_pid) == 2 and process.proc.pid not in by_pid and answered <= set(by_pid)
    for steps in by_pid.values():
        assert steps == ["connect 5678", "wait_for_client", "import", "init"]


def test_without_the_variable_debugpy_is_not_imported(gateway_process, debugged, monkeypatch):
    script, log = debugged
    monkeypatch.delenv("AZUREML_DEBUG_PORT", raising=False)
    process = gateway_process("--scorer", str(script))
    assert requests.post(process.base + "/score", data=b"x", timeout=10).status_code == 200
    assert calls(log) == {process.proc.pid: ["import", "init"]}


def test_a_missing_debugpy_stops_startup_saying_how_to_install_it(debugged):
    script, log = debugged
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "--scorer", str(script), "--port", "5999"],
        capture_output=True, text=True, timeout=30, cwd=ROOT,
        env={**os.environ, "AZUREML_DEBUG_PORT": "5678",
             "PYTHONPATH": os.pathsep.join([str(FIXTURES / "debugpy_missing"), str(ROOT)])},
    )
    assert result.returncode == 1
    assert ("gateway: cannot start: AZUREML_DEBUG_PORT=5678 is set but debugpy is not installed: "
            "pip install gateway[debug]") in result.stderr
    assert not log.exists()  # the script was never imported
