"""Backpressure: at most `max_concurrency` scorer calls at once, at most `max_queue` waiting; beyond → 429
(or 503 with `--overload-status 503`), with `Retry-After`.

A slot is held until the scorer call really ends, even when the client got a 504 or went away, so a
stuck scorer cannot make the gateway start more work than it was sized for.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Callable

from gateway.errors import TooBusy

__all__ = ("Limiter", "Admission")


class Limiter:
    """Counts running and waiting scorer calls; FIFO hand-over of freed slots to waiters."""

    def __init__(
        self,
        max_concurrency: int,
        max_queue: int,
        retry_after: int = 1,
        observe: Callable[[int, int], None] | None = None,
        status: int = 429,
    ) -> None:
        """`status`: what a request refused when the line is full gets (429, or 503; `TooBusy.answering`)."""
        self.max_concurrency = max_concurrency
        self.max_queue = max_queue
        self.retry_after = retry_after
        self._busy = TooBusy.answering(status)
        self.running = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._observe = observe or (lambda running, waiting: None)

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    async def acquire(self) -> None:
        """Take a slot, waiting in line if needed; TooBusy (429 or 503) when the line is full."""
        if self.running < self.max_concurrency and not self._waiters:
            self.running += 1
            self._observe(self.running, self.waiting)
            return
        if len(self._waiters) >= self.max_queue:
            raise self._busy(
                f"the gateway is at capacity ({self.running} running, {self.waiting} waiting); retry later",
                retry_after=self.retry_after,
            )
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        self._observe(self.running, self.waiting)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # the slot was handed over just as the client left: pass it on
            else:
                if waiter in self._waiters:  # a release() may have dropped it already, as cancelled
                    self._waiters.remove(waiter)
                self._observe(self.running, self.waiting)
            raise

    def release(self) -> None:
        """Free a slot, handing it straight to the first live waiter."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                self._observe(self.running, self.waiting)
                return
        self.running -= 1
        self._observe(self.running, self.waiting)


class Admission:
    """At most `limit` requests between their headers and their answer, so that only admitted requests'
    bodies are ever read: memory is bounded by what can be served, not by what arrives. A request past
    the limit is refused at once (429, or 503 with `status=503`), before its body is read."""

    def __init__(self, limit: int, retry_after: int = 1, status: int = 429) -> None:
        self.limit = limit
        self.retry_after = retry_after
        self.count = 0
        self._busy = TooBusy.answering(status)

    def __enter__(self) -> "Admission":
        if self.count >= self.limit:
            raise self._busy(
                f"the gateway is at capacity ({self.count} requests in progress); retry later",
                retry_after=self.retry_after,
            )
        self.count += 1
        return self

    def __exit__(self, *exc: object) -> None:
        self.count -= 1
