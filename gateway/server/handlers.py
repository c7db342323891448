"""One short handler per route: HTTP in, HTTP out; the work happens in the scoring service."""

from __future__ import annotations

import logging

from aiohttp import web

from gateway.documents.openapi import VERSIONS, normalize_version
from gateway.documents.powerquery.render import render_powerquery
from gateway.errors import BadQuery, GatewayError, NotFound, Unavailable
from gateway.scoring.arguments import Incoming
from gateway.scoring.mlflow import MLFLOW, error_code
from gateway.scoring.scorer import Scorer

from .body import read_body
from .keys import (
    CONTRACTS,
    DRAINING,
    METRICS,
    READY,
    REQUEST_ANSWERED_BY_SCRIPT,
    REQUEST_BODY,
    REQUEST_ID,
    ROWS,
    SCORER_NAME,
    SCORING,
    SETTINGS,
    SWAGGER,
    WATCH,
)
from .streaming import StreamedResponse

__all__ = (
    "health", "healthz", "readyz", "metrics", "score", "classic_execute", "invocations", "contract_document",
    "swagger_document", "powerquery_function",
)

log = logging.getLogger("gateway.server")

async def health(request: web.Request) -> web.Response:
    """`GET /`: the Azure-style probe."""
    return web.Response(text="Healthy")


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process answers."""
    return web.json_response({"status": "alive"})


async def readyz(request: web.Request) -> web.Response:
    """Readiness: 200 only once every scorer's init() has finished, and no longer once draining."""
    if request.app[DRAINING].is_set():
        return web.json_response({"status": "draining"}, status=503)
    if request.app[READY].is_set():
        return web.json_response({"status": "ready", "scorers": list(request.app[SCORING].registry.scorers)})
    return web.json_response({"status": "starting"}, status=503)


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text format, summed over every worker."""
    registry = request.app[METRICS]
    return web.Response(body=registry.render(), headers={"Content-Type": registry.content_type})


async def _incoming(request: web.Request, scorer: Scorer) -> Incoming:
    post = request.method == "POST"
    settings = request.app[SETTINGS]
    incoming = Incoming(
        method=request.method,
        body=await read_body(request, settings.max_body_size, settings.request_read_timeout) if post else b"",
        query=[] if post and not request.query_string else list(request.query.items()),
        content_type=request.headers.get("Content-Type"),
        request_id=request[REQUEST_ID],
    )
    if scorer.wants_headers or scorer.rawhttp:
        incoming.headers = dict(request.headers)
    if scorer.rawhttp:  # what AMLRequest exposes; the rest of the gateway never reads them
        incoming.path = request.path
        incoming.query_string = request.query_string
        incoming.host = request.host
        incoming.scheme = request.scheme
        incoming.remote = request.remote
    return incoming


async def score(request: web.Request) -> web.StreamResponse:
    """`/score` and `/score/{name}`: parse, convert, run, answer Results."""
    return await _score(request, answer_form=None)


async def classic_execute(request: web.Request) -> web.StreamResponse:
    """Studio (classic) `.../execute?api-version=2.0[&details=true][&format=swagger]`, an alias of score.

    `format=swagger` asks for `Results.output1` as row objects; otherwise a classic-form request is
    answered in classic form.
    """
    version = request.query.get("api-version", "2.0")
    if version != "2.0":
        raise BadQuery(f"api-version {version} is not supported; use api-version=2.0", "api-version")
    return await _score(request, answer_form="swagger" if request.query.get("format") == "swagger" else None)


async def invocations(request: web.Request) -> web.StreamResponse:
    """`POST /invocations` and `/score/{name}/invocations`: MLflow's scoring protocol (`gateway.scoring.mlflow`),
    answered `{"predictions": ...}`, errors with MLflow's `error_code`."""
    try:
        return await _score(request, answer_form=None, protocol=MLFLOW)
    except GatewayError as exc:
        exc.error_code = error_code(exc)
        raise


async def _score(request: web.Request, answer_form: str | None, protocol: str | None = None) -> web.StreamResponse:
    app = request.app
    scoring = app[SCORING]
    route = scoring.route(request.match_info.get("name"))
    scorer = route.scorer
    if request.method == "OPTIONS" and not scorer.rawhttp:
        raise web.HTTPMethodNotAllowed("OPTIONS", ["GET", "POST"])
    request[SCORER_NAME] = scorer.name
    if not app[READY].is_set():
        raise Unavailable("the scorers are still starting (init() has not finished); retry", retry_after=2)
    with scoring.admission:  # admitted (or 429) before the body is read
        incoming = await _incoming(request, scorer)
        request[REQUEST_BODY] = incoming.body
        incoming.answer_form = answer_form
        incoming.protocol = protocol
        outcome = await scoring.score(route, incoming)
    request[ROWS] = outcome.rows
    app[METRICS].scored(scorer.name, outcome.rows)
    if outcome.ignored:
        app[METRICS].ignored.labels(scorer.name).inc(len(outcome.ignored))
        log.debug("scorer '%s' ignored unknown keys/columns: %s", scorer.name, ", ".join(outcome.ignored))
    own = outcome.response
    response: web.StreamResponse
    if own is not None:  # recorded as the script's bytes, whatever they claim to be (`traffic`)
        request[REQUEST_ANSWERED_BY_SCRIPT] = True
    if own is None:
        response = web.Response(body=outcome.body, content_type="application/json")
    elif own.chunks is None:  # an AMLResponse the script built: its status, headers and body as they are
        response = web.Response(body=own.body, status=own.status_code, headers=own.headers)
    else:  # a generator's chunks, each sent as it comes
        label = f"scorer '{scorer.name}' (request id {request[REQUEST_ID]})"
        response = StreamedResponse(
            own.chunks, own.status_code, own.headers, executor=scoring.executor, watch=app[WATCH], label=label
        )
    response.headers["x-ms-run-fn-exec-ms"] = f"{outcome.exec_ms:.3f}"
    response.headers["x-ms-run-function-failed"] = str(response.status >= 500)
    return response


async def contract_document(request: web.Request) -> web.Response:
    """`/contract.json?scorer=NAME` and `/scorers/{name}/contract.json`: the contract as one JSON Schema."""
    name = request.match_info.get("name") or request.query.get("scorer")
    scorer = request.app[SCORING].scorer(name)
    return web.Response(body=request.app[CONTRACTS][scorer.name], content_type="application/schema+json")


async def swagger_document(request: web.Request) -> web.Response:
    """`/swagger.json?version=2|2.0|3|3.0|3.1[&scorer=NAME]` and `/scorers/{name}/swagger.json`."""
    name = request.match_info.get("name") or request.query.get("scorer")
    scorer = request.app[SCORING].scorer(name)
    raw = request.query.get("version", "2")
    dialect = normalize_version(raw)
    if dialect is None:
        supported = ", ".join(VERSIONS)
        raise NotFound(f"Swagger version [{raw}] is not valid. Supported versions: [{supported}].")
    return web.Response(body=request.app[SWAGGER][scorer.name][dialect], content_type="application/json")


async def powerquery_function(request: web.Request) -> web.Response:
    """`/powerquery/{name}.pq[?base_url=...&batch_size=N]`: the Power Query (M) function calling that scorer.

    The base URL defaults to the one this request came in on (with the path prefix); behind a proxy that
    rewrites hosts, pass the public one as `base_url`.
    """
    settings = request.app[SETTINGS]
    scorer = request.app[SCORING].scorer(request.match_info["name"])
    base_url = request.query.get("base_url") or f"{request.scheme}://{request.host}{settings.prefix}"
    raw_size = request.query.get("batch_size", "1000")
    if not raw_size.isdigit() or int(raw_size) < 1:
        raise BadQuery(f"batch_size must be a positive integer, got {raw_size!r}", "batch_size")
    try:
        text = render_powerquery(scorer, base_url, batch_size=int(raw_size), key_header=bool(settings.api_keys))
    except ValueError as exc:  # the scorer is fine; the base URL the query gave is not
        raise BadQuery(str(exc), "base_url") from None
    return web.Response(text=text, content_type="text/plain", charset="utf-8")
