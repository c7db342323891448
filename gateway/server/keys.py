"""Every piece of typed application state, as `web.AppKey`s in one place."""

from __future__ import annotations

import asyncio

from aiohttp import web

from gateway.scoring.capture import Capture
from gateway.scoring.service import Scoring
from gateway.settings import Settings

from .connections import ConnectionWatch
from .metrics import Metrics

__all__ = ("SETTINGS", "SCORING", "READY", "INIT", "SERVE_DURING_INIT", "DRAINING", "CONTRACTS", "METRICS", "WATCH", "SWAGGER", "REQUEST_ID", "SCORER_NAME", "ROWS", "STARTED", "CAPTURE", "REQUEST_BODY", "REQUEST_ANSWERED_BY_SCRIPT", "ERROR_KIND")

SETTINGS = web.AppKey("settings", Settings)
SCORING = web.AppKey("scoring", Scoring)  # the registry, the pool, the limiter, batchers and inline policies
READY = web.AppKey("ready", asyncio.Event)  # set once every scorer's init() finished
INIT = web.AppKey("init", asyncio.Task)  # every scorer's init(), run once the app starts
SERVE_DURING_INIT = web.AppKey("serve_during_init", bool)  # see create_app
DRAINING = web.AppKey("draining", asyncio.Event)  # set when shutting down: readiness 503, no new work
CONTRACTS = web.AppKey("contracts", dict)  # scorer name → its contract JSON Schema, as bytes
SWAGGER = web.AppKey("swagger", dict)  # scorer name → {dialect: document bytes}
METRICS = web.AppKey("metrics", Metrics)
WATCH = web.AppKey("watch", ConnectionWatch)  # idle and slow connections, closed after the read timeout
REQUEST_ID = web.RequestKey("request_id", str)
SCORER_NAME = web.RequestKey("scorer_name", str)
ROWS = web.RequestKey("rows", int)
CAPTURE = web.AppKey("capture", Capture)  # the traffic capture, only when --capture is given
REQUEST_BODY = web.RequestKey("request_body", bytes)  # a score request's body as read (for the capture)
REQUEST_ANSWERED_BY_SCRIPT = web.RequestKey("answered_by_script", bool)  # run() built the response itself
ERROR_KIND = web.RequestKey("error_kind", str)  # the class of the error a request was answered with
STARTED = web.RequestKey("started", float)  # perf_counter() when the middleware took the request
