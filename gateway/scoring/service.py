"""`Scoring`: the transport-free scoring service (MLServer's DataPlane shape).

Built once with the app from the settings and the registry, it owns everything a score request needs
besides HTTP: the thread pool, the concurrency limiter, each batched scorer's batcher and each sync
scorer's inline policy. A transport looks up a `Route` and hands it an `Incoming`, and gets an
`Outcome` back; the aiohttp handler is then a few lines, and tests or another transport can drive it
without a server. `reload` swaps in a new registry once its scorers' init() has finished, while the
requests that already hold a route finish with the scorers they started with.
"""

from __future__ import annotations

import asyncio
import inspect
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

from gateway.errors import StartupError, Unavailable
from gateway.settings import Settings

from .arguments import Incoming
from .batching import Batcher
from .execute import Outcome, execute, make_batcher
from .inline import InlinePolicy
from .limits import Admission, Limiter
from .scorer import Registry, Scorer

__all__ = ("Route", "Scoring")


@dataclass(frozen=True, slots=True)
class Route:
    """One scorer with its machinery, looked up once per request: a reload cannot mix generations."""

    scorer: Scorer
    batcher: Batcher | None
    inline: InlinePolicy | None


class Scoring:
    """The scorers being served, and the machinery that runs them within the configured limits."""

    def __init__(
        self, settings: Settings, registry: Registry, observe: Callable[[int, int], None] | None = None
    ) -> None:
        """`observe(running, waiting)` is told of every change of the limiter's counts (for metrics)."""
        self.settings = settings
        self.registry = registry
        busy = settings.overload_status  # what a request refused at capacity gets: 429, or 503
        self.limiter = Limiter(settings.max_concurrency, settings.max_queue, observe=observe, status=busy)
        #: every request that may be running or waiting for a slot, and no more, is admitted (bodies read)
        self.admission = Admission(settings.max_concurrency + settings.max_queue, status=busy)
        self.executor: ThreadPoolExecutor | None = None
        self._routes: dict[str, Route] = {}
        self.abandoned = False
        self._scoring: set[asyncio.Task[object]] = set()  # the request tasks in `score` now

    def start(self) -> None:
        """One thread per concurrency slot (a sync run() never waits for a thread once it has a slot),
        and the batchers of the scorers that opted in (their merged calls use the pool and the limiter)."""
        self.executor = ThreadPoolExecutor(self.settings.max_concurrency, thread_name_prefix="gateway-scorer")
        self._routes = self._build(self.registry)

    def _build(self, registry: Registry) -> dict[str, Route]:
        routes = {}
        for name, scorer in registry.scorers.items():
            inline = None if scorer.is_async else InlinePolicy(self.settings.inline_budget)
            batcher = make_batcher(scorer, self.executor, self.limiter, inline, self.settings.scoring_timeout)
            routes[name] = Route(scorer, batcher, inline)
        return routes

    async def reload(self, registry: Registry) -> None:
        """Serve `registry` instead, once every one of its init() has finished (in the pool, within the
        init timeout); a StartupError leaves the current scorers serving."""
        await self.init_scorers(registry)
        routes = self._build(registry)
        self.registry, self._routes = registry, routes  # one step of the loop: no request sees a mix

    def close(self) -> None:
        """Wait for running calls (unless abandoned: a stuck call does not hold the exit); queued ones are
        cancelled."""
        if self.executor is not None:
            self.executor.shutdown(wait=not self.abandoned, cancel_futures=True)

    @property
    def busy_threads(self) -> int:
        """Pool threads still running a call (after `abandon`, the calls nobody waits for)."""
        return self.limiter.running

    def abandon(self) -> int:
        """At the end of a drain: every request still being scored is answered 503 at once (its call, if
        in a thread, runs on unobserved); returns how many were."""
        self.abandoned = True
        for task in list(self._scoring):
            task.cancel()
        return len(self._scoring)

    async def init_scorers(self, registry: Registry | None = None) -> None:
        """Call each scorer's init() once, off the loop and within the init timeout; a StartupError names
        the scorer whose init() failed or did not finish."""
        loop = asyncio.get_running_loop()
        timeout = self.settings.init_timeout
        for scorer in (registry or self.registry).scorers.values():
            init = scorer.init
            if init is None:
                continue
            where = f" ({scorer.target})" if scorer.target else ""
            try:
                if inspect.iscoroutinefunction(init):
                    await asyncio.wait_for(init(), timeout)
                else:
                    await asyncio.wait_for(asyncio.shield(loop.run_in_executor(self.executor, init)), timeout)
            except TimeoutError:
                raise StartupError(f"scorer '{scorer.name}'{where}: init() did not finish within {timeout:g} s") from None
            except Exception as exc:
                raise StartupError(f"scorer '{scorer.name}'{where}: init() raised {type(exc).__name__}: {exc}") from exc

    def scorer(self, name: str | None) -> Scorer:
        """The scorer a request names (None: the default one); UnknownScorer (404) lists those served."""
        return self.registry.get(name)

    def route(self, name: str | None) -> Route:
        """The scorer a request names, with its batcher and inline policy (UnknownScorer: 404)."""
        return self._routes[self.registry.get(name).name]

    async def score(self, route: Route, incoming: Incoming) -> Outcome:
        """One request through `route`'s scorer: parse, convert, run, render, within a slot and the timeout
        (with `--text-values`, its tables and arrays accept text values)."""
        incoming.text_values = incoming.text_values or self.settings.text_values
        task = asyncio.current_task()
        assert task is not None
        self._scoring.add(task)
        try:
            return await execute(
                route.scorer,
                incoming,
                executor=self.executor,
                limiter=self.limiter,
                timeout=self.settings.scoring_timeout,
                batcher=route.batcher,
                inline=route.inline,
            )
        except asyncio.CancelledError:
            if not self.abandoned or not task.cancelling():
                raise
            task.uncancel()
            raise Unavailable("the gateway is shutting down and gave up on this call; retry") from None
        finally:
            self._scoring.discard(task)
