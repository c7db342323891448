"""Scorers and how a request runs through one: envelope → contract → run() → Results bytes.

Everything about a scorer's signature is worked out once, at registration; a request only reads it.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping

import orjson

from .azureml import inference_schema
from .batching import Batcher, deferred_params, table_at, table_path
from .azureml.aml_request import AMLRequest, is_rawhttp
from .contract import HEADERS_PARAM, Contract, get_contract
from .envelope import check_media_type, decode_text, parse_query
from .errors import ScoringError, ScoringTimeout, StartupError, UnknownScorer
from .inline import InlineOverrun, InlinePolicy
from .limits import Limiter
from .loader import LoadedScorer
from .results import UnserializableResult, classic_results, render
from .specs import DecodeContext

__all__ = ("Scorer", "Registry", "Incoming", "Outcome", "execute", "make_batcher")

log = logging.getLogger("gateway.runtime")

#: Bodies at least this large are parsed and converted off the event loop even for async scorers.
OFFLOAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class Scorer:
    """A registered scoring function: how to call it, and with what."""

    name: str
    run: Callable[..., Any]
    init: Callable[[], Any] | None = None
    contract: Contract | None = None
    raw_param: str | None = None
    rawhttp: bool = False
    wants_headers: bool = False
    is_async: bool = False
    target: str = ""
    source_dir: str | None = None

    @classmethod
    def from_function(
        cls,
        name: str,
        run: Callable[..., Any],
        init: Callable[[], Any] | None = None,
        *,
        target: str = "",
        source_dir: str | None = None,
    ) -> "Scorer":
        """Inspect `run` once; a signature the gateway cannot call is a StartupError."""
        label = f"scorer '{name}'" + (f" ({target})" if target else "")
        try:
            signature = inspect.signature(run)
        except (TypeError, ValueError) as exc:
            raise StartupError(f"{label}: cannot read the signature of run(): {exc}") from exc
        params = signature.parameters
        wants_headers = HEADERS_PARAM in params
        found = get_contract(run)
        if found is None and inference_schema.is_decorated(run):
            try:
                run, found = inference_schema.adapt(run)
            except Exception as exc:
                raise StartupError(f"{label}: its inference-schema declarations cannot be read: {exc}") from exc
        raw = is_rawhttp(run)
        if raw and found is not None:
            raise StartupError(f"{label}: run() cannot be both @rawhttp and declare a contract")
        raw_param = None
        if found is None:
            for p in params.values():
                if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY) and p.name != HEADERS_PARAM:
                    raise StartupError(f"{label}: run() may not take *args, **kwargs or positional-only parameters")
            inputs = [p.name for p in params.values() if p.name != HEADERS_PARAM]
            if not inputs:
                raise StartupError(f"{label}: run() must take at least one parameter to receive the request")
            raw_param = inputs[0]
        is_async = inspect.iscoroutinefunction(run) or inspect.iscoroutinefunction(getattr(run, "__call__", None))
        return cls(name, run, init, found, raw_param, raw, wants_headers, is_async, target, source_dir)

    @classmethod
    def from_loaded(cls, loaded: LoadedScorer) -> "Scorer":
        return cls.from_function(
            loaded.name, loaded.run, loaded.init, target=loaded.target, source_dir=loaded.source_dir
        )

    def describe(self) -> str:
        if self.contract is not None:
            return self.contract.describe()
        if self.rawhttp:
            return f"{self.raw_param}: the whole HTTP request (@rawhttp)"
        return f"{self.raw_param}: raw body text (no contract)"


class Registry:
    """The scorers being served, by name; read-only once the app is built."""

    def __init__(self, scorers: Iterable[Scorer]) -> None:
        by_name: dict[str, Scorer] = {}
        for scorer in scorers:
            if scorer.name in by_name:
                raise StartupError(f"two scorers are named '{scorer.name}'")
            by_name[scorer.name] = scorer
        if not by_name:
            raise StartupError("no scorer to serve: give --scorer TARGET or set AZUREML_ENTRY_SCRIPT")
        self.scorers: Mapping[str, Scorer] = MappingProxyType(by_name)

    @property
    def default(self) -> Scorer | None:
        if len(self.scorers) == 1:
            return next(iter(self.scorers.values()))
        return self.scorers.get("default")

    def get(self, name: str | None) -> Scorer:
        if name is None:
            found = self.default
            if found is None:
                raise UnknownScorer(
                    "no default scorer is served; use /score/{name} with one of: " + ", ".join(self.scorers)
                )
            return found
        try:
            return self.scorers[name]
        except KeyError:
            raise UnknownScorer(
                f"no scorer named '{name}'; served scorers: " + ", ".join(self.scorers)
            ) from None


@dataclass(slots=True)
class Incoming:
    """What a score request carries, without HTTP types."""

    method: str
    body: bytes = b""
    query: list[tuple[str, str]] = field(default_factory=list)
    content_type: str | None = None
    headers: dict[str, str] | None = None
    request_id: str = ""
    path: str = "/score"
    query_string: str = ""
    host: str = "localhost"
    scheme: str = "http"
    remote: str | None = None
    answer_form: str | None = None  # "classic" or "swagger" (Studio's row objects); None: as the request came


@dataclass(slots=True)
class Outcome:
    """What a scoring call produced: JSON bytes, or a response object `run()` built itself."""

    body: bytes | None
    response: Any
    exec_ms: float
    ignored: list[str]
    rows: int = 0


def arguments(scorer: Scorer, incoming: Incoming, contract: Contract | None = None) -> tuple[dict[str, Any], DecodeContext]:
    """The keyword arguments for `run()`, or a 4xx GatewayError explaining what is wrong (`contract`
    overrides the scorer's, as batching does to keep its table as columns)."""
    ctx = DecodeContext()
    if scorer.rawhttp:
        assert scorer.raw_param is not None
        request = AMLRequest(
            incoming.method,
            incoming.path,
            incoming.query_string,
            incoming.headers or {},
            incoming.body,
            scheme=incoming.scheme,
            host=incoming.host,
            remote_addr=incoming.remote,
        )
        kwargs: dict[str, Any] = {scorer.raw_param: request}
    elif scorer.contract is None:
        assert scorer.raw_param is not None
        if incoming.method == "GET":
            text = orjson.dumps(parse_query(incoming.query)).decode()
        else:
            text = decode_text(incoming.body)
        kwargs = {scorer.raw_param: text}
    else:
        active = contract or scorer.contract
        if incoming.method == "GET":
            kwargs = active.bind(parse_query(incoming.query), ctx)
        else:
            check_media_type(incoming.content_type)
            kwargs, ctx = active.bind_body(incoming.body)
        ctx.problems.raise_if_any()
    if scorer.wants_headers:
        kwargs[HEADERS_PARAM] = {_canonical(name): value for name, value in (incoming.headers or {}).items()}
    return kwargs, ctx


def _canonical(name: str) -> str:
    """A header name as Azure ML's Flask server spelled them for `request_headers` (`X-Request-Id`)."""
    return "-".join(word.capitalize() for word in name.split("-"))


def _failed(scorer: Scorer, incoming: Incoming, exc: BaseException, what: str) -> ScoringError:
    log.error(
        "scorer '%s' %s (request id %s)", scorer.name, what, incoming.request_id, exc_info=(type(exc), exc, exc.__traceback__)
    )
    return ScoringError(f"run() failed ({type(exc).__name__}); see logs for request id {incoming.request_id}")


def _finish(
    scorer: Scorer, incoming: Incoming, value: Any, started: float, ctx: DecodeContext, passthrough: tuple[type, ...]
) -> Outcome:
    exec_ms = (time.perf_counter() - started) * 1000.0
    if passthrough and isinstance(value, passthrough):
        return Outcome(None, value, exec_ms, ctx.ignored, ctx.rows)
    form = incoming.answer_form or ("classic" if "classic" in ctx.forms.values() else None)
    if form is not None:
        value = classic_results(value, as_rows=form == "swagger")
    try:
        body = render(value)
    except UnserializableResult as exc:
        raise _failed(scorer, incoming, exc, "returned a value that cannot be serialized to JSON") from None
    if scorer.contract is not None and scorer.contract.validate_output:
        _check_output(scorer, incoming, body)
    return Outcome(body, None, exec_ms, ctx.ignored, ctx.rows)


def _check_output(scorer: Scorer, incoming: Incoming, body: bytes) -> None:
    """Decode what the client would receive with the declared output spec; a mismatch is the scorer's fault."""
    assert scorer.contract is not None and scorer.contract.results is not None
    ctx = DecodeContext()
    scorer.contract.results.decode(orjson.loads(body), "", ctx)
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


def _execute_sync(scorer: Scorer, incoming: Incoming, passthrough: tuple[type, ...]) -> Outcome:
    started = time.perf_counter()
    kwargs, ctx = arguments(scorer, incoming)
    try:
        value = scorer.run(**kwargs)
    except Exception as exc:
        raise _failed(scorer, incoming, exc, "raised") from None
    return _finish(scorer, incoming, value, started, ctx, passthrough)


async def _execute_async(scorer: Scorer, incoming: Incoming, executor: Executor | None, passthrough: tuple[type, ...]) -> Outcome:
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    if len(incoming.body) >= OFFLOAD_BYTES:
        kwargs, ctx = await loop.run_in_executor(executor, arguments, scorer, incoming)
    else:
        kwargs, ctx = arguments(scorer, incoming)
    try:
        value = await scorer.run(**kwargs)
    except Exception as exc:
        raise _failed(scorer, incoming, exc, "raised") from None
    return _finish(scorer, incoming, value, started, ctx, passthrough)


def make_batcher(
    scorer: Scorer, executor: Executor | None, limiter: Limiter, inline: InlinePolicy | None = None, timeout: float = 60.0
) -> Batcher | None:
    """The batcher of a scorer that opted in: its merged calls run within a concurrency slot, on the
    loop when `inline` admits their row count (see `gateway.inline`), else in the thread pool."""
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
                return inline.run(rows, timeout, lambda: scorer.run(**kwargs))
            except InlineOverrun:
                raise TimeoutError(f"the merged call timed out after {timeout:g} s") from None
            finally:
                limiter.release()
        future = asyncio.get_running_loop().run_in_executor(executor, _timed_call, scorer, kwargs, rows, inline)
        future.add_done_callback(lambda done: _settle(done, limiter))
        return await asyncio.shield(future)

    params = dict(scorer.contract.params)
    path = table_path(params)
    deferred = Contract(deferred_params(params, path))
    return Batcher(scorer.contract.batching, path, table_at(params, path), call, deferred)


async def _execute_batched(
    scorer: Scorer, incoming: Incoming, executor: Executor | None, batcher: Batcher, timeout: float,
    passthrough: tuple[type, ...],
) -> Outcome:
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    if len(incoming.body) >= OFFLOAD_BYTES:
        kwargs, ctx = await loop.run_in_executor(executor, arguments, scorer, incoming, batcher.contract)
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
    return _finish(scorer, incoming, value, started, ctx, passthrough)


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
    passthrough: tuple[type, ...] = (),
    batcher: Batcher | None = None,
    inline: InlinePolicy | None = None,
) -> Outcome:
    """Run one request within a concurrency slot and the scoring timeout.

    A sync scorer runs entirely in the thread pool (parse, convert, run, render); its slot is freed when
    the thread finishes, even after a 504 or a client that went away. Where `inline` admits the request's
    size it runs on the loop instead (see `gateway.inline`). An async scorer is awaited on the loop and
    cancelled on timeout. A scorer with a batcher joins a merged call instead.
    """
    if batcher is not None:
        return await _execute_batched(scorer, incoming, executor, batcher, timeout, passthrough)
    await limiter.acquire()
    if scorer.is_async:
        try:
            return await asyncio.wait_for(_execute_async(scorer, incoming, executor, passthrough), timeout)
        except TimeoutError:
            raise _timed_out(scorer, incoming, timeout) from None
        finally:
            limiter.release()
    size = len(incoming.body)
    if inline is not None and inline.admits(size):
        try:
            return inline.run(size, timeout, lambda: _execute_sync(scorer, incoming, passthrough))
        except InlineOverrun:
            raise _timed_out(scorer, incoming, timeout) from None
        finally:
            limiter.release()
    future = asyncio.get_running_loop().run_in_executor(executor, _timed_sync, scorer, incoming, passthrough, inline)
    future.add_done_callback(lambda done: _settle(done, limiter))
    try:
        return await asyncio.wait_for(asyncio.shield(future), timeout)
    except TimeoutError:
        raise _timed_out(scorer, incoming, timeout) from None


def _timed_call(scorer: Scorer, kwargs: dict[str, Any], rows: int, inline: InlinePolicy | None) -> Any:
    """A merged batch's `run()` in a thread, its CPU time taught to the batcher's inline policy."""
    started = time.thread_time()
    try:
        return scorer.run(**kwargs)
    finally:
        if inline is not None:
            inline.observe(rows, time.thread_time() - started)


def _timed_sync(scorer: Scorer, incoming: Incoming, passthrough: tuple[type, ...], inline: InlinePolicy | None) -> Outcome:
    """`_execute_sync` in a thread, its CPU time (errors included) taught to the inline policy."""
    started = time.thread_time()
    try:
        return _execute_sync(scorer, incoming, passthrough)
    finally:
        if inline is not None:
            inline.observe(len(incoming.body), time.thread_time() - started)


def _settle(done: asyncio.Future[Outcome], limiter: Limiter) -> None:
    limiter.release()
    if not done.cancelled():
        done.exception()  # retrieved: an answer nobody waits for any more is not an "unretrieved" error


def _timed_out(scorer: Scorer, incoming: Incoming, timeout: float) -> ScoringTimeout:
    ms = round(timeout * 1000)
    log.error("scorer '%s' timed out after %d ms (request id %s)", scorer.name, ms, incoming.request_id)
    return ScoringTimeout(f"scoring timed out after {ms} ms")
