"""The memory store under a ManualClock: refill and Retry-After to the millisecond."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from opencentra.ratelimit import (
    GLOBAL_KEY,
    NOTHING,
    BucketState,
    Cost,
    LimitKind,
    ManualClock,
    MemoryRateLimitStore,
    MonotonicClock,
    Plan,
    Quota,
    Verdict,
    Window,
)


def _state(states: list[BucketState], kind: LimitKind, window: Window) -> BucketState:
    return next(state for state in states if state.kind is kind and state.window is window)


async def _drain_requests(store: MemoryRateLimitStore, count: int) -> None:
    for _ in range(count):
        assert (await store.consume(GLOBAL_KEY, Cost())).allowed


async def test_bucket_refills_continuously_at_quota_per_interval() -> None:
    clock = ManualClock()
    store = MemoryRateLimitStore(Plan(), clock)  # 60 requests / 10 s: one token per 1/6 s
    await _drain_requests(store, 60)

    denied = await store.consume(GLOBAL_KEY, Cost())
    assert denied.verdict is Verdict.THROTTLED
    assert denied.retry_after == 0.167  # 1/6 s, rounded up to the millisecond

    clock.advance(0.166)
    assert (await store.consume(GLOBAL_KEY, Cost())).retry_after == 0.001
    clock.advance(0.001)
    assert (await store.consume(GLOBAL_KEY, Cost())).allowed
    assert not (await store.consume(GLOBAL_KEY, Cost())).allowed


async def test_refill_stops_at_the_quota() -> None:
    clock = ManualClock()
    store = MemoryRateLimitStore(Plan(), clock)
    await _drain_requests(store, 30)
    clock.advance(3_600 * 5)
    states = await store.snapshot(GLOBAL_KEY)
    assert all(state.remaining == state.quota and state.used == 0 for state in states)


async def test_retry_after_is_the_wait_for_the_slowest_refusing_bucket() -> None:
    plan = Plan(requests=Quota(2, 1_000), mutations=Quota(1, 1_000))  # 5 s and 10 s per token
    clock = ManualClock()
    store = MemoryRateLimitStore(plan, clock)
    assert (await store.consume(GLOBAL_KEY, Cost(mutations=1))).allowed
    assert (await store.consume(GLOBAL_KEY, Cost())).allowed

    both = await store.consume(GLOBAL_KEY, Cost(mutations=1))
    assert both.verdict is Verdict.THROTTLED
    assert {(limit.kind, limit.window) for limit in both.exceeded} == {
        (LimitKind.REQUEST_COUNT, Window.TEN_SECONDS),
        (LimitKind.MUTATION_COUNT, Window.TEN_SECONDS),
    }
    assert both.retry_after == 10.0

    clock.advance(5)
    mutations_only = await store.consume(GLOBAL_KEY, Cost(mutations=1))
    assert [(limit.kind, limit.window) for limit in mutations_only.exceeded] == [
        (LimitKind.MUTATION_COUNT, Window.TEN_SECONDS)
    ]
    assert mutations_only.retry_after == 5.0

    clock.advance(5)
    assert (await store.consume(GLOBAL_KEY, Cost(mutations=1))).allowed


async def test_retry_after_accounts_for_the_size_of_the_request() -> None:
    clock = ManualClock()
    store = MemoryRateLimitStore(Plan(), clock)  # 250,000 points / 10 s = 25 per ms
    assert (await store.consume(GLOBAL_KEY, Cost(complexity=250_000))).allowed
    denied = await store.consume(GLOBAL_KEY, Cost(complexity=5_550))
    assert denied.retry_after == 0.222  # 5550 / 25 = 222 ms
    clock.advance(0.222)
    assert (await store.consume(GLOBAL_KEY, Cost(complexity=5_550))).allowed


async def test_remaining_is_rounded_down_and_used_is_the_rest() -> None:
    clock = ManualClock()
    store = MemoryRateLimitStore(Plan(), clock)
    await _drain_requests(store, 1)
    clock.advance(0.1)  # +0.6 token: 59.6 available
    state = _state(await store.snapshot(GLOBAL_KEY), LimitKind.REQUEST_COUNT, Window.TEN_SECONDS)
    assert (state.quota, state.used, state.remaining) == (60, 1, 59)
    clock.advance(0.067)  # 60.002, capped at 60
    state = _state(await store.snapshot(GLOBAL_KEY), LimitKind.REQUEST_COUNT, Window.TEN_SECONDS)
    assert (state.quota, state.used, state.remaining) == (60, 0, 60)


async def test_zero_cost_reads_without_charging() -> None:
    store = MemoryRateLimitStore(Plan(requests=Quota(1, 1)), ManualClock())
    await _drain_requests(store, 1)
    assert (await store.consume(GLOBAL_KEY, NOTHING)).allowed
    assert not (await store.consume(GLOBAL_KEY, Cost())).allowed


async def test_a_zero_quota_refuses_for_ever() -> None:
    store = MemoryRateLimitStore(Plan(mutations=Quota(0, 0)), ManualClock())
    decision = await store.consume(GLOBAL_KEY, Cost(mutations=1))
    assert decision.verdict is Verdict.EXCEEDS_QUOTA
    assert (await store.consume(GLOBAL_KEY, Cost())).allowed


async def test_default_clock_is_monotonic() -> None:
    store = MemoryRateLimitStore()
    assert store.plan == Plan()
    assert (await store.consume(GLOBAL_KEY, Cost())).allowed
    assert isinstance(MonotonicClock().now(), float)


def test_manual_clock_only_moves_forward() -> None:
    clock = ManualClock(5.0)
    clock.advance(0.5)
    assert clock.now() == 5.5
    with pytest.raises(ValueError, match="negative"):
        clock.advance(-1)


def test_threads_cannot_overspend() -> None:
    """Many threads, each with its own event loop, share one lock-guarded store."""
    store = MemoryRateLimitStore(Plan(requests=Quota(50, 1_000)), ManualClock())
    start = threading.Barrier(8)

    def worker() -> int:
        start.wait()
        return sum(asyncio.run(store.consume(GLOBAL_KEY, Cost())).allowed for _ in range(20))

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = [future.result() for future in [pool.submit(worker) for _ in range(8)]]
    assert sum(results) == 50
