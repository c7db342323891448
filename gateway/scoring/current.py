"""The request being scored, as a context variable: what the scorer's own log lines and prints are
tagged with (a thread running `run()` sets it itself; tasks inherit it)."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

__all__ = ("CURRENT_REQUEST", "scoring_request")

#: the request id of the request whose `run()` is executing in this thread or task (None outside one)
CURRENT_REQUEST: ContextVar[str | None] = ContextVar("gateway_current_request", default=None)


@contextmanager
def scoring_request(request_id: str) -> Iterator[None]:
    """Within the block, `CURRENT_REQUEST` is `request_id`."""
    token = CURRENT_REQUEST.set(request_id)
    try:
        yield
    finally:
        CURRENT_REQUEST.reset(token)
