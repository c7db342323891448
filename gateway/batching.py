"""§9 opt-in dynamic batching: concurrent requests with equal parameters merged into one run() call.

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

from .specs import DecodeContext, Object, Spec
from .table import Table, TableParts

__all__ = ("Batching", "table_path", "table_at", "deferred_params", "Batcher", "split_rows")


@dataclass(frozen=True)
class Batching:
    """How long a request may wait for others (`max_wait_ms`) and how many rows one run() call takes."""

    max_rows: int = 1024
    max_wait_ms: float = 5.0

    def __post_init__(self) -> None:
        if self.max_rows < 1 or self.max_wait_ms < 0:
            raise ValueError("Batching needs max_rows ≥ 1 and max_wait_ms ≥ 0")


def table_path(params: dict[str, Spec]) -> tuple[str, ...]:
    """Where the one table to merge is: `("data",)` or `("Inputs", "data")`; a TypeError otherwise."""
    found: list[tuple[str, ...]] = []
    for name, spec in params.items():
        if isinstance(spec, Table):
            found.append((name,))
        elif isinstance(spec, Object):
            found.extend((name, member) for member, inner in spec.members.items() if isinstance(inner, Table))
    if len(found) != 1:
        raise TypeError(f"batching needs exactly one Table parameter (top level or inside an object); found {len(found)}")
    return found[0]


class DeferredTable(Spec):
    """A table checked and converted per request, but left as columns: the batch builds one DataFrame."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.default = table.default

    def decode(self, value: Any, path: str, ctx: DecodeContext) -> TableParts | None:
        if value is None:
            ctx.problems.add(path, "expected a table, got null (a batched scorer's table cannot be null)")
            return None
        return self.table.decode_parts(value, path, ctx)

    def json_schema(self) -> dict[str, Any]:
        return self.table.json_schema()

    def example(self) -> Any:
        return self.table.example()

    def describe(self) -> str:
        return self.table.describe()


def table_at(params: dict[str, Spec], path: tuple[str, ...]) -> Table:
    """The Table spec that `table_path` found."""
    spec = params[path[0]]
    if len(path) == 2:
        assert isinstance(spec, Object)
        spec = spec.members[path[1]]
    assert isinstance(spec, Table)
    return spec


def deferred_params(params: dict[str, Spec], path: tuple[str, ...]) -> dict[str, Spec]:
    """The parameters with the table at `path` decoded to columns only (see `DeferredTable`)."""
    out = dict(params)
    deferred = DeferredTable(table_at(params, path))
    if len(path) == 1:
        out[path[0]] = deferred
        return out
    holder = out[path[0]]
    assert isinstance(holder, Object)
    out[path[0]] = Object({**holder.members, path[1]: deferred}, default=holder.default, nullable=holder.nullable)
    return out


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
