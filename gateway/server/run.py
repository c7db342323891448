"""Serving as a process: the event loop, the port opened before init(), the heap once every init() has run, the
banner, and the drain on SIGTERM (bounded by the drain timeout)."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import resource
import signal
import sys
import time
from typing import Sequence

from aiohttp import web

from gateway.errors import StartupError
from gateway.scoring.loader import load_scorers
from gateway.scoring.scorer import Registry, Scorer
from gateway.settings import Settings
from gateway.version import __version__

from .app import SERVER_OPTIONS, create_app, reload_scorers
from .debug import connect_debugger
from .keys import DRAINING, INIT, READY, SCORING, WATCH
from .logs import AccessLogger
from .tracing import exporter_kind, tracing_environ
from .workers import EXIT_STARTUP, WORKER_ENV

__all__ = ("GC_YOUNG_THRESHOLD", "Reloads", "banner", "drain", "new_event_loop", "raise_descriptor_limit", "serve", "settle_heap")

#: Allocations (net, of container objects) between two young-generation collections; CPython's default is 700.
GC_YOUNG_THRESHOLD = 10_000
#: After SIGTERM, how long the port stays open so that connections already in the listen backlog are served.
ACCEPT_GRACE = 0.5
#: After the drain timeout, how long abandoned requests' 503s may take to be written.
ABANDON_GRACE = 1.0

log = logging.getLogger("gateway.server")


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's event loop where it is installed (Linux, macOS), asyncio's otherwise."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def settle_heap() -> None:
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
    if settings.capture_dir:
        share = "every scored request" if settings.capture_sample >= 1 else f"{settings.capture_sample:.0%} of scored requests"
        lines.append(f"  capturing {share} into {settings.capture_dir}: captured bodies are user data, keep them as such")
    kind = exporter_kind(tracing_environ(settings.appinsights_key))
    if kind is not None:
        lines.append(f"  traces: exported ({kind}; OTEL_* / Application Insights variables)")
    return "\n".join(lines)


def serve(settings: Settings) -> int:
    """Import the scorers, open the port, run their init() and serve until SIGTERM/SIGINT, then drain;
    the exit code (1: could not start)."""
    raise_descriptor_limit()
    try:
        connect_debugger(settings.debug_port)  # AZUREML_DEBUG_PORT: each process, before its scripts are imported
        scorers = load_scorers(settings.scorers)
        app = create_app(settings, scorers, serve_during_init=True)
    except StartupError as exc:
        print(f"gateway: cannot start: {exc}", file=sys.stderr, flush=True)
        return EXIT_STARTUP
    loop = new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return loop.run_until_complete(_serve(app, settings, banner(settings, scorers)))
    finally:
        leftover = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in leftover:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*leftover, return_exceptions=True))
        loop.close()


async def _serve(app: web.Application, settings: Settings, text: str) -> int:
    runner = web.AppRunner(
        app, handle_signals=False, access_log_class=AccessLogger, access_log_format=settings.log_format,
        shutdown_timeout=ABANDON_GRACE, **SERVER_OPTIONS,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    reloads = Reloads(app, settings)
    loop.add_signal_handler(signal.SIGHUP, reloads.request)
    await runner.setup()  # the scoring pool starts; every init() now runs in the background (`INIT`)
    try:
        site = web.TCPSite(runner, settings.host, settings.port, reuse_port=settings.reuse_port or None)
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        print(f"gateway: cannot listen on {settings.host}:{settings.port}: {exc}", file=sys.stderr, flush=True)
        return EXIT_STARTUP
    print(text, flush=True)
    assert runner.server is not None
    watching = asyncio.ensure_future(app[WATCH].run(runner.server))  # slow and silent connections closed
    try:
        return await _until_stopped(app, runner, settings, stop)
    finally:
        watching.cancel()


async def _until_stopped(app: web.Application, runner: web.AppRunner, settings: Settings, stop: asyncio.Event) -> int:
    """Every init() in the background while serving, then serving until SIGTERM, then the drain."""
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait({app[INIT], stopping}, return_when=asyncio.FIRST_COMPLETED)
    if app[INIT].done() and not app[INIT].cancelled() and app[INIT].exception() is not None:
        stopping.cancel()
        await runner.cleanup()
        print(f"gateway: cannot start: {app[INIT].exception()}", file=sys.stderr, flush=True)
        return EXIT_STARTUP
    if app[READY].is_set():
        settle_heap()
    await stopping
    return await drain(app, runner, settings.drain_timeout)


async def drain(app: web.Application, runner: web.AppRunner, timeout: float) -> int:
    """SIGTERM: readiness says 503; requests already accepted, and connections already waiting in the
    listen backlog, are still answered; after `timeout` seconds what is left is answered 503 and its
    call abandoned, so the exit takes at most about `timeout` plus a second."""
    app[DRAINING].set()
    scoring = app[SCORING]
    deadline = time.monotonic() + timeout
    await asyncio.sleep(min(ACCEPT_GRACE, timeout))  # the loop accepts what the backlog holds, and answers it
    for site in list(runner.sites):
        await site.stop()
    while scoring.admission.count and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    abandoned = scoring.abandon()
    if abandoned:
        log.warning("drain timeout (%g s): %d request(s) answered 503, their calls abandoned", timeout, abandoned)
        await asyncio.sleep(0.1)  # their 503s go out
    await runner.cleanup()
    if scoring.busy_threads:
        for handler in logging.getLogger().handlers:
            handler.flush()
        os._exit(0)  # a stuck run() in a thread would otherwise hold the interpreter's exit
    return 0


class Reloads:
    """SIGHUP: the scorers are imported again (the changed script), their init() run (the new model) while
    the current ones serve, then swapped in; a reload that fails keeps the current ones and logs why.
    A SIGHUP during a reload starts one more once it is done."""

    def __init__(self, app: web.Application, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.task: asyncio.Task[None] | None = None
        self.again = False
        self.done = 0

    def request(self) -> None:
        if self.task is not None and not self.task.done():
            self.again = True
            return
        self.task = asyncio.ensure_future(self._reload())

    async def _reload(self) -> None:
        while True:
            self.again = False
            log.info("SIGHUP: reloading the scorers")
            try:
                loop = asyncio.get_running_loop()
                scorers = await loop.run_in_executor(None, load_scorers, self.settings.scorers)
                await reload_scorers(self.app, scorers)
            except Exception as exc:  # noqa: BLE001 - a failed reload must never stop the serving scorers
                log.error("reload failed, the current scorers keep serving: %s: %s", type(exc).__name__, exc)
            else:
                self.done += 1
                log.info("reloaded: now serving %s", ", ".join(f"'{s.name}' ({s.target})" for s in scorers))
            if not self.again:
                return


def raise_descriptor_limit() -> None:
    """The soft limit of open files raised to the hard one (1 024 is a common default: a thousand idle
    connections were enough to make the probes fail)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            pass
