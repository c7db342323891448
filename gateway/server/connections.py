"""Connections that hold a descriptor without sending a request: closed after the request read timeout.

aiohttp times out a keep-alive connection only after a response (75 s), never one that trickles its
headers (slowloris): 300 such sockets stayed open for good, and with 1 024 descriptors 1 100 silent
connections made the probes fail. The watch closes any connection that has no request in a handler
and has sent none within `timeout` seconds (since it opened or since its last answer), and, when open
connections come within `reserve` of the descriptor limit, the longest-idle ones first, so that a probe
always finds a descriptor. A body that does not arrive in time is `read_body`'s 408.
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import time

from aiohttp import web

__all__ = ("ConnectionWatch", "RESERVE")

#: descriptors kept free for new connections (probes) and the process's own files
RESERVE = 64

log = logging.getLogger("gateway.server")


class ConnectionWatch:
    """Tells idle connections (no request in a handler) from busy ones, and closes the stale idle ones."""

    def __init__(self, timeout: float, reserve: int = RESERVE) -> None:
        self.timeout = timeout
        self.reserve = reserve
        self._busy: dict[int, int] = {}  # id(protocol) → requests of it in a handler now
        self._idle_since: dict[int, float] = {}  # id(protocol) → when it was last seen idle, or answered
        self.closed = 0
        self.active = False  # bookkeeping only while `run` watches a server (not under a test server)

    def started(self, protocol: object) -> None:
        """A request of this connection reached the handlers (its headers have all arrived)."""
        if not self.active:
            return
        key = id(protocol)
        self._busy[key] = self._busy.get(key, 0) + 1

    def finished(self, protocol: object) -> None:
        """That request was answered: the connection is idle from now on."""
        if not self.active:
            return
        key = id(protocol)
        left = self._busy.get(key, 1) - 1
        if left:
            self._busy[key] = left
        else:
            self._busy.pop(key, None)
        self._idle_since[key] = time.monotonic()

    async def run(self, server: web.Server) -> None:
        """Check every connection of `server` a few times per timeout, until cancelled."""
        interval = min(1.0, self.timeout / 4)
        self.active = True
        try:
            while True:
                await asyncio.sleep(interval)
                self.sweep(server.connections)
        finally:
            self.active = False

    def sweep(self, connections: list[web.RequestHandler]) -> None:
        now = time.monotonic()
        live = {id(c): c for c in connections}
        for key in list(self._idle_since):
            if key not in live:
                del self._idle_since[key]
        for key in list(self._busy):
            if key not in live:
                del self._busy[key]
        idle = []
        for key, connection in live.items():
            since = self._idle_since.setdefault(key, now)  # first seen now: it opened within an interval
            if key not in self._busy:
                idle.append((since, key, connection))
        idle.sort(key=lambda item: item[0])
        excess = _open_descriptors(len(live)) - (_descriptor_limit() - self.reserve)
        for since, key, connection in idle:
            if now - since > self.timeout or excess > 0:
                connection.force_close()
                self.closed += 1
                excess -= 1
                del self._idle_since[key]


def _open_descriptors(fallback: int) -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:  # no /proc: count the connections only
        return fallback


def _descriptor_limit() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft if soft != resource.RLIM_INFINITY else 1 << 20
