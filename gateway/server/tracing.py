"""OpenTelemetry tracing (optional extra `otel`; Application Insights through extra `azure-monitor`).

On when the standard variables say so (`OTEL_TRACES_EXPORTER` other than `none`,
`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), or Azure ML's
(`AML_APP_INSIGHTS_ENABLED=true` with `APPLICATIONINSIGHTS_CONNECTION_STRING` or `AML_APP_INSIGHTS_KEY`).
The SDK reads the rest itself (`OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER`, endpoints, headers). Each
request is a server span, the child of an incoming W3C `traceparent`/`tracestate`; the scoring service
adds spans for parsing and converting, `run()` and serialization; the answer carries `traceparent`.
With tracing off nothing of OpenTelemetry is imported.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, AsyncIterator, Mapping

from aiohttp import web

from gateway.errors import StartupError
from gateway.scoring import spans

from .keys import ERROR_KIND, REQUEST_ID, ROWS, SCORER_NAME
from .middleware import route_label
from .request_logs import set_trace_ids

__all__ = ("exporter_kind", "tracing_environ", "start_tracing", "flush_tracing", "tracing_middleware")

_TRUE = ("true", "1", "yes")
_UNSET: Any = object()
_started: Any = _UNSET  # this process's tracer once `start_tracing` ran (None: tracing off)


def exporter_kind(environ: Mapping[str, str] = os.environ) -> str | None:
    """Which exporter the environment asks for (`otlp`, `console`, `azure`), or None: tracing off."""
    named = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if named == "none":
        return None
    if named:
        return named.split(",")[0].strip()
    if environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        return "otlp"
    insights = environ.get("AML_APP_INSIGHTS_ENABLED", "").strip().lower() in _TRUE
    if insights and (environ.get("APPLICATIONINSIGHTS_CONNECTION_STRING") or environ.get("AML_APP_INSIGHTS_KEY")):
        return "azure"
    return None


def tracing_environ(appinsights_key: str | None, environ: Mapping[str, str] = os.environ) -> Mapping[str, str]:
    """The variables tracing is configured from: the process's, with azmlinfsrv's
    `--appinsights_instrumentation_key KEY` as `AML_APP_INSIGHTS_ENABLED=true` and `AML_APP_INSIGHTS_KEY`."""
    if not appinsights_key:
        return environ
    return {**environ, "AML_APP_INSIGHTS_ENABLED": "true", "AML_APP_INSIGHTS_KEY": appinsights_key}


def _exporter(kind: str, environ: Mapping[str, str]) -> Any:
    if kind == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
            OTLPSpanExporter,
        )

        return OTLPSpanExporter()
    if kind == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    if kind == "azure":
        try:
            from azure.monitor.opentelemetry.exporter import AzureMonitorTraceExporter
        except ImportError:
            raise StartupError(
                "AML_APP_INSIGHTS_ENABLED needs Azure Monitor's exporter: pip install 'gateway[azure-monitor]'"
            ) from None
        connection = environ.get("APPLICATIONINSIGHTS_CONNECTION_STRING") or (
            f"InstrumentationKey={environ['AML_APP_INSIGHTS_KEY']}"
        )
        return AzureMonitorTraceExporter(connection_string=connection)
    raise StartupError(f"OTEL_TRACES_EXPORTER={kind!r} is not supported here: use otlp, console or none")


def start_tracing(service_name: str, environ: Mapping[str, str] = os.environ) -> Any:
    """Set up the tracer provider for this process when the environment asks for it (once): its tracer, or None."""
    global _started
    if _started is not _UNSET:
        return _started
    kind = exporter_kind(environ)
    if kind is None:
        _started = None
        return None
    try:
        from opentelemetry import trace
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        raise StartupError("tracing is configured (OTEL_* variables) but OpenTelemetry is not installed: "
                           "pip install 'gateway[otel]'") from None
    from gateway.version import __version__

    attributes = {"service.version": __version__}
    if not environ.get("OTEL_SERVICE_NAME"):
        attributes["service.name"] = service_name
    provider = TracerProvider(resource=Resource.create(attributes))  # the sampler from OTEL_TRACES_SAMPLER
    provider.add_span_processor(BatchSpanProcessor(_exporter(kind, environ)))
    trace.set_tracer_provider(provider)
    tracer = trace.get_tracer("gateway", __version__)
    spans.set_tracer(tracer)
    set_trace_ids(_current_ids)
    _started = tracer
    return tracer


async def flush_tracing(app: web.Application) -> AsyncIterator[None]:
    """`cleanup_ctx` of an app that traces: at shutdown, every finished span is exported (off the loop)."""
    yield
    from opentelemetry import trace

    flush = getattr(trace.get_tracer_provider(), "force_flush", None)
    if callable(flush):
        await asyncio.get_running_loop().run_in_executor(None, flush)


def _current_ids() -> tuple[str, str] | None:
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


def tracing_middleware(tracer: Any) -> Any:
    """The outermost middleware: the request's server span, its attributes, and `traceparent` on the answer."""
    from opentelemetry import trace
    from opentelemetry.trace import SpanKind, Status, StatusCode
    from opentelemetry.trace.propagation.tracecontext import (
        TraceContextTextMapPropagator,
    )

    propagator = TraceContextTextMapPropagator()

    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        route = route_label(request)
        parent = propagator.extract(request.headers)
        attributes = {"http.request.method": request.method, "http.route": route, "url.path": request.path}
        with tracer.start_as_current_span(
            f"{request.method} {route}", context=parent, kind=SpanKind.SERVER, attributes=attributes
        ) as span:
            response: web.StreamResponse = await handler(request)
            span.set_attribute("http.response.status_code", response.status)
            span.set_attribute("gateway.request_id", request.get(REQUEST_ID, ""))
            for key, name in ((SCORER_NAME, "gateway.scorer"), (ROWS, "gateway.rows"), (ERROR_KIND, "error.type")):
                if key in request:
                    span.set_attribute(name, request[key])
            if response.status >= 500:
                span.set_status(Status(StatusCode.ERROR))
            propagator.inject(response.headers, context=trace.set_span_in_context(span))
            return response

    return middleware
