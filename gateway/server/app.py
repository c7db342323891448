"""`create_app`: the route table, the middlewares and the lifecycle (the scoring service, scorers' init())."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, AsyncIterator, Iterable

import orjson
from aiohttp import web
from aiohttp.typedefs import Middleware

from gateway.documents.jsonschema import contract_schema
from gateway.documents.openapi import (
    VERSIONS,
    DocumentOptions,
    build_document,
    user_documents,
)
from gateway.scoring.scorer import Registry, Scorer
from gateway.scoring.service import Scoring
from gateway.settings import Settings

from . import handlers
from .auth import auth_middleware
from .connections import ConnectionWatch
from .cors import enable_cors
from .docs import STATIC_DIR, docs_page
from .keys import (
    CONTRACTS,
    DRAINING,
    INIT,
    METRICS,
    READY,
    SCORING,
    SERVE_DURING_INIT,
    SETTINGS,
    SWAGGER,
    WATCH,
)
from .metrics import Metrics
from .middleware import gateway_middleware
from .tracing import flush_tracing, start_tracing, tracing_environ, tracing_middleware
from .traffic import capture_context

__all__ = ("PUBLIC_ROUTES", "ROUTES", "SERVER_OPTIONS", "create_app", "open_paths", "reload_scorers")

log = logging.getLogger("gateway.server")

#: The aiohttp server options the gateway's app is written for (`web.run_app`, `AppRunner`, `TestServer`):
#: handlers are cancelled when their client leaves, and bodies arrive as sent (inflated by `body.read_body`).
SERVER_OPTIONS: dict[str, Any] = {"handler_cancellation": True, "auto_decompress": False}

#: Routes open without an API key: the probes, and the /docs page with its static files (Swagger UI
#: itself, which holds no data; the documents the page loads stay protected).
PUBLIC_ROUTES: list[web.AbstractRouteDef] = [
    web.get("/", handlers.health),
    web.get("/healthz", handlers.healthz),
    web.get("/readyz", handlers.readyz),
    web.get("/docs", docs_page),
    web.static("/docs/static", STATIC_DIR),
]

ROUTES: list[web.AbstractRouteDef] = [
    *PUBLIC_ROUTES,
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
    # Studio (classic) clients: `.../workspaces/<ws>/services/<name>/execute?api-version=2.0`
    web.post("/execute", handlers.classic_execute),
    web.post("/score/{name}/execute", handlers.classic_execute),
    web.post("/workspaces/{workspace}/services/{name}/execute", handlers.classic_execute),
    # MLflow clients: the pyfunc scoring server's protocol
    web.post("/invocations", handlers.invocations),
    web.post("/score/{name}/invocations", handlers.invocations),
    web.get("/workspaces/{workspace}/services/{name}/swagger.json", handlers.swagger_document),
]

#: OPTIONS reaches @rawhttp scripts (which may answer their own CORS headers) unless CORS is configured,
#: in which case aiohttp-cors answers preflights itself.
RAW_OPTIONS_ROUTES: list[web.AbstractRouteDef] = [
    web.route("OPTIONS", "/score", handlers.score),
    web.route("OPTIONS", "/score/{name}", handlers.score),
]


def open_paths(prefix: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """The exact paths and the path prefixes of `PUBLIC_ROUTES`, at the root and under `prefix`."""
    paths: set[str] = set()
    prefixes: list[str] = []
    for base in dict.fromkeys(("", prefix)):
        for route in PUBLIC_ROUTES:
            if isinstance(route, web.StaticDef):
                prefixes.append(base + route.prefix + "/")
            else:
                assert isinstance(route, web.RouteDef)
                paths.add(base + route.path)
    return frozenset(paths), tuple(prefixes)


async def _scoring(app: web.Application) -> AsyncIterator[None]:
    """The scoring service's pool and batchers for the app's lifetime, and every scorer's init() as a
    task (`INIT`) that sets `READY` when it has finished: awaited here, so that the app is ready when it
    starts serving, unless it was built to serve during init()."""
    scoring = app[SCORING]
    scoring.start()
    try:
        app[INIT] = asyncio.ensure_future(_init(app))
        if not app[SERVE_DURING_INIT]:
            await app[INIT]
        yield
    finally:
        app[INIT].cancel()
        scoring.close()


async def _init(app: web.Application) -> None:
    await app[SCORING].init_scorers()
    app[READY].set()


def _prefixed(route: web.AbstractRouteDef, prefix: str) -> web.AbstractRouteDef:
    if isinstance(route, web.StaticDef):
        return web.static(prefix + route.prefix, route.path, **route.kwargs)
    assert isinstance(route, web.RouteDef)
    return web.RouteDef(route.method, prefix + route.path, route.handler, route.kwargs)


def _contract_documents(registry: Registry) -> dict[str, bytes]:
    """Every scorer's contract as one JSON Schema, serialized once."""
    return {name: orjson.dumps(contract_schema(scorer)) for name, scorer in registry.scorers.items()}


def _swagger_documents(settings: Settings, registry: Registry) -> dict[str, dict[str, bytes]]:
    """Every scorer's document in every dialect, built once; a scorer's own swagger files win."""
    options = DocumentOptions.of(settings)
    documents: dict[str, dict[str, bytes]] = {}
    for name, scorer in registry.scorers.items():
        supplied = user_documents(scorer)
        path = registry.path_of(scorer)
        documents[name] = {
            dialect: orjson.dumps(supplied.get(dialect) or build_document(scorer, path, dialect, options))
            for dialect in set(VERSIONS.values())
        }
    return documents


async def reload_scorers(app: web.Application, scorers: list[Scorer]) -> None:
    """Serve `scorers` in place of the current ones (SIGHUP): their documents are built and their init()
    run while the current ones go on serving, then all is swapped in one step of the loop. Any failure
    (a StartupError) leaves the current scorers, documents and all, serving."""
    settings = app[SETTINGS]
    loop = asyncio.get_running_loop()
    registry = Registry(scorers)
    contracts = _contract_documents(registry)
    swagger = await loop.run_in_executor(None, _swagger_documents, settings, registry)
    await app[SCORING].reload(registry)
    app[CONTRACTS].clear()
    app[CONTRACTS].update(contracts)
    app[SWAGGER].clear()
    app[SWAGGER].update(swagger)


def create_app(settings: Settings, scorers: Iterable[Scorer], *, serve_during_init: bool = False) -> web.Application:
    """Build the gateway application for these scorers; the only way to make one.

    By default its startup runs every init() (an in-process server is ready when it starts). With
    `serve_during_init`, as `python -m gateway` runs it, the port opens first: liveness answers 200 at
    once, readiness and scoring 503 (with Retry-After) until every init() has finished, so that a long
    model load is not mistaken for a dead process.
    """
    middlewares: list[Middleware] = [gateway_middleware]
    tracer = start_tracing(settings.service_name, tracing_environ(settings.appinsights_key))
    if tracer is not None:  # outermost: the server span covers the whole answer
        middlewares.insert(0, tracing_middleware(tracer))
    if settings.api_keys:
        paths, prefixes = open_paths(settings.prefix)
        middlewares.append(auth_middleware(settings.api_keys, paths, prefixes, preflights=bool(settings.cors_origins)))
    app = web.Application(middlewares=middlewares, client_max_size=settings.max_body_size)
    app[SETTINGS] = settings
    registry = Registry(scorers)
    app[READY] = asyncio.Event()
    app[DRAINING] = asyncio.Event()
    app[SERVE_DURING_INIT] = serve_during_init
    app[METRICS] = metrics = Metrics()
    app[WATCH] = ConnectionWatch(settings.request_read_timeout)
    observe = metrics.observe_capacity if metrics.multiprocess else None
    app[SCORING] = scoring = Scoring(settings, registry, observe=observe)
    metrics.watch_capacity(lambda: scoring.limiter.running, lambda: scoring.limiter.waiting)
    app[CONTRACTS] = _contract_documents(registry)
    app[SWAGGER] = _swagger_documents(settings, registry)
    routes = ROUTES if settings.cors_origins else ROUTES + RAW_OPTIONS_ROUTES
    app.router.add_routes(routes)
    if settings.prefix:  # served under the prefix the documents advertise, and at the root for probes behind proxies
        app.router.add_routes([_prefixed(route, settings.prefix) for route in routes])
    if settings.cors_origins:
        enable_cors(app, settings.cors_origins)
    app.cleanup_ctx.append(_scoring)
    if settings.capture_dir is not None:
        app.cleanup_ctx.append(capture_context)
    if tracer is not None:
        app.cleanup_ctx.append(flush_tracing)
    return app
