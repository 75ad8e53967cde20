"""What every store must do, run on memory, fakeredis and a real Redis.

Redis buckets refill by the server's clock, which a test cannot stop. These
plans therefore stretch both windows so far (100,000 s and 1,000,000 s) that
no whole token can come back while a test runs: outcomes are then exact on
every backend without sleeping or asserting on timings.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace

import pytest

from opencentra.ratelimit import (
    GLOBAL_KEY,
    GROWTH,
    NOTHING,
    BucketState,
    Cost,
    LimitKind,
    ManualClock,
    MemoryRateLimitStore,
    Plan,
    Quota,
    RateLimitStore,
    Verdict,
    Window,
)

StoreFactory = Callable[[Plan], RateLimitStore]  # the ``make_store`` fixture (conftest.py)

SMALL = Plan(
    requests=Quota(5, 8),
    complexity=Quota(1_000, 5_000),
    mutations=Quota(3, 7),
    ten_seconds_interval=100_000.0,
    one_hour_interval=1_000_000.0,
)
# Growth quotas with a slow short window (the long one at 1,000,000 s would overflow 2**53 token-ms in Lua).
SLOW_GROWTH = replace(GROWTH, ten_seconds_interval=100_000.0)


def _used(states: list[BucketState] | tuple[BucketState, ...]) -> dict[tuple[LimitKind, Window], int]:
    return {(state.kind, state.window): state.used for state in states}


async def test_fresh_buckets_are_full(make_store: StoreFactory) -> None:
    states = await make_store(SMALL).snapshot(GLOBAL_KEY)
    assert [(s.kind, s.window, s.interval, s.quota, s.used, s.remaining) for s in states] == [
        (LimitKind.REQUEST_COUNT, Window.TEN_SECONDS, 100_000.0, 5, 0, 5),
        (LimitKind.REQUEST_COUNT, Window.ONE_HOUR, 1_000_000.0, 8, 0, 8),
        (LimitKind.QUERY_COMPLEXITY, Window.TEN_SECONDS, 100_000.0, 1_000, 0, 1_000),
        (LimitKind.QUERY_COMPLEXITY, Window.ONE_HOUR, 1_000_000.0, 5_000, 0, 5_000),
        (LimitKind.MUTATION_COUNT, Window.TEN_SECONDS, 100_000.0, 3, 0, 3),
        (LimitKind.MUTATION_COUNT, Window.ONE_HOUR, 1_000_000.0, 7, 0, 7),
    ]


async def test_exactly_the_quota_passes_then_throttled(make_store: StoreFactory) -> None:
    store = make_store(SMALL)
    outcomes = [(await store.consume(GLOBAL_KEY, Cost())).verdict for _ in range(7)]
    assert outcomes == [Verdict.ALLOWED] * 5 + [Verdict.THROTTLED] * 2

    denied = await store.consume(GLOBAL_KEY, Cost())
    assert [(limit.kind, limit.window) for limit in denied.exceeded] == [(LimitKind.REQUEST_COUNT, Window.TEN_SECONDS)]
    assert denied.retry_after is not None
    assert 0 < denied.retry_after <= 20_000.0  # one token takes 100,000 s / 5


async def test_a_complexity_denial_leaves_the_request_bucket_untouched(make_store: StoreFactory) -> None:
    store = make_store(SMALL)
    assert (await store.consume(GLOBAL_KEY, Cost(complexity=800))).allowed
    denied = await store.consume(GLOBAL_KEY, Cost(complexity=300, mutations=1))
    assert denied.verdict is Verdict.THROTTLED
    assert [(limit.kind, limit.window) for limit in denied.exceeded] == [
        (LimitKind.QUERY_COMPLEXITY, Window.TEN_SECONDS)
    ]
    expected = {
        (LimitKind.REQUEST_COUNT, Window.TEN_SECONDS): 1,
        (LimitKind.REQUEST_COUNT, Window.ONE_HOUR): 1,
        (LimitKind.QUERY_COMPLEXITY, Window.TEN_SECONDS): 800,
        (LimitKind.QUERY_COMPLEXITY, Window.ONE_HOUR): 800,
        (LimitKind.MUTATION_COUNT, Window.TEN_SECONDS): 0,
        (LimitKind.MUTATION_COUNT, Window.ONE_HOUR): 0,
    }
    assert _used(denied.states) == expected
    assert _used(await store.snapshot(GLOBAL_KEY)) == expected


async def test_batches_of_eight_aliased_mutations_pass_pass_deny(make_store: StoreFactory) -> None:
    """stack.md §5.3: three requests of 8 mutations each against 20 per 10 s."""
    store = make_store(SLOW_GROWTH)
    batch = Cost(complexity=131 * 8, mutations=8)
    outcomes = [(await store.consume(GLOBAL_KEY, batch)).verdict for _ in range(3)]
    assert outcomes == [Verdict.ALLOWED, Verdict.ALLOWED, Verdict.THROTTLED]
    used = _used(await store.snapshot(GLOBAL_KEY))
    assert used[LimitKind.REQUEST_COUNT, Window.TEN_SECONDS] == 2
    assert used[LimitKind.MUTATION_COUNT, Window.TEN_SECONDS] == 16


async def test_a_cost_above_the_quota_can_never_pass(make_store: StoreFactory) -> None:
    store = make_store(SMALL)
    decision = await store.consume(GLOBAL_KEY, Cost(complexity=1_001))
    assert decision.verdict is Verdict.EXCEEDS_QUOTA
    assert not decision.allowed
    assert decision.retry_after is None
    assert [(limit.kind, limit.window) for limit in decision.exceeded] == [
        (LimitKind.QUERY_COMPLEXITY, Window.TEN_SECONDS)
    ]
    huge = await store.consume(GLOBAL_KEY, Cost(complexity=5_001))
    assert {(limit.kind, limit.window) for limit in huge.exceeded} == {
        (LimitKind.QUERY_COMPLEXITY, Window.TEN_SECONDS),
        (LimitKind.QUERY_COMPLEXITY, Window.ONE_HOUR),
    }
    assert all(state.used == 0 for state in await store.snapshot(GLOBAL_KEY))


async def test_exceeding_a_quota_outranks_being_throttled(make_store: StoreFactory) -> None:
    store = make_store(SMALL)
    for _ in range(5):
        await store.consume(GLOBAL_KEY, Cost())
    decision = await store.consume(GLOBAL_KEY, Cost(mutations=4))
    assert decision.verdict is Verdict.EXCEEDS_QUOTA
    assert [(limit.kind, limit.window) for limit in decision.exceeded] == [
        (LimitKind.MUTATION_COUNT, Window.TEN_SECONDS)
    ]


async def test_snapshot_arithmetic_and_no_charge(make_store: StoreFactory) -> None:
    store = make_store(SMALL)
    await store.consume(GLOBAL_KEY, Cost(complexity=250, mutations=2))
    await store.consume(GLOBAL_KEY, Cost(complexity=125))
    first = await store.snapshot(GLOBAL_KEY)
    assert first == await store.snapshot(GLOBAL_KEY)
    assert all(state.quota == state.used + state.remaining for state in first)
    assert [state.used for state in first] == [2, 2, 375, 375, 2, 2]


async def test_allowed_decision_reports_the_charged_buckets(make_store: StoreFactory) -> None:
    store = make_store(SMALL)
    decision = await store.consume(GLOBAL_KEY, Cost(complexity=10, mutations=1))
    assert decision.retry_after == 0.0
    assert decision.exceeded == ()
    assert list(decision.states) == await store.snapshot(GLOBAL_KEY)


async def test_zero_cost_passes_an_exhausted_store(make_store: StoreFactory) -> None:
    store = make_store(SMALL)
    for _ in range(5):
        await store.consume(GLOBAL_KEY, Cost())
    assert (await store.consume(GLOBAL_KEY, NOTHING)).allowed


async def test_keys_are_separate_quotas(make_store: StoreFactory) -> None:
    store = make_store(SMALL)
    for _ in range(5):
        await store.consume("integration:1", Cost())
    assert not (await store.consume("integration:1", Cost())).allowed
    assert (await store.consume("integration:2", Cost())).allowed
    assert (await store.consume(GLOBAL_KEY, Cost())).allowed


async def test_keys_with_braces_are_refused(make_store: StoreFactory) -> None:
    store = make_store(SMALL)
    for bad in ("", "a{b", "c}"):
        with pytest.raises(ValueError, match="no braces"):
            await store.consume(bad, Cost())


async def test_same_decisions_as_the_memory_store(make_store: StoreFactory) -> None:
    """A seeded random workload gives identical verdicts and buckets on every store."""
    rng = random.Random(1234)
    reference = MemoryRateLimitStore(SMALL, ManualClock())
    store = make_store(SMALL)
    for step in range(120):
        key = rng.choice(["a", "b"])
        cost = Cost(
            requests=rng.choice([0, 1, 1, 1]),
            complexity=rng.choice([0, 3, 90, 400, 1_200]),
            mutations=rng.choice([0, 0, 1, 2, 4]),
        )
        expected, actual = await reference.consume(key, cost), await store.consume(key, cost)
        assert (actual.verdict, actual.exceeded, actual.states) == (
            expected.verdict,
            expected.exceeded,
            expected.states,
        ), step
