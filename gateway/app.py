"""`create_app`: the route table, the middlewares and the lifecycle (thread pool, scorers' init())."""

from __future__ import annotations

import asyncio
import inspect
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import AsyncIterator, Iterable

import orjson
from aiohttp import web
from aiohttp.typedefs import Middleware

from . import handlers
from .auth import auth_middleware
from .check import contract_schema
from .cors import enable_cors
from .docs import STATIC_DIR, docs_page
from .errors import StartupError
from .inline import InlinePolicy
from .keys import BATCHERS, CONTRACTS, EXECUTOR, INLINE, LIMITER, METRICS, READY, REGISTRY, SETTINGS, SWAGGER
from .limits import Limiter
from .metrics import Metrics
from .middleware import gateway_middleware
from .runtime import Registry, Scorer, make_batcher
from .settings import Settings
from .swagger import VERSIONS, DocumentOptions, build_document, user_documents

__all__ = ("ROUTES", "create_app")

log = logging.getLogger("gateway.server")

ROUTES: list[web.AbstractRouteDef] = [
    web.get("/", handlers.health),
    web.get("/healthz", handlers.healthz),
    web.get("/readyz", handlers.readyz),
    web.get("/metrics", handlers.metrics),
    web.post("/score", handlers.score),
    web.get("/score", handlers.score, allow_head=False),
    web.post("/score/{name}", handlers.score),
    web.get("/score/{name}", handlers.score, allow_head=False),
    web.get("/contract.json", handlers.contract_document),
    web.get("/scorers/{name}/contract.json", handlers.contract_document),
    web.get("/swagger.json", handlers.swagger_document),
    web.get("/scorers/{name}/swagger.json", handlers.swagger_document),
    web.get("/powerquery/{name}.pq", handlers.powerquery_function),
    web.get("/docs", docs_page),
    web.static("/docs/static", STATIC_DIR),
    # Studio (classic) clients: `.../workspaces/<ws>/services/<name>/execute?api-version=2.0`
    web.post("/execute", handlers.classic_execute),
    web.post("/score/{name}/execute", handlers.classic_execute),
    web.post("/workspaces/{workspace}/services/{name}/execute", handlers.classic_execute),
    web.get("/workspaces/{workspace}/services/{name}/swagger.json", handlers.swagger_document),
]

#: OPTIONS reaches @rawhttp scripts (which may answer their own CORS headers) unless CORS is configured,
#: in which case aiohttp-cors answers preflights itself.
RAW_OPTIONS_ROUTES: list[web.AbstractRouteDef] = [
    web.route("OPTIONS", "/score", handlers.score),
    web.route("OPTIONS", "/score/{name}", handlers.score),
]


async def _thread_pool(app: web.Application) -> AsyncIterator[None]:
    """One thread per concurrency slot: a sync run() never waits for a thread once it has a slot."""
    app[EXECUTOR] = ThreadPoolExecutor(app[SETTINGS].max_concurrency, thread_name_prefix="gateway-scorer")
    app[BATCHERS] = {
        name: batcher
        for name, scorer in app[REGISTRY].scorers.items()
        if (batcher := make_batcher(
            scorer, app[EXECUTOR], app[LIMITER], _inline(app[SETTINGS], scorer), app[SETTINGS].scoring_timeout
        )) is not None
    }
    yield
    app[EXECUTOR].shutdown(wait=True, cancel_futures=True)


async def _init_scorers(app: web.Application) -> AsyncIterator[None]:
    """Call each scorer's init() once, off the loop and within the init timeout, before serving."""
    loop = asyncio.get_running_loop()
    timeout = app[SETTINGS].init_timeout
    for scorer in app[REGISTRY].scorers.values():
        if scorer.init is None:
            continue
        where = f" ({scorer.target})" if scorer.target else ""
        init = scorer.init
        try:
            if inspect.iscoroutinefunction(init):
                await asyncio.wait_for(init(), timeout)
            else:
                await asyncio.wait_for(asyncio.shield(loop.run_in_executor(app[EXECUTOR], init)), timeout)
        except TimeoutError:
            raise StartupError(f"scorer '{scorer.name}'{where}: init() did not finish within {timeout:g} s") from None
        except Exception as exc:
            raise StartupError(f"scorer '{scorer.name}'{where}: init() raised {type(exc).__name__}: {exc}") from exc
    app[READY].set()
    yield


def _inline(settings: Settings, scorer: Scorer) -> InlinePolicy | None:
    """A sync scorer's inline policy (its requests', or its batcher's merged calls')."""
    return None if scorer.is_async else InlinePolicy(settings.inline_budget)


def _prefixed(route: web.AbstractRouteDef, prefix: str) -> web.AbstractRouteDef:
    if isinstance(route, web.StaticDef):
        return web.static(prefix + route.prefix, route.path, **route.kwargs)
    assert isinstance(route, web.RouteDef)
    return web.RouteDef(route.method, prefix + route.path, route.handler, route.kwargs)


def _swagger_documents(settings: Settings, registry: Registry) -> dict[str, dict[str, bytes]]:
    """Every scorer's document in every dialect, built once; a scorer's own swagger files win."""
    options = DocumentOptions(
        title=settings.service_name,
        version=settings.service_version,
        path_prefix=settings.path_prefix,
        secured=bool(settings.api_keys),
    )
    default = registry.default
    documents: dict[str, dict[str, bytes]] = {}
    for name, scorer in registry.scorers.items():
        supplied = user_documents(scorer)
        path = "/score" if scorer is default else f"/score/{name}"
        documents[name] = {
            dialect: orjson.dumps(supplied.get(dialect) or build_document(scorer, path, dialect, options))
            for dialect in set(VERSIONS.values())
        }
    return documents


def create_app(settings: Settings, scorers: Iterable[Scorer]) -> web.Application:
    """Build the gateway application for these scorers; the only way to make one."""
    middlewares: list[Middleware] = [gateway_middleware]
    if settings.api_keys:
        middlewares.append(auth_middleware(settings.api_keys))
    app = web.Application(middlewares=middlewares, client_max_size=settings.max_body_size)
    app[SETTINGS] = settings
    app[REGISTRY] = registry = Registry(scorers)
    app[READY] = asyncio.Event()
    app[METRICS] = metrics = Metrics()
    observe = metrics.observe_capacity if metrics.multiprocess else None
    app[LIMITER] = limiter = Limiter(settings.max_concurrency, settings.max_queue, observe=observe)
    metrics.watch_capacity(lambda: limiter.running, lambda: limiter.waiting)
    app[INLINE] = {name: policy for name, s in registry.scorers.items() if (policy := _inline(settings, s)) is not None}
    app[CONTRACTS] = {name: orjson.dumps(contract_schema(s)) for name, s in registry.scorers.items()}
    app[SWAGGER] = _swagger_documents(settings, registry)
    routes = ROUTES if settings.cors_origins else ROUTES + RAW_OPTIONS_ROUTES
    app.router.add_routes(routes)
    prefix = settings.path_prefix.strip("/")
    if prefix:  # served under the prefix the documents advertise, and at the root for probes behind proxies
        app.router.add_routes([_prefixed(route, f"/{prefix}") for route in routes])
    if settings.cors_origins:
        enable_cors(app, settings.cors_origins)
    app.cleanup_ctx.append(_thread_pool)
    app.cleanup_ctx.append(_init_scorers)
    return app
