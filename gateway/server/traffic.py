"""Traffic capture in the server (`--capture DIR`): the app's `Capture` for its lifetime (also the sink of
`azureml.ai.monitoring.Collector`), and one record per scored request, taken after its answer."""

from __future__ import annotations

import time
from pathlib import Path
from typing import AsyncIterator

from aiohttp import web

from gateway.azureml import collector
from gateway.scoring.capture import Capture, Exchange

from .keys import (
    CAPTURE,
    REQUEST_ANSWERED_BY_SCRIPT,
    REQUEST_BODY,
    REQUEST_ID,
    ROWS,
    SCORER_NAME,
    SCORING,
    SETTINGS,
    STARTED,
)

__all__ = ("capture_context", "record_exchange", "trace_id_of")


async def capture_context(app: web.Application) -> AsyncIterator[None]:
    """`cleanup_ctx`: open the capture before serving, write out every record and stop at shutdown."""
    settings = app[SETTINGS]
    assert settings.capture_dir is not None
    capture = app[CAPTURE] = Capture(
        Path(settings.capture_dir), sample=settings.capture_sample, max_body=settings.capture_max_bytes
    )
    collector.set_sink(capture.collected)
    try:
        yield
    finally:
        collector.set_sink(None)
        capture.close()


def record_exchange(request: web.Request, response: web.StreamResponse) -> None:
    """Queue the record of a scored request (sampled), when the app captures."""
    capture = request.app.get(CAPTURE)
    if capture is None or SCORER_NAME not in request or not capture.sampled():
        return
    body = response.body if isinstance(response, web.Response) else None
    content_type = request.headers.get("Content-Type")
    scorer = request.app[SCORING].registry.scorers.get(request[SCORER_NAME])
    decoded = response.status < 400 and scorer is not None and scorer.contract is not None and (
        content_type is not None and "json" in content_type.lower())
    written = REQUEST_ANSWERED_BY_SCRIPT not in request and response.content_type == "application/json"
    capture.record(
        Exchange(
            scorer=request[SCORER_NAME],
            route=request.path,
            request_id=request.get(REQUEST_ID, ""),
            status=response.status,
            duration_ms=(time.perf_counter() - request[STARTED]) * 1000.0,
            request_body=request.get(REQUEST_BODY, b""),
            response_body=body if isinstance(body, bytes) else None,
            content_type=content_type,
            method=request.method,
            query=request.query_string,
            rows=request.get(ROWS),
            trace_id=trace_id_of(response),
            request_json=decoded,
            response_json=written,
        )
    )


def trace_id_of(response: web.StreamResponse) -> str | None:
    """The trace id of the answer's `traceparent` (set when tracing is on), else None."""
    parent = response.headers.get("traceparent")
    parts = parent.split("-") if parent else []
    return parts[1] if len(parts) == 4 else None
