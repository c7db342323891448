"""Every piece of typed application state, as `web.AppKey`s in one place."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from .limits import Limiter
from .metrics import Metrics
from .runtime import Registry
from .settings import Settings

__all__ = ("SETTINGS", "REGISTRY", "EXECUTOR", "READY", "CONTRACTS", "LIMITER", "METRICS", "SWAGGER", "BATCHERS", "INLINE", "REQUEST_ID", "SCORER_NAME", "ROWS")

SETTINGS = web.AppKey("settings", Settings)
REGISTRY = web.AppKey("registry", Registry)
EXECUTOR = web.AppKey("executor", ThreadPoolExecutor)
READY = web.AppKey("ready", asyncio.Event)  # set once every scorer's init() finished
CONTRACTS = web.AppKey("contracts", dict)  # scorer name → its contract JSON Schema, as bytes
LIMITER = web.AppKey("limiter", Limiter)
BATCHERS = web.AppKey("batchers", dict)  # scorer name → Batcher, for scorers that opted in
INLINE = web.AppKey("inline", dict)  # scorer name → InlinePolicy, for sync scorers
SWAGGER = web.AppKey("swagger", dict)  # scorer name → {dialect: document bytes}
METRICS = web.AppKey("metrics", Metrics)
REQUEST_ID = web.RequestKey("request_id", str)
SCORER_NAME = web.RequestKey("scorer_name", str)
ROWS = web.RequestKey("rows", int)
STARTED = web.RequestKey("started", float)  # perf_counter() when the middleware took the request
