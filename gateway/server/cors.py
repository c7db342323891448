"""CORS: an allowlist of origins with real preflight answers, through aiohttp-cors."""

from __future__ import annotations

from typing import Iterable

import aiohttp_cors
from aiohttp import web

__all__ = ("enable_cors", "ALLOWED_HEADERS", "EXPOSED_HEADERS")

ALLOWED_HEADERS = ("Content-Type", "Authorization", "x-request-id", "x-ms-client-request-id", "x-ms-request-id", "TraceId")
EXPOSED_HEADERS = (
    "x-request-id",
    "x-ms-request-id",
    "x-ms-client-request-id",
    "x-ms-run-fn-exec-ms",
    "x-ms-run-function-failed",
    "Retry-After",
)


def enable_cors(app: web.Application, origins: Iterable[str]) -> None:
    """Answer preflights and add CORS headers for these origins on every route (no credentials, so `*` is safe)."""
    options = aiohttp_cors.ResourceOptions(  # type: ignore[no-untyped-call]
        allow_credentials=False,
        allow_headers=ALLOWED_HEADERS,
        expose_headers=EXPOSED_HEADERS,
        allow_methods=("GET", "POST"),
        max_age=600,
    )
    cors = aiohttp_cors.setup(app, defaults={origin: options for origin in origins})
    app.on_response_prepare.append(_vary_on_origin)
    for route in list(app.router.routes()):
        if not isinstance(route.resource, web.StaticResource):  # static files need no CORS
            cors.add(route)


async def _vary_on_origin(request: web.Request, response: web.StreamResponse) -> None:
    """The allowed origin is echoed per request, so caches must key on Origin (aiohttp-cors omits it)."""
    if "Access-Control-Allow-Origin" in response.headers and "Origin" not in response.headers.get("Vary", ""):
        response.headers.add("Vary", "Origin")
