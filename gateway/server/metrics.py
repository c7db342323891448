"""Prometheus metrics with prometheus-client; summed across `--workers` through its multiprocess mode.

With PROMETHEUS_MULTIPROC_DIR set (the worker supervisor sets it before starting workers), every worker
writes its values there and `/metrics` collects all of them; otherwise values live in this process.
"""

from __future__ import annotations

import os
from typing import Any, Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

__all__ = ("Metrics",)

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    """The gateway's metrics, registered in a registry of their own (one per app)."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self._rows: dict[str, Any] = {}
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "gateway_requests", "HTTP requests answered (status 499: the client left first)", ["scorer", "route", "status"], registry=r
        )
        self.latency = Histogram(
            "gateway_request_duration_seconds", "time to answer", ["scorer", "route"], buckets=LATENCY_BUCKETS, registry=r
        )
        self.rows = Counter("gateway_rows_scored", "table rows passed to run()", ["scorer"], registry=r)
        self.in_flight = Gauge(
            "gateway_scorer_calls_in_flight", "scorer calls running now", registry=r, multiprocess_mode="livesum"
        )
        self.queue_depth = Gauge(
            "gateway_queue_depth", "requests waiting for a scorer slot", registry=r, multiprocess_mode="livesum"
        )
        self.scorer_errors = Counter(
            "gateway_scorer_errors", "scorer failures (exception, timeout, output)", ["scorer", "kind"], registry=r
        )
        self.rejected = Counter(
            "gateway_rejected", "requests refused at capacity (429, or 503 with --overload-status 503)", ["scorer"],
            registry=r,
        )
        self.ignored = Counter(
            "gateway_ignored_inputs", "unknown keys and columns dropped from requests", ["scorer"], registry=r
        )

    def watch_capacity(self, running: Callable[[], int], waiting: Callable[[], int]) -> None:
        """Read the in-flight and queue gauges at scrape time (per worker files in multiprocess mode
        cannot call back: there they are set on every change, see `observe_capacity`)."""
        if not self.multiprocess:
            self.in_flight.set_function(running)
            self.queue_depth.set_function(waiting)

    def observe_capacity(self, running: int, waiting: int) -> None:
        self.in_flight.set(running)
        self.queue_depth.set(waiting)

    def scored(self, scorer: str, rows: int) -> None:
        """Count the table rows one request passed to run()."""
        child = self._rows.get(scorer)
        if child is None:
            child = self._rows[scorer] = self.rows.labels(scorer)
        child.inc(rows)

    def request(self, scorer: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request and its duration (label children cached: this runs per request)."""
        key = (scorer, route, status)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = (
                self.requests.labels(scorer, route, str(status)),
                self.latency.labels(scorer, route),
            )
        children[0].inc()
        children[1].observe(seconds)

    def render(self) -> bytes:
        """The Prometheus text exposition of every worker's values."""
        if self.multiprocess:
            collecting = CollectorRegistry()
            multiprocess.MultiProcessCollector(collecting)  # type: ignore[no-untyped-call]
            return generate_latest(collecting)
        return generate_latest(self.registry)
