"""`gateway.server.run`: the event loop, the heap settled after init(), the banner, and startup failures."""

from __future__ import annotations

import gc
import socket
import subprocess
import sys

import pytest
from conftest import ROOT, SCORERS

from gateway import Scorer
from gateway.server.run import (
    GC_YOUNG_THRESHOLD,
    banner,
    new_event_loop,
    serve,
    settle_heap,
)
from gateway.server.workers import EXIT_STARTUP, WORKER_ENV
from gateway.settings import ScorerTarget, Settings


def test_the_event_loop_is_uvloop_s_where_installed():
    loop = new_event_loop()
    try:
        uvloop = pytest.importorskip("uvloop")
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()


def test_settling_the_heap_freezes_it_and_makes_young_collections_rarer():
    before = gc.get_threshold()
    try:
        settle_heap()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, *before[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_the_banner_names_routes_keys_cors_and_the_model_folder(monkeypatch):
    monkeypatch.setenv(WORKER_ENV, "2")
    scorers = [Scorer.from_function("default", lambda raw: raw), Scorer.from_function("churn", lambda raw: raw)]
    settings = Settings(port=6001, api_keys=("a", "b"), cors_origins=("https://a.example",), model_dir="/models")
    text = banner(settings, scorers)
    assert text.splitlines()[0].startswith("gateway ") and "serving on http://127.0.0.1:6001 (worker 2, pid " in text
    assert "scorer 'default' (" in text and "at /score/default and /score" in text and "at /score/churn\n" in text
    assert "API keys: 2 accepted" in text and "CORS origins: https://a.example" in text
    assert "AZUREML_MODEL_DIR=/models" in text
    assert "open to anyone" in banner(Settings(), scorers[:1])


def test_a_scorer_that_cannot_be_imported_exits_1(monkeypatch, capsys):
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.setenv("AML_APP_ROOT", str(ROOT))
    code = serve(Settings(scorers=(ScorerTarget("default", str(SCORERS / "absent.py")),)))
    assert code == EXIT_STARTUP
    assert "gateway: cannot start: scorer 'default': entry script" in capsys.readouterr().err


def test_a_port_in_use_exits_1():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "gateway", "--scorer", str(SCORERS / "echo.py"), "--port", str(port)],
            capture_output=True, text=True, timeout=60, cwd=ROOT,
        )
    assert result.returncode == EXIT_STARTUP
    assert f"gateway: cannot listen on 127.0.0.1:{port}:" in result.stderr
