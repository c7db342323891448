"""AZUREML_DEBUG_PORT, as azmlinfsrv's worker reads it: before the scripts are imported, the process connects to
a debugpy server listening on that port (VS Code's "attach, listen" configuration) and waits until the
debugger is ready, so breakpoints in import-time code and init() are hit. debugpy is imported only then."""

from __future__ import annotations

import importlib
import sys

from gateway.errors import StartupError

__all__ = ("connect_debugger",)

INSTALL = "pip install gateway[debug]"


def connect_debugger(port: int | None) -> None:
    """`debugpy.connect(port)` then `debugpy.wait_for_client()` when `port` is set; StartupError when debugpy is
    not installed or nothing listens on the port."""
    if not port:
        return
    try:
        debugpy = importlib.import_module("debugpy")
    except ImportError:
        raise StartupError(f"AZUREML_DEBUG_PORT={port} is set but debugpy is not installed: {INSTALL}") from None
    print(f"gateway: AZUREML_DEBUG_PORT is set (not for production): connecting to the debugger on port {port}",
          file=sys.stderr, flush=True)
    try:
        debugpy.connect(port)
        debugpy.wait_for_client()
    except Exception as exc:  # noqa: BLE001 - whatever debugpy raises, startup stops with its cause
        raise StartupError(f"could not connect to the debugger on port {port}: {type(exc).__name__}: {exc}") from exc
