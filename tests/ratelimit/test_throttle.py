"""Login throttling: fixed-window counters in memory and Redis, and the rules on top of them.

Time never passes for real: the memory store reads a ``ManualClock`` and the
throttle's waits are recorded instead of slept. On Redis, windows are long
enough that they never end during a test.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from redis.asyncio import Redis

from opencentra.errors import ValidationFailed
from opencentra.ratelimit import ManualClock
from opencentra.ratelimit.throttle import (
    LOGIN,
    Backoff,
    Count,
    CounterStore,
    Limit,
    MemoryCounterStore,
    Policy,
    RedisCounterStore,
    Throttle,
    Throttles,
    TooManyAttempts,
    throttle_for,
)

POLICY = Policy("test", per_address=Limit(3, 60), per_account=Limit(2, 600))


class Waits:
    """Records the throttle's waits instead of sleeping them."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


@pytest.fixture(params=["memory", "fakeredis", pytest.param("redis", marks=pytest.mark.redis)])
def make_counters(request: pytest.FixtureRequest, key_prefix: str) -> Callable[[], CounterStore]:
    """A counter store of each kind; several calls give stores that share their counts."""
    if request.param == "memory":
        memory = MemoryCounterStore(ManualClock(1_000.0))
        return lambda: memory
    client: Redis = request.getfixturevalue("fake_redis" if request.param == "fakeredis" else "real_redis")
    return lambda: RedisCounterStore(client, prefix=key_prefix)


async def _fail(throttle: Throttle, policy: Policy = POLICY, *, address: str = "a", account: str | None = "x") -> None:
    with pytest.raises(ValidationFailed):
        async with throttle.attempt(policy, address=address, account=account):
            raise ValidationFailed("incorrect", field="password")


async def _succeed(
    throttle: Throttle, policy: Policy = POLICY, *, address: str = "a", account: str | None = "x"
) -> None:
    async with throttle.attempt(policy, address=address, account=account):
        pass


# --- the counters ---------------------------------------------------------------------------


async def test_counts_add_and_take_back_never_below_zero(make_counters: Callable[[], CounterStore]) -> None:
    store = make_counters()
    assert (await store.add("k", 1, 60)).value == 1
    assert (await store.add("k", 2, 60)).value == 3
    assert (await store.add("k", -1, 60)).value == 2
    assert (await store.add("k", -5, 60)).value == 0
    # Taking back from nothing opens no window.
    assert (await store.add("other", -1, 60)).value == 0
    assert (await store.add("other", 1, 60)).value == 1


async def test_a_window_says_when_it_ends(make_counters: Callable[[], CounterStore]) -> None:
    store = make_counters()
    first = await store.add("k", 1, 60)
    again = await store.add("k", 1, 60)
    assert 0 < again.resets_in <= first.resets_in <= 60


async def test_memory_windows_end_and_start_again() -> None:
    clock = ManualClock()
    store = MemoryCounterStore(clock)
    assert await store.add("k", 1, 60) == Count(1, 60)
    clock.advance(59)
    assert await store.add("k", 1, 60) == Count(2, 1)
    clock.advance(1)
    assert await store.add("k", 1, 60) == Count(1, 60)  # a new window, counted from zero


async def test_memory_store_stays_bounded() -> None:
    clock = ManualClock()
    store = MemoryCounterStore(clock, max_keys=10)
    for key in range(10):
        await store.add(str(key), 1, 5)
    clock.advance(5)
    await store.add("new", 1, 5)
    assert len(store) == 1  # the expired windows made room
    for key in range(20):
        await store.add(f"live{key}", 1, 60)
    assert len(store) == 10  # past the bound, the oldest keys go


async def test_redis_counters_expire_with_their_window(fake_redis: Redis, key_prefix: str) -> None:
    store = RedisCounterStore(fake_redis, prefix=key_prefix)
    await store.add("k", 1, 60)
    key = store.redis_key("k")
    assert key == f"{key_prefix}:k"
    assert 0 < await fake_redis.pttl(key) <= 60_000
    await store.add("k", -1, 60)
    assert await fake_redis.exists(key) == 0


# --- the rules -----------------------------------------------------------------------------


async def test_only_failures_count(make_counters: Callable[[], CounterStore]) -> None:
    throttle = Throttle(make_counters(), sleep=Waits())
    for _ in range(10):
        await _succeed(throttle)
    for _ in range(3):
        await _fail(throttle)
    with pytest.raises(TooManyAttempts):
        await _succeed(throttle)


async def test_an_address_past_its_failures_is_refused_until_the_window_ends() -> None:
    clock = ManualClock()
    throttle = Throttle(MemoryCounterStore(clock), sleep=Waits())
    for email in ("a@example.com", "b@example.com", "c@example.com"):
        await _fail(throttle, account=email)
    with pytest.raises(TooManyAttempts) as refused:
        await _succeed(throttle, account="d@example.com")
    assert (refused.value.field, refused.value.retry_after) == ("email", 60)
    await _succeed(throttle, address="another address")  # another client is not refused
    clock.advance(60)
    await _succeed(throttle)


async def test_an_account_past_its_failures_slows_down_but_is_never_refused(
    make_counters: Callable[[], CounterStore],
) -> None:
    waits = Waits()
    throttle = Throttle(make_counters(), backoff=Backoff(first=1, most=4), sleep=waits)
    # Every guess from another address: no address is ever past its limit.
    for n in range(6):
        await _fail(throttle, address=f"bot{n}")
    assert waits.seconds == [1, 2, 4, 4]
    # The owner's correct password waits its turn, and then logs in.
    await _succeed(throttle, address="owner")
    assert waits.seconds[-1] == 4
    # A success takes its own count back: the account is where it was.
    await _succeed(throttle, address="owner")
    assert waits.seconds[-1] == 4 and len(waits.seconds) == 6


async def test_parallel_attempts_count_before_they_finish() -> None:
    throttle = Throttle(MemoryCounterStore(ManualClock()), sleep=Waits())
    policy = Policy("burst", per_address=Limit(2, 60))
    async with throttle.attempt(policy, address="a"), throttle.attempt(policy, address="a"):
        with pytest.raises(TooManyAttempts):
            async with throttle.attempt(policy, address="a"):
                pass
    # Both in-flight attempts succeeded: nothing is left counted.
    await _succeed(throttle, policy)


async def test_mail_requests_past_the_account_limit_send_nothing() -> None:
    throttle = Throttle(MemoryCounterStore(ManualClock()), sleep=Waits())
    sent = [await throttle.request(POLICY, address=f"client{n}", account="x") for n in range(4)]
    assert sent == [True, True, False, False]
    assert await throttle.request(POLICY, address="client9", account="y")
    for _ in range(3):
        await throttle.request(POLICY, address="a")
    with pytest.raises(TooManyAttempts):
        await throttle.request(POLICY, address="a")


@pytest.mark.redis
async def test_processes_share_counts_in_redis(redis_url: str, key_prefix: str) -> None:
    """Two throttles with their own Redis connections, like two worker processes."""
    clients = [Redis.from_url(redis_url), Redis.from_url(redis_url)]
    try:
        first, second = (Throttle(RedisCounterStore(c, prefix=key_prefix), sleep=Waits()) for c in clients)
        for _ in range(3):
            await _fail(first)
        with pytest.raises(TooManyAttempts):
            await _succeed(second)
    finally:
        keys = [key async for key in clients[0].scan_iter(match=f"{key_prefix}:*")]
        if keys:
            await clients[0].delete(*keys)
        for client in clients:
            await client.aclose()


async def test_keys_hold_no_email_or_address() -> None:
    store = MemoryCounterStore(ManualClock())
    throttle = Throttle(store, sleep=Waits())
    await _fail(throttle, LOGIN, address="203.0.113.7", account="1:victim@example.com")
    keys = list(store._counts)
    assert len(keys) == 2
    assert not any("203.0.113.7" in key or "victim" in key for key in keys)


def test_the_store_follows_the_settings() -> None:
    assert isinstance(throttle_for(None).store, MemoryCounterStore)
    assert isinstance(throttle_for("redis://127.0.0.1:6379/0").store, RedisCounterStore)
    made: list[str | None] = []

    def make(url: str | None) -> Throttle:
        made.append(url)
        return throttle_for(None)

    throttles = Throttles(make)
    assert throttles.get(None) is throttles.get(None)
    assert made == [None]
