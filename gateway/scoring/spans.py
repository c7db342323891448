"""The scoring service's trace spans (parse and convert, `run()`, serialization), through a tracer the
server installs when tracing is on; with none installed every span is a no-op and OpenTelemetry is never
imported. The scorer's own spans nest under `run()`'s: its code runs in that span's context."""

from __future__ import annotations

import functools
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Callable, ParamSpec, TypeVar

__all__ = ("set_tracer", "span", "current_link", "batch_span", "traced")

P = ParamSpec("P")
T = TypeVar("T")

_tracer: Any = None  # an opentelemetry.trace.Tracer, when tracing is on


def set_tracer(tracer: Any) -> None:
    """The tracer spans are made with from now on (None: tracing off)."""
    global _tracer
    _tracer = tracer


def span(name: str, **attributes: Any) -> AbstractContextManager[Any]:
    """A child span of the current one (the request's), current within the block; a no-op when off."""
    if _tracer is None:
        return nullcontext()
    made: AbstractContextManager[Any] = _tracer.start_as_current_span(name, attributes=attributes)
    return made


def current_link() -> Any:
    """A link to the current span (a request joining a merged call), or None when tracing is off."""
    if _tracer is None:
        return None
    from opentelemetry import trace

    return trace.Link(trace.get_current_span().get_span_context())


def batch_span(name: str, links: list[Any], **attributes: Any) -> AbstractContextManager[Any]:
    """A span of its own for a merged call, linked to the span of each request in it; a no-op when off."""
    if _tracer is None:
        return nullcontext()
    from opentelemetry.context import Context

    found = [link for link in links if link is not None]
    made: AbstractContextManager[Any] = _tracer.start_as_current_span(
        name, context=Context(), links=found, attributes=attributes
    )
    return made


def traced(name: str, fn: Callable[P, T]) -> Callable[P, T]:
    """`fn`, its every call a span when tracing is on (parsing and converting a request)."""

    @functools.wraps(fn)
    def call(*args: P.args, **kwargs: P.kwargs) -> T:
        if _tracer is None:
            return fn(*args, **kwargs)
        with _tracer.start_as_current_span(name):
            return fn(*args, **kwargs)

    return call
