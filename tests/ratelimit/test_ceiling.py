"""A key per integration under an instance-wide ceiling, on memory, fakeredis and a real Redis.

Each key has the plan's six buckets and pays into ``GLOBAL_KEY``'s six as
well, which hold the ceiling's quotas; the twelve are checked all or nothing.
Windows are stretched as in ``test_store_contract`` so no token refills while
a test runs.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import fakeredis
import pytest

from opencentra.ratelimit import (
    GLOBAL_KEY,
    GROWTH,
    BucketState,
    Cost,
    LimitKind,
    ManualClock,
    MemoryRateLimitStore,
    Plan,
    Quota,
    RateLimitStore,
    RedisRateLimitStore,
    Verdict,
    Window,
)

StoreFactory = Callable[..., RateLimitStore]  # the ``make_store`` fixture (conftest.py)

PLAN = Plan(
    requests=Quota(5, 8),
    complexity=Quota(1_000, 5_000),
    mutations=Quota(3, 7),
    ten_seconds_interval=100_000.0,
    one_hour_interval=1_000_000.0,
)
CEILING = PLAN.scaled(2)
REQUESTS = (LimitKind.REQUEST_COUNT, Window.TEN_SECONDS)


def _bucket(states: list[BucketState] | tuple[BucketState, ...], which: tuple[LimitKind, Window]) -> BucketState:
    return next(state for state in states if (state.kind, state.window) == which)


def test_a_scaled_plan_multiplies_every_quota() -> None:
    assert GROWTH.scaled(2) == Plan(
        requests=Quota(120, 10_000), complexity=Quota(500_000, 60_000_000), mutations=Quota(40, 3_600)
    )
    assert PLAN.scaled(1) == PLAN
    assert CEILING.ten_seconds_interval == PLAN.ten_seconds_interval
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="whole number"):
            PLAN.scaled(bad)  # type: ignore[arg-type]


async def test_each_key_is_held_to_its_plan_and_all_keys_to_the_ceiling(make_store: StoreFactory) -> None:
    store = make_store(PLAN, CEILING)
    assert [(await store.consume("integration:a", Cost())).verdict for _ in range(6)] == [Verdict.ALLOWED] * 5 + [
        Verdict.THROTTLED
    ]
    own = await store.consume("integration:a", Cost())
    assert [(limit.kind, limit.window, limit.ceiling) for limit in own.exceeded] == [(*REQUESTS, False)]
    # Another key has a whole plan of its own: the first one's refusals took nothing from the instance.
    assert all([(await store.consume("integration:b", Cost())).allowed for _ in range(5)])
    # Now the instance has spent its ceiling of 10: a fresh key is refused by the ceiling alone.
    shared = await store.consume("integration:c", Cost())
    assert shared.verdict is Verdict.THROTTLED
    assert [(limit.kind, limit.window, limit.ceiling, limit.quota) for limit in shared.exceeded] == [
        (*REQUESTS, True, 10)
    ]
    assert shared.retry_after is not None and shared.retry_after > 0


async def test_a_refusal_by_either_side_charges_neither(make_store: StoreFactory) -> None:
    store = make_store(PLAN, CEILING)
    assert (await store.consume("integration:a", Cost(complexity=900))).allowed
    refused = await store.consume("integration:a", Cost(complexity=200))  # own bucket: 100 left
    assert not refused.allowed
    assert _bucket(await store.snapshot(GLOBAL_KEY), REQUESTS).used == 1
    assert _bucket(await store.snapshot(GLOBAL_KEY), (LimitKind.QUERY_COMPLEXITY, Window.TEN_SECONDS)).used == 900
    assert (await store.consume("integration:b", Cost(complexity=1_000))).allowed
    refused = await store.consume("integration:c", Cost(complexity=200))  # the instance: 100 left
    assert [limit.ceiling for limit in refused.exceeded] == [True]
    [requests, _, complexity, *_] = await store.snapshot("integration:c")
    assert (requests.used, complexity.used) == (0, 900)  # what the instance leaves c: 100 of its 1,000


async def test_snapshots_report_what_the_key_can_spend(make_store: StoreFactory) -> None:
    store = make_store(PLAN, CEILING)
    for key in ["integration:a"] * 4 + ["integration:b"] * 5:
        assert (await store.consume(key, Cost())).allowed
    mine = _bucket(await store.snapshot("integration:a"), REQUESTS)
    assert (mine.quota, mine.used, mine.remaining) == (5, 4, 1)
    fresh = _bucket(await store.snapshot("integration:c"), REQUESTS)
    assert (fresh.quota, fresh.used, fresh.remaining) == (5, 4, 1)  # the instance has 1 of 10 left
    instance = _bucket(await store.snapshot(GLOBAL_KEY), REQUESTS)
    assert (instance.quota, instance.used, instance.remaining) == (10, 9, 1)
    for states in [await store.snapshot(key) for key in ("integration:a", "integration:c", GLOBAL_KEY)]:
        assert len(states) == 6
        assert all(state.quota == state.used + state.remaining for state in states)


async def test_a_cost_above_the_keys_quota_can_never_pass(make_store: StoreFactory) -> None:
    store = make_store(PLAN, CEILING)
    decision = await store.consume("integration:a", Cost(complexity=1_500))  # fits the ceiling, not the plan
    assert decision.verdict is Verdict.EXCEEDS_QUOTA
    assert [(limit.kind, limit.ceiling) for limit in decision.exceeded] == [(LimitKind.QUERY_COMPLEXITY, False)]


async def test_the_ceiling_key_alone_is_the_instance(make_store: StoreFactory) -> None:
    store = make_store(PLAN, CEILING)
    assert all([(await store.consume(GLOBAL_KEY, Cost())).allowed for _ in range(10)])
    assert not (await store.consume("integration:a", Cost())).allowed


async def test_same_decisions_as_the_memory_store(make_store: StoreFactory) -> None:
    rng = random.Random(4321)
    reference = MemoryRateLimitStore(PLAN, ManualClock(), ceiling=CEILING)
    store = make_store(PLAN, CEILING)
    for step in range(150):
        key = rng.choice(["integration:a", "integration:b", "integration:c", GLOBAL_KEY])
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


async def test_redis_keeps_all_twelve_buckets_in_one_cluster_slot() -> None:
    client = fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer())
    try:
        store = RedisRateLimitStore(client, PLAN, ceiling=CEILING)
        assert store.bucket_keys(GLOBAL_KEY)[0] == "opencentra:rl:{global}:REQUEST_COUNT:TEN_SECONDS"
        assert store.bucket_keys("integration:a")[0] == "opencentra:rl:{global}:integration:a:REQUEST_COUNT:TEN_SECONDS"
        # Without a ceiling each key is its own hash tag, as before.
        plain = RedisRateLimitStore(client, PLAN)
        assert plain.bucket_keys("integration:a")[0] == "opencentra:rl:{integration:a}:REQUEST_COUNT:TEN_SECONDS"
        with pytest.raises(ValueError, match="exact arithmetic"):
            RedisRateLimitStore(client, GROWTH, ceiling=GROWTH.scaled(1_000))
    finally:
        await client.aclose()
