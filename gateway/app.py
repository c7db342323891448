"""`create_app`: the route table, the middleware and the lifecycle (thread pool, scorers' init())."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import AsyncIterator, Iterable

import orjson
from aiohttp import web

from . import handlers
from .check import contract_schema
from .errors import StartupError
from .keys import CONTRACTS, EXECUTOR, READY, REGISTRY, SETTINGS
from .middleware import gateway_middleware
from .runtime import Registry, Scorer
from .settings import Settings

__all__ = ("ROUTES", "create_app")

log = logging.getLogger("gateway.server")

ROUTES = [
    web.get("/", handlers.health),
    web.get("/healthz", handlers.healthz),
    web.get("/readyz", handlers.readyz),
    web.post("/score", handlers.score),
    web.get("/score", handlers.score, allow_head=False),
    web.post("/score/{name}", handlers.score),
    web.get("/score/{name}", handlers.score, allow_head=False),
    web.get("/contract.json", handlers.contract_document),
    web.get("/scorers/{name}/contract.json", handlers.contract_document),
]


async def _thread_pool(app: web.Application) -> AsyncIterator[None]:
    app[EXECUTOR] = ThreadPoolExecutor(app[SETTINGS].threads, thread_name_prefix="gateway-scorer")
    yield
    app[EXECUTOR].shutdown(wait=True, cancel_futures=True)


async def _init_scorers(app: web.Application) -> AsyncIterator[None]:
    """Call each scorer's init() once, off the loop, before any score request is answered."""
    loop = asyncio.get_running_loop()
    for scorer in app[REGISTRY].scorers.values():
        if scorer.init is None:
            continue
        try:
            result = await loop.run_in_executor(app[EXECUTOR], scorer.init)
            if asyncio.iscoroutine(result):
                await result
        except Exception as exc:
            where = f" ({scorer.target})" if scorer.target else ""
            raise StartupError(
                f"scorer '{scorer.name}'{where}: init() raised {type(exc).__name__}: {exc}"
            ) from exc
    app[READY].set()
    yield


def create_app(settings: Settings, scorers: Iterable[Scorer]) -> web.Application:
    """Build the gateway application for these scorers; the only way to make one."""
    app = web.Application(middlewares=[gateway_middleware], client_max_size=settings.max_body_size)
    app[SETTINGS] = settings
    app[REGISTRY] = registry = Registry(scorers)
    app[CONTRACTS] = {name: orjson.dumps(contract_schema(s)) for name, s in registry.scorers.items()}
    app[READY] = asyncio.Event()
    app.router.add_routes(ROUTES)
    app.cleanup_ctx.append(_thread_pool)
    app.cleanup_ctx.append(_init_scorers)
    return app
