"""`azureml.ai.monitoring` without that package: `Collector(name=...).collect(data)` for model data collection.

Azure's generated MLflow scoring scripts create collectors in init() and call `collect` in every run(). Here
a collected item goes to the sink the gateway installed with `set_sink` (its traffic capture); with no sink
`collect` does nothing. Either way `collect` returns a correlation context, as Azure's does, and never
raises into the script: a failing sink is reported to the collector's `on_error`.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

__all__ = (
    "Collected", "Collector", "CorrelationContext", "BasicCorrelationContext", "Sink", "get_context", "get_sink",
    "set_sink",
)

log = logging.getLogger("gateway.azureml.collector")


class CorrelationContext:
    """What ties an input collection to its output one (azureml-ai-monitoring's base class)."""

    def get_id(self) -> str:
        return ""

    def __str__(self) -> str:
        return self.get_id()

    def __repr__(self) -> str:
        return self.__str__()


class BasicCorrelationContext(CorrelationContext):
    """An id (a fresh uuid4 unless given), a timestamp in seconds and headers, as Azure's package makes them."""

    def __init__(
        self, id: str | None = None, timestamp: int | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__()
        self.id = id if id else str(uuid.uuid4())
        self.timestamp = timestamp if timestamp else int(time.time())
        self.headers = headers if headers else {}

    def get_id(self) -> str:
        return self.id

    def get_timestamp(self) -> int:
        return self.timestamp

    def get_headers(self) -> dict[str, str]:
        return self.headers


def get_context() -> CorrelationContext:
    """A new correlation context (what `collect` starts from when it is given none)."""
    return BasicCorrelationContext()


@dataclass(frozen=True)
class Collected:
    """One `collect` call, as the sink receives it: the collection's name, the data as given, its context."""

    name: str
    data: Any
    context: CorrelationContext


Sink = Callable[[Collected], Any]

_sink: Sink | None = None


def set_sink(sink: Sink | None) -> None:
    """Where collected data goes from now on (the gateway's traffic capture); None: nowhere."""
    global _sink
    _sink = sink


def get_sink() -> Sink | None:
    return _sink


def _log_error(error: Exception) -> None:
    log.warning("data collection failed: %s: %s", type(error).__name__, error)


class Collector:
    """`Collector(name="model_inputs", on_error=...)`: `collect(data, correlation_context=None)` → a context."""

    def __init__(self, *, name: str, on_error: Callable[[Exception], Any] | None = None, **options: Any) -> None:
        self.name = name
        self.on_error = on_error if on_error is not None else _log_error
        self.options = options  # Azure's package accepts no more; kept rather than refused

    def collect(self, data: Any, correlation_context: CorrelationContext | None = None) -> CorrelationContext:
        context = correlation_context if correlation_context is not None else get_context()
        sink = _sink
        if sink is None:
            return context
        try:
            sink(Collected(self.name, data, context))
        except Exception as error:  # noqa: BLE001 - collection must never fail the script's run()
            try:
                self.on_error(error)
            except Exception:  # noqa: BLE001 - nor may its error handler
                log.exception("data collection failed, and so did the collector's on_error")
        return context
