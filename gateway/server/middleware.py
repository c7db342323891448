"""The one middleware: request-id headers on every response, and errors rendered as JSON bodies.

GatewayError → its status and `{"message", "errors"}`; aiohttp's own 404/405/413 → the same body
shape; anything else → a logged traceback and a generic 500 that names the request id.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Awaitable, Callable

import orjson
from aiohttp import web
from multidict import CIMultiDictProxy

from gateway.errors import GatewayError, ScoringError, ScoringTimeout, TooBusy
from gateway.scoring.current import CURRENT_REQUEST
from gateway.version import __version__

from .keys import ERROR_KIND, METRICS, REQUEST_ID, SCORER_NAME, SETTINGS, STARTED, WATCH
from .traffic import record_exchange

__all__ = ("RequestIds", "gateway_middleware", "json_error", "route_label")

log = logging.getLogger("gateway.server")

MAX_ID_LENGTH = 100
SERVER_VERSION = f"gateway/{__version__}"
#: the status counted for a request whose client went away before it was answered
CLIENT_GONE = 499

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _usable(value: str | None) -> str:
    """An id header's value, or "" when absent or longer than the reference's 100-character limit."""
    if not value or len(value) > MAX_ID_LENGTH:
        return ""
    return value


@dataclass(slots=True)
class RequestIds:
    """The reference's id rules: x-request-id (or a uuid4), the legacy and client ids, TraceId."""

    request_id: str
    legacy: str
    client: str
    trace: str | None

    @classmethod
    def from_headers(cls, headers: CIMultiDictProxy[str]) -> "RequestIds":
        request_id = _usable(headers.get("x-request-id")) or str(uuid.uuid4())
        legacy = _usable(headers.get("x-ms-request-id"))
        client = _usable(headers.get("x-ms-client-request-id"))
        if legacy:
            client = client or legacy
        else:
            legacy = client or request_id
        return cls(request_id, legacy, client, headers.get("TraceId"))

    def apply(self, response: web.StreamResponse) -> None:
        headers = response.headers
        headers["x-request-id"] = self.request_id
        headers["x-ms-request-id"] = self.legacy
        if self.client:
            headers["x-ms-client-request-id"] = self.client
        if self.trace is not None:
            headers["TraceId"] = self.trace


def json_error(status: int, body: dict[str, object], run_failed: bool = False) -> web.Response:
    response = web.Response(status=status, body=orjson.dumps(body), content_type="application/json")
    response.headers["x-ms-run-function-failed"] = str(run_failed)
    return response


def _from_http_exception(exc: web.HTTPException, request: web.Request) -> web.Response:
    if exc.status == 404:
        message = f"no route for {request.path}"
    elif exc.status == 405:
        message = f"method {request.method} is not allowed on {request.path}"
        allowed = exc.headers.get("Allow")
        if allowed:
            message += f"; allowed: {allowed}"
    elif exc.status == 413:
        message = "request body is too large"
    else:
        message = exc.text or exc.reason
    response = json_error(exc.status, {"message": message})
    for header in ("Allow", "Retry-After", "WWW-Authenticate"):
        if header in exc.headers:
            response.headers[header] = exc.headers[header]
    return response


@web.middleware
async def gateway_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = request[STARTED] = time.perf_counter()
    ids = RequestIds.from_headers(request.headers)
    request[REQUEST_ID] = ids.request_id
    watch = request.app[WATCH]
    watch.started(request.protocol)
    serving = CURRENT_REQUEST.set(ids.request_id)  # log records made while serving it carry its id
    try:
        return await _answer(request, handler, started, ids)
    finally:  # whatever happened, the connection is idle again (a redirect re-raised included)
        CURRENT_REQUEST.reset(serving)
        watch.finished(request.protocol)


async def _answer(request: web.Request, handler: Handler, started: float, ids: RequestIds) -> web.StreamResponse:
    """The handler's response, or the error it raised as the JSON answer; counted in the metrics."""
    try:
        response = await handler(request)
    except asyncio.CancelledError:  # the client left before its answer: not a server error (nginx's 499)
        _count(request, CLIENT_GONE, time.perf_counter() - started)
        raise
    except GatewayError as exc:
        request[ERROR_KIND] = type(exc).__name__
        response = json_error(exc.status, exc.body(), exc.run_failed)
        response.headers.update(exc.headers)
        _count_failure(request, exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        response = _from_http_exception(exc, request)
    except Exception as exc:
        request[ERROR_KIND] = type(exc).__name__
        log.exception("unhandled error on %s %s (request id %s)", request.method, request.path, ids.request_id)
        response = json_error(
            500, {"message": f"An unexpected internal error occurred; see logs for request id {ids.request_id}"}
        )
    ids.apply(response)
    if response.status >= 400 and request.can_read_body:
        response.force_close()  # answered before its body was read: close rather than read the rest
    if request.app[SETTINGS].server_version_header:
        response.headers["x-ms-server-version"] = SERVER_VERSION
    if request.path != "/" and "x-ms-run-function-failed" not in response.headers:
        response.headers["x-ms-run-function-failed"] = "False"
    _count(request, response.status, time.perf_counter() - started)
    record_exchange(request, response)
    return response


def route_label(request: web.Request) -> str:
    """The route's template (`/score/{name}`), never the raw path, so label values stay bounded."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


def _count(request: web.Request, status: int, seconds: float) -> None:
    request.app[METRICS].request(request.get(SCORER_NAME, ""), route_label(request), status, seconds)


def _count_failure(request: web.Request, exc: GatewayError) -> None:
    metrics = request.app[METRICS]
    scorer = request.get(SCORER_NAME, "")
    if isinstance(exc, ScoringTimeout):
        metrics.scorer_errors.labels(scorer, "timeout").inc()
    elif isinstance(exc, ScoringError):
        metrics.scorer_errors.labels(scorer, "exception").inc()
    elif isinstance(exc, TooBusy):
        metrics.rejected.labels(scorer).inc()
