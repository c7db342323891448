"""The limiter's slots and line under clients that leave: every slot comes back, nothing raises; and what a
request refused at capacity gets (README 'Text values and overload status')."""

from __future__ import annotations

import asyncio

import pytest

from gateway.errors import TooBusy
from gateway.scoring.limits import Admission, Limiter


async def test_a_waiter_cancelled_just_before_a_release_leaves_quietly():
    """The client leaves, and before its task resumes a slot is freed: release() drops the cancelled
    waiter itself (once, the task then failed with `ValueError: ... is not in deque`)."""
    limiter = Limiter(1, 5)
    await limiter.acquire()
    waiting = asyncio.ensure_future(limiter.acquire())
    await asyncio.sleep(0)
    assert limiter.waiting == 1
    waiting.cancel()
    limiter.release()  # the same loop iteration: the task has not yet seen its cancellation
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert (limiter.running, limiter.waiting) == (0, 0)
    await limiter.acquire()  # the slot really is free
    assert limiter.running == 1


async def test_a_full_line_is_too_busy_and_cancelled_waiters_give_their_place_back():
    limiter = Limiter(1, 1)
    await limiter.acquire()
    first = asyncio.ensure_future(limiter.acquire())
    await asyncio.sleep(0)
    with pytest.raises(TooBusy):
        await limiter.acquire()
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    second = asyncio.ensure_future(limiter.acquire())
    await asyncio.sleep(0)
    limiter.release()
    await second
    assert (limiter.running, limiter.waiting) == (1, 0)


@pytest.mark.parametrize("status", [429, 503])
async def test_the_line_and_the_admission_refuse_with_the_overload_status_and_retry_after(status):
    limiter = Limiter(1, 0, retry_after=3, status=status)
    await limiter.acquire()
    with pytest.raises(TooBusy) as refused:
        await limiter.acquire()
    assert refused.value.status == status and refused.value.headers == {"Retry-After": "3"}
    admission = Admission(1, status=status)
    with admission:
        with pytest.raises(TooBusy) as refused:
            admission.__enter__()
    assert refused.value.status == status and refused.value.headers == {"Retry-After": "1"}
    assert "at capacity" in refused.value.message and admission.count == 0
