"""How a request runs through a scorer: envelope → contract → run() → Results bytes, by one of four
strategies (batched, async, inline on the loop, in a thread), within a concurrency slot and the timeout."""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import Executor
from contextvars import copy_context
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, TypeVar

from gateway.azureml.aml_response import AMLResponse
from gateway.azureml.flask_response import from_werkzeug
from gateway.core.declare import Contract, deferred_params, table_at, table_path
from gateway.core.decoding import DecodeContext
from gateway.core.envelope import loads
from gateway.core.results import UnserializableResult, classic_results, render
from gateway.errors import ScoringError, ScoringTimeout

from . import spans
from .arguments import Incoming, arguments
from .batching import Batcher
from .current import scoring_request
from .inline import InlineOverrun, InlinePolicy
from .limits import Limiter
from .mlflow import MLFLOW, predictions
from .scorer import Scorer

__all__ = ("Outcome", "execute", "make_batcher")

arguments = spans.traced("gateway.parse_and_convert", arguments)

T = TypeVar("T")

log = logging.getLogger("gateway.scoring")

#: Bodies at least this large are parsed and converted off the event loop even for async scorers.
OFFLOAD_BYTES = 64 * 1024


@dataclass(slots=True)
class Outcome:
    """What a scoring call produced: JSON bytes, or a response object `run()` built itself."""

    body: bytes | None
    response: AMLResponse | None
    exec_ms: float
    ignored: list[str]
    rows: int = 0


def _failed(scorer: Scorer, incoming: Incoming, exc: BaseException, what: str) -> ScoringError:
    log.error(
        "scorer '%s' %s (request id %s)", scorer.name, what, incoming.request_id, exc_info=(type(exc), exc, exc.__traceback__)
    )
    return ScoringError(f"run() failed ({type(exc).__name__}); see logs for request id {incoming.request_id}")


def _finish(
    scorer: Scorer, incoming: Incoming, value: Any, started: float, ctx: DecodeContext
) -> Outcome:
    exec_ms = (time.perf_counter() - started) * 1000.0
    if isinstance(value, AMLResponse):  # built by a @rawhttp script: sent as it is
        return Outcome(None, value, exec_ms, ctx.ignored, ctx.rows)
    own = from_werkzeug(value)  # a flask.Response: sent as it is too
    if own is not None:
        return Outcome(None, own, exec_ms, ctx.ignored, ctx.rows)
    mlflow = incoming.protocol == MLFLOW  # answered {"predictions": ...}, never in the classic form
    form = incoming.answer_form or ("classic" if not mlflow and "classic" in ctx.forms.values() else None)
    if form is not None:
        value = classic_results(value, as_rows=form == "swagger")
    try:
        with spans.span("gateway.serialize"):
            body = render(value)
    except UnserializableResult as exc:
        raise _failed(scorer, incoming, exc, "returned a value that cannot be serialized to JSON") from None
    if scorer.contract is not None and scorer.contract.validate_output:
        _check_output(scorer, incoming, body)
    if mlflow:
        body = predictions(value, body)
    return Outcome(body, None, exec_ms, ctx.ignored, ctx.rows)


def _check_output(scorer: Scorer, incoming: Incoming, body: bytes) -> None:
    """Decode what the client would receive with the declared output spec; a mismatch is the scorer's fault."""
    assert scorer.contract is not None and scorer.contract.results is not None
    ctx = DecodeContext()
    scorer.contract.results.decode(loads(body), "", ctx)
    if ctx.problems:
        first = ctx.problems.items[0]
        where = first.path or "$"
        log.error(
            "scorer '%s' returned a value that breaks its Results contract (request id %s): %s",
            scorer.name,
            incoming.request_id,
            "; ".join(f"{p.path or '$'}: {p.error}" for p in ctx.problems.items),
        )
        raise ScoringError(
            f"run() returned a value that breaks the declared output contract at {where}: {first.error}; "
            f"see logs for request id {incoming.request_id}"
        )


def _execute_sync(scorer: Scorer, incoming: Incoming) -> Outcome:
    started = time.perf_counter()
    kwargs, ctx = arguments(scorer, incoming)
    try:
        with scoring_request(incoming.request_id), spans.span("gateway.run", **{"gateway.scorer": scorer.name}):
            value = scorer.run(**kwargs)
    except Exception as exc:
        raise _failed(scorer, incoming, exc, "raised") from None
    return _finish(scorer, incoming, value, started, ctx)


async def _execute_async(scorer: Scorer, incoming: Incoming, executor: Executor | None) -> Outcome:
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    if len(incoming.body) >= OFFLOAD_BYTES:
        kwargs, ctx = await loop.run_in_executor(executor, copy_context().run, arguments, scorer, incoming)
    else:
        kwargs, ctx = arguments(scorer, incoming)
    try:
        with scoring_request(incoming.request_id), spans.span("gateway.run", **{"gateway.scorer": scorer.name}):
            value = await scorer.run(**kwargs)
    except Exception as exc:
        raise _failed(scorer, incoming, exc, "raised") from None
    return _finish(scorer, incoming, value, started, ctx)


def make_batcher(
    scorer: Scorer, executor: Executor | None, limiter: Limiter, inline: InlinePolicy | None = None, timeout: float = 60.0
) -> Batcher | None:
    """The batcher of a scorer that opted in: its merged calls run within a concurrency slot, on the
    loop when `inline` admits their row count (see `gateway.scoring.inline`), else in the thread pool."""
    if scorer.contract is None or scorer.contract.batching is None:
        return None

    async def call(kwargs: dict[str, Any], rows: int) -> Any:
        await limiter.acquire()
        if scorer.is_async:
            try:
                return await scorer.run(**kwargs)
            finally:
                limiter.release()
        if inline is not None and inline.admits(rows):
            try:
                value = _on_loop(inline, rows, timeout, lambda: scorer.run(**kwargs), limiter)
            except InlineOverrun:
                raise TimeoutError(f"the merged call timed out after {timeout:g} s") from None
            if value is not _PREEMPTED:
                return value
            log.warning("scorer '%s' held the event loop (a merged call): run again in a thread", scorer.name)
        future = asyncio.get_running_loop().run_in_executor(executor, copy_context().run, _timed, inline, rows, partial(scorer.run, **kwargs))
        future.add_done_callback(lambda done: _settle(done, limiter))
        return await asyncio.shield(future)

    params = dict(scorer.contract.params)
    path = table_path(params)
    deferred = Contract(deferred_params(params, path))
    return Batcher(scorer.contract.batching, path, table_at(params, path), call, deferred)


async def _execute_batched(
    scorer: Scorer, incoming: Incoming, executor: Executor | None, batcher: Batcher, timeout: float
) -> Outcome:
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    if len(incoming.body) >= OFFLOAD_BYTES:
        kwargs, ctx = await loop.run_in_executor(executor, copy_context().run, arguments, scorer, incoming, batcher.contract)
    else:
        kwargs, ctx = arguments(scorer, incoming, batcher.contract)
    waiter = batcher.join(kwargs)
    expiry = loop.call_later(timeout, _expire, waiter)
    try:
        value = await waiter
    except (_Expired, TimeoutError):  # this request's wait, or the merged call's own inline timeout
        raise _timed_out(scorer, incoming, timeout) from None
    except Exception as exc:
        raise _failed(scorer, incoming, exc, "raised (batched call)") from None
    finally:
        expiry.cancel()
    return _finish(scorer, incoming, value, started, ctx)


class _Expired(Exception):
    """A batched request's wait reached the scoring timeout (its merged call goes on for the others)."""


def _expire(waiter: asyncio.Future[Any]) -> None:
    if not waiter.done():
        waiter.set_exception(_Expired())


async def execute(
    scorer: Scorer,
    incoming: Incoming,
    *,
    executor: Executor | None,
    limiter: Limiter,
    timeout: float,
    batcher: Batcher | None = None,
    inline: InlinePolicy | None = None,
) -> Outcome:
    """Run one request within a concurrency slot and the scoring timeout.

    A sync scorer runs entirely in the thread pool (parse, convert, run, render); its slot is freed when
    the thread finishes, even after a 504 or a client that went away. Where `inline` admits the request's
    size it runs on the loop instead (see `gateway.scoring.inline`). An async scorer is awaited on the loop and
    cancelled on timeout. A scorer with a batcher joins a merged call instead.
    """
    if batcher is not None:
        return await _execute_batched(scorer, incoming, executor, batcher, timeout)
    await limiter.acquire()
    if scorer.is_async:
        try:
            return await asyncio.wait_for(_execute_async(scorer, incoming, executor), timeout)
        except TimeoutError:
            raise _timed_out(scorer, incoming, timeout) from None
        finally:
            limiter.release()
    size = len(incoming.body)
    left = timeout
    if inline is not None and inline.admits(size):
        started = time.perf_counter()
        try:
            outcome = _on_loop(inline, size, timeout, lambda: _execute_sync(scorer, incoming), limiter)
        except InlineOverrun:
            raise _timed_out(scorer, incoming, timeout) from None
        if outcome is not _PREEMPTED:
            return outcome
        left = timeout - (time.perf_counter() - started)
        _preempted(scorer, incoming, inline.slice)
    future = asyncio.get_running_loop().run_in_executor(
        executor, copy_context().run, _timed, inline, len(incoming.body), partial(_execute_sync, scorer, incoming)
    )
    future.add_done_callback(lambda done: _settle(done, limiter))
    try:
        return await asyncio.wait_for(asyncio.shield(future), left)
    except TimeoutError:
        raise _timed_out(scorer, incoming, timeout) from None


#: what `_on_loop` answers for a call interrupted after its slice: it is to be run again in a thread
_PREEMPTED: Any = object()


def _on_loop(inline: InlinePolicy, size: int, timeout: float, call: Callable[[], T], limiter: Limiter) -> T:
    """`call()` inline, within the concurrency slot the caller took: its value (the slot freed), or
    `_PREEMPTED` (the slot kept for the thread that runs it again); InlineOverrun at the scoring timeout."""
    keep_slot = False
    try:
        return inline.run(size, timeout, call)
    except InlineOverrun as overrun:
        if not overrun.preempted:
            raise
        keep_slot = True
        return _PREEMPTED  # type: ignore[no-any-return]
    finally:
        if not keep_slot:
            limiter.release()


def _preempted(scorer: Scorer, incoming: Incoming, slice_: float) -> None:
    log.warning(
        "scorer '%s' held the event loop for %d ms (request id %s): run again in a thread, and only there from now on",
        scorer.name, round(slice_ * 1000), incoming.request_id,
    )


def _timed(inline: InlinePolicy | None, size: int, call: Callable[[], T]) -> T:
    """`call()` in a pool thread, its CPU time (errors included) taught to the inline policy for `size`
    (a request's body bytes, or a merged batch's rows)."""
    started = time.thread_time()
    try:
        return call()
    finally:
        if inline is not None:
            inline.observe(size, time.thread_time() - started)


def _settle(done: asyncio.Future[Outcome], limiter: Limiter) -> None:
    limiter.release()
    if not done.cancelled():
        done.exception()  # retrieved: an answer nobody waits for any more is not an "unretrieved" error


def _timed_out(scorer: Scorer, incoming: Incoming, timeout: float) -> ScoringTimeout:
    ms = round(timeout * 1000)
    log.error("scorer '%s' timed out after %d ms (request id %s)", scorer.name, ms, incoming.request_id)
    return ScoringTimeout(f"scoring timed out after {ms} ms")
