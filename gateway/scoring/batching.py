"""Opt-in dynamic batching: concurrent requests with equal parameters merged into one run() call.

A scorer opts in with `@contract(..., batching=Batching(max_rows=1024, max_wait_ms=5))`. Each request is
parsed and converted on its own (a bad one gets its own 400); requests whose parameters other than the
table are equal wait up to `max_wait_ms` for company, their tables are concatenated (at most `max_rows`),
run() is called once, and its row-aligned result (`Results`, or the whole value) is split back in order.
An error in the merged call is reported to every request in it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Sequence

import numpy as np
import orjson
import pandas as pd

from gateway.core.declare import Batching
from gateway.core.table import Table, TableParts

from . import spans

__all__ = ("Batcher", "split_rows")


def _get(kwargs: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = kwargs
    for key in path:
        value = value[key]
    return value


def _with_table(kwargs: dict[str, Any], path: tuple[str, ...], table: Any) -> dict[str, Any]:
    """A copy of the arguments with the table at `path` replaced (inner dicts copied, not mutated)."""
    out = dict(kwargs)
    if len(path) == 1:
        out[path[0]] = table
    else:
        out[path[0]] = {**out[path[0]], path[1]: table}
    return out


def split_rows(value: Any, counts: Sequence[int]) -> list[Any]:
    """Cut a row-aligned result (list, ndarray, Series, DataFrame, or a dict holding one under `Results`)
    into one part per request; a ValueError when its length is not the number of rows."""
    if isinstance(value, dict) and "Results" in value:
        return [{**value, "Results": part} for part in split_rows(value["Results"], counts)]
    if not isinstance(value, (list, tuple, np.ndarray, pd.Series, pd.DataFrame)):
        raise ValueError(f"a batched run() must return one result per row, got {type(value).__name__}")
    total = sum(counts)
    if len(value) != total:
        raise ValueError(f"a batched run() returned {len(value)} results for {total} rows")
    parts, start = [], 0
    for count in counts:
        chunk = value.iloc[start : start + count] if isinstance(value, (pd.Series, pd.DataFrame)) else value[start : start + count]
        parts.append(chunk.reset_index(drop=True) if isinstance(chunk, (pd.Series, pd.DataFrame)) else chunk)
        start += count
    return parts


@dataclass
class _Group:
    kwargs: dict[str, Any]
    frames: list[TableParts] = field(default_factory=list)
    waiters: list[asyncio.Future[Any]] = field(default_factory=list)
    links: list[Any] = field(default_factory=list)  # each request's trace span, when tracing is on
    rows: int = 0
    timer: asyncio.TimerHandle | None = None


class Batcher:
    """Collects converted requests per parameter key and runs each group once (one per scorer)."""

    def __init__(
        self,
        batching: Batching,
        path: tuple[str, ...],
        table: Table,
        call: Callable[[dict[str, Any], int], Awaitable[Any]],
        contract: Any,
    ) -> None:
        self.batching = batching
        self.path = path
        self.table = table
        self.call = call
        self.contract = contract  # the scorer's contract with its table decoded to columns only
        self._groups: dict[bytes, _Group] = {}

    def _key(self, kwargs: dict[str, Any]) -> bytes:
        return orjson.dumps(_with_table(kwargs, self.path, None), option=orjson.OPT_SORT_KEYS, default=repr)

    def join(self, kwargs: dict[str, Any]) -> asyncio.Future[Any]:
        """This request's share of a merged run(), as a future; its decoded table is at `self.path` in
        `kwargs`. A future rather than a coroutine: waiting for it needs no task of its own."""
        frame: TableParts = _get(kwargs, self.path)
        loop = asyncio.get_running_loop()
        key = self._key(kwargs)
        group = self._groups.get(key)
        if group is not None and group.rows + len(frame) > self.batching.max_rows:
            self._flush(key)
            group = None
        if group is None:
            group = self._groups[key] = _Group(kwargs)
            group.timer = loop.call_later(self.batching.max_wait_ms / 1000.0, self._flush, key)
        waiter: asyncio.Future[Any] = loop.create_future()
        group.frames.append(frame)
        group.waiters.append(waiter)
        group.links.append(spans.current_link())
        group.rows += len(frame)
        if group.rows >= self.batching.max_rows:
            self._flush(key)
        return waiter

    def _flush(self, key: bytes) -> None:
        group = self._groups.pop(key, None)
        if group is None:
            return
        if group.timer is not None:
            group.timer.cancel()
        asyncio.ensure_future(self._run(group))

    async def _run(self, group: _Group) -> None:
        counts = [parts.rows for parts in group.frames]
        merged = self.table.frame(group.frames)
        try:
            with spans.batch_span("gateway.run (merged)", group.links, **{"gateway.requests": len(counts), "gateway.rows": sum(counts)}):
                value = await self.call(_with_table(group.kwargs, self.path, merged), sum(counts))
            parts = split_rows(value, counts) if len(group.frames) > 1 else [value]
        except BaseException as exc:  # noqa: BLE001 - every request of the group gets the same failure
            for waiter in group.waiters:
                if not waiter.done():
                    waiter.set_exception(exc)
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            return
        for waiter, part in zip(group.waiters, parts):
            if not waiter.done():
                waiter.set_result(part)
