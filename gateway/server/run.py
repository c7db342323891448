"""Serving as a process: the event loop, the heap once every init() has run, the startup banner, aiohttp's `run_app`."""

from __future__ import annotations

import asyncio
import gc
import os
import sys
from typing import Sequence

from aiohttp import web

from gateway.errors import StartupError
from gateway.scoring.loader import load_scorers
from gateway.scoring.scorer import Registry, Scorer
from gateway.settings import Settings
from gateway.version import __version__

from .app import create_app
from .body import SERVER_OPTIONS
from .logs import AccessLogger
from .workers import EXIT_STARTUP, WORKER_ENV

__all__ = ("GC_YOUNG_THRESHOLD", "banner", "new_event_loop", "serve", "settle_heap")

#: Allocations (net, of container objects) between two young-generation collections; CPython's default is 700.
GC_YOUNG_THRESHOLD = 10_000


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's event loop where it is installed (Linux, macOS), asyncio's otherwise."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


async def settle_heap(app: web.Application) -> None:
    """Once every init() has run: the startup heap (libraries, models) is moved out of the garbage
    collector's sight for good, and young collections are made rarer. Under 64 concurrent one-row
    requests the collector otherwise walked that heap every ~24 requests, 22 µs a request on average;
    only cyclic garbage waits longer (reference counting still frees everything else at once)."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def banner(settings: Settings, scorers: Sequence[Scorer]) -> str:
    """What the process prints once it listens: where, which scorers at which routes, keys, CORS, model folder."""
    base = f"http://{settings.host}:{settings.port}"
    worker = os.environ.get(WORKER_ENV)
    lines = [f"gateway {__version__} serving on {base}" + (f" (worker {worker}, pid {os.getpid()})" if worker else "")]
    default = Registry(scorers).default
    for scorer in scorers:
        routes = f"/score/{scorer.name}" + (" and /score" if scorer is default else "")
        lines.append(f"  scorer '{scorer.name}' ({scorer.target}) at {routes}")
        lines.append(f"      {scorer.describe()}")
    lines.append(f"  docs for people: {base}/docs    swagger: {base}/swagger.json?version=2|3|3.1")
    lines.append("  probes: GET /  /healthz  /readyz    metrics: GET /metrics")
    if settings.api_keys:
        lines.append(f"  API keys: {len(settings.api_keys)} accepted (Authorization: Bearer <key>)")
    else:
        lines.append("  no API key is configured: the server is open to anyone who can reach it")
    if settings.cors_origins:
        lines.append("  CORS origins: " + ", ".join(settings.cors_origins))
    if settings.model_dir:
        lines.append(f"  AZUREML_MODEL_DIR={settings.model_dir}")
    return "\n".join(lines)


def serve(settings: Settings) -> int:
    """Import the scorers, run their init() and serve until SIGTERM/SIGINT; the exit code (1: could not start)."""
    try:
        scorers = load_scorers(settings.scorers)
        app = create_app(settings, scorers)
        app.on_startup.append(settle_heap)  # after create_app's startup, whose scoring context runs every init()
        text = banner(settings, scorers)
        web.run_app(
            app,
            loop=new_event_loop(),
            host=settings.host,
            port=settings.port,
            reuse_port=settings.reuse_port or None,
            shutdown_timeout=settings.drain_timeout,
            **SERVER_OPTIONS,
            print=lambda _: print(text, flush=True),
            access_log_class=AccessLogger,
            access_log_format=settings.log_format,
        )
    except StartupError as exc:
        print(f"gateway: cannot start: {exc}", file=sys.stderr, flush=True)
        return EXIT_STARTUP
    except OSError as exc:
        print(f"gateway: cannot listen on {settings.host}:{settings.port}: {exc}", file=sys.stderr, flush=True)
        return EXIT_STARTUP
    return 0
