"""Short sync scorer calls run on the event loop instead of a thread (speed without changing answers).

A CPU-bound `run()` gains nothing from a thread: the GIL serializes it with the loop anyway, and every
hand-over between the two threads costs more than the call itself for small tables (one Power BI row:
about 1 000 req/s through the thread pool, 1 700 inline). So a request runs inline when requests of the
same body size (by powers of two) have recently taken no longer than the budget (20 ms by default,
far under asyncio's 100 ms "slow callback"); the first calls of each size, and any size that turned
slow, go to the thread pool, whose timings keep the estimate current. A call in a thread is timed by
its thread's CPU time (under load its wall time mostly measures waiting for the GIL); a call on the
loop by the wall clock, and one that spent longer than the budget waiting (sleep, I/O) rather than
computing takes its scorer off the loop for good: only CPU-bound work belongs there.

An inline call never holds the loop for long, whatever its values make it cost: an interval timer's
SIGALRM interrupts it after a slice (`SLICE`, 50 ms, or twice the budget if that is longer; only when the
loop runs in the main thread, elsewhere nothing runs inline), the request is run again from the start in
a thread, and that scorer never runs inline again. So run() must be safe to run twice for one request,
as a scoring function is; `--inline-budget 0` turns inline execution off. While it runs, the loop is hidden from it (as in a thread), so a
`run()` that calls `asyncio.run()` itself behaves the same on the loop and off it.
"""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from typing import Any, Callable, TypeVar

__all__ = ("InlinePolicy", "InlineOverrun")

T = TypeVar("T")

#: Calls of a body size seen in threads before that size may run inline.
WARMUP = 3
#: Weight of the newest timing in a size's moving average.
ALPHA = 0.25
#: The longest an inline call holds the loop before it is interrupted and run in a thread instead.
SLICE = 0.05


class InlineOverrun(BaseException):
    """Raised inside an inline call that used up its slice (a BaseException, so a scorer's `except
    Exception` cannot swallow it); `preempted` when time is left to run it again in a thread, else it
    reached the scoring timeout itself."""

    def __init__(self, preempted: bool = False) -> None:
        super().__init__()
        self.preempted = preempted


class _Size:
    __slots__ = ("count", "mean")

    def __init__(self) -> None:
        self.count = 0
        self.mean = 0.0


class InlinePolicy:
    """Per scorer: which body sizes run inline, learnt from how long their requests took."""

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self.slice = max(SLICE, 2 * budget)
        self.disabled = budget <= 0 or not hasattr(signal, "setitimer")
        self._sizes: dict[int, _Size] = {}

    def admits(self, size: int) -> bool:
        """Whether a request with a body of `size` bytes should run on the loop now."""
        if self.disabled or threading.current_thread() is not threading.main_thread():
            return False
        known = self._sizes.get(size.bit_length())
        return known is not None and known.count >= WARMUP and known.mean <= self.budget

    def observe(self, size: int, seconds: float) -> None:
        """Record one request's duration; one over the budget moves its size to threads at once."""
        known = self._sizes.get(size.bit_length())
        if known is None:
            known = self._sizes[size.bit_length()] = _Size()
        known.count += 1
        if known.count == 1 or seconds > self.budget:
            known.mean = max(seconds, known.mean) if known.count > 1 else seconds
        else:
            known.mean += ALPHA * (seconds - known.mean)

    def run(self, size: int, timeout: float, call: Callable[[], T]) -> T:
        """`call()` on this thread, interrupted with InlineOverrun after its slice (`preempted`: run it
        again in a thread) or, when that is shorter, after `timeout` seconds (the scoring timeout)."""
        _install()
        global _active
        loop = asyncio._get_running_loop()
        asyncio._set_running_loop(None)  # run() sees no running loop, as in a thread (asyncio.run() works)
        _active = True
        preempts = self.slice < timeout
        signal.setitimer(signal.ITIMER_REAL, self.slice if preempts else timeout)
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            return call()
        except InlineOverrun:
            self.disabled = True
            raise InlineOverrun(preempted=preempts) from None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            _active = False
            asyncio._set_running_loop(loop)
            seconds = time.perf_counter() - started
            if seconds - (time.thread_time() - cpu) > self.budget:
                self.disabled = True  # it waited rather than computed: the loop is no place for it
            self.observe(size, seconds)


#: Whether an inline call is running (the alarm only interrupts those), and the SIGALRM handler that was
#: there before ours: it still gets alarms that are not ours.
_active = False
_previous: Any = None
_installed = False


def _install() -> None:
    """Put the SIGALRM handler in place once (installing it per call cost 6 µs a request)."""
    global _installed, _previous
    if not _installed:
        _previous = signal.signal(signal.SIGALRM, _alarm)
        _installed = True


def _alarm(signum: int, frame: Any) -> None:
    if _active:
        raise InlineOverrun()
    if callable(_previous):
        _previous(signum, frame)
