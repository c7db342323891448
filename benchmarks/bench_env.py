"""What the benchmark installs: the reference server's virtual environment and the load generator.

* `benchmarks/.venv-reference`: `azureml-inference-server-http` and `inference-schema` (the versions
  the reference study used), the same numpy and pandas versions as the gateway's environment (so both
  servers run identical pandas code), and matplotlib (the chart is drawn with this environment's python,
  so the gateway's own environment gets nothing extra). Rebuilt only when its requirements change.
* `wrk` from Debian (`apt-get install -y wrk`, after `apt-get update` when needed); `hey` only when
  wrk cannot be had.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

__all__ = ("REFERENCE_PINS", "reference_env", "ensure_loadgen", "ensure_tool_in_env")

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv-reference"
MARKER = VENV / "bench-requirements.json"

# What REFERENCE_BEHAVIOUR.md observed; tried first.
REFERENCE_PINS = ("azureml-inference-server-http==1.5.1", "inference-schema==1.8")
REFERENCE_UNPINNED = ("azureml-inference-server-http", "inference-schema")
REPORTED = ("azureml-inference-server-http", "inference-schema", "flask", "werkzeug", "gunicorn",
            "numpy", "pandas", "matplotlib")


def _log(msg: str) -> None:
    print(f"[setup] {msg}", flush=True)


def venv_python() -> Path:
    return VENV / "bin" / "python"


def _same_stack() -> list[str]:
    """numpy and pandas pinned to the gateway environment's versions (this process's)."""
    pins = []
    for name in ("numpy", "pandas"):
        try:
            pins.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pins.append(name)
    return pins


def _pip(args: list[str], log: Path) -> bool:
    with open(log, "ab") as out:
        done = subprocess.run([str(venv_python()), "-m", "pip", "install", "--disable-pip-version-check", *args],
                              stdout=out, stderr=subprocess.STDOUT)
    return done.returncode == 0


def _installed_versions() -> dict[str, str]:
    code = ("import json, importlib.metadata as m\n"
            "out = {}\n"
            f"for n in {list(REPORTED)!r}:\n"
            "    try: out[n] = m.version(n)\n"
            "    except m.PackageNotFoundError: pass\n"
            "print(json.dumps(out))")
    done = subprocess.run([str(venv_python()), "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def reference_env(log: Path) -> dict[str, object]:
    """Create or reuse `benchmarks/.venv-reference`; answer its python, azmlinfsrv and versions."""
    stack = _same_stack()
    wanted = {"reference": list(REFERENCE_PINS), "stack": stack, "extra": ["matplotlib"]}
    if MARKER.exists() and venv_python().exists():
        recorded = json.loads(MARKER.read_text())
        if recorded.get("wanted") == wanted:
            _log(f"reusing {VENV.relative_to(HERE.parent)}")
            return {"python": str(venv_python()), "azmlinfsrv": str(VENV / "bin" / "azmlinfsrv"),
                    "versions": recorded["versions"], "pinned": recorded["pinned"]}
    if VENV.exists():
        shutil.rmtree(VENV)
    _log(f"creating {VENV.relative_to(HERE.parent)} (pip log: {log})")
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    _pip(["--upgrade", "pip"], log)
    pinned = True
    # 1. the reference study's exact versions with the gateway's numpy/pandas;
    # 2. the same reference versions with whatever numpy/pandas pip picks;
    # 3. the latest reference packages.
    attempts = [
        [*REFERENCE_PINS, *stack],
        [*REFERENCE_PINS, "numpy", "pandas"],
        [*REFERENCE_UNPINNED, "numpy", "pandas"],
    ]
    for i, attempt in enumerate(attempts):
        _log("pip install " + " ".join(attempt))
        if _pip(attempt, log):
            pinned = i < 2
            break
        _log("  failed; see the pip log")
    else:
        raise SystemExit(f"could not install the reference server into {VENV}; see {log}")
    if not _pip(["matplotlib"], log):
        _log("matplotlib could not be installed: no chart will be drawn")
    versions = _installed_versions()
    if not pinned:
        _log("WARNING: azureml-inference-server-http 1.5.1 / inference-schema 1.8 were not installable; "
             f"got {versions}")
    MARKER.write_text(json.dumps({"wanted": wanted, "versions": versions, "pinned": pinned}, indent=2))
    return {"python": str(venv_python()), "azmlinfsrv": str(VENV / "bin" / "azmlinfsrv"),
            "versions": versions, "pinned": pinned}


def ensure_tool_in_env(package: str, executable: str, log: Path) -> Path | None:
    """Install `package` into the benchmark environment when its `executable` is missing (py-spy)."""
    path = VENV / "bin" / executable
    if not path.exists():
        _log(f"pip install {package} into {VENV.relative_to(HERE.parent)}")
        if not _pip([package], log):
            return None
    return path


def _apt(*packages: str, log: Path) -> bool:
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    with open(log, "ab") as out:
        def install() -> bool:
            return subprocess.run(["apt-get", "install", "-y", "-q", *packages], stdout=out,
                                  stderr=subprocess.STDOUT, env=env).returncode == 0
        if install():
            return True
        _log("apt-get update")
        subprocess.run(["apt-get", "update", "-q"], stdout=out, stderr=subprocess.STDOUT, env=env)
        return install()


def ensure_loadgen(preferred: str, log: Path) -> tuple[str, str]:
    """('wrk'|'hey', version line): wrk when it is there or installable, else hey."""
    order = ["wrk", "hey"] if preferred == "wrk" else ["hey"]
    for tool in order:
        if shutil.which(tool) is None:
            _log(f"{tool} is missing: apt-get install -y {tool}")
            _apt(tool, log=log)
        if shutil.which(tool) is not None:
            return tool, _version(tool)
        _log(f"{tool} could not be installed")
    raise SystemExit("no load generator: install wrk (apt-get install -y wrk) or hey")


def _version(tool: str) -> str:
    if tool == "wrk":
        done = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
        first = (done.stdout or done.stderr).splitlines()[0].split()  # "wrk debian/4.1.0-3+b2 [epoll] ..."
        return " ".join(first[:2])
    try:
        return "hey " + subprocess.run(["dpkg-query", "-W", "-f=${Version}", "hey"], capture_output=True,
                                       text=True).stdout.strip()
    except OSError:
        return "hey"
