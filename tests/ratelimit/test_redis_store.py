"""What only the Redis store has: key layout, expiry, Lua number handling, server time, processes."""

from __future__ import annotations

import asyncio
import importlib
import multiprocessing
from pathlib import Path

import pytest
from redis.asyncio import Redis

from opencentra.ratelimit import GLOBAL_KEY, Cost, Plan, Quota, RedisRateLimitStore, Verdict


@pytest.fixture(params=["fakeredis", pytest.param("redis", marks=pytest.mark.redis)])
def client(request: pytest.FixtureRequest) -> Redis:
    """The same tests on fakeredis[lua] and on the real server."""
    redis: Redis = request.getfixturevalue("fake_redis" if request.param == "fakeredis" else "real_redis")
    return redis


async def _hashes(client: Redis, keys: list[str]) -> list[dict[bytes | str, bytes | str]]:
    return [await client.hgetall(key) for key in keys]


async def test_each_bucket_is_a_hash_that_expires_after_its_interval(client: Redis, key_prefix: str) -> None:
    store = RedisRateLimitStore(client, Plan(), prefix=key_prefix)
    await store.consume(GLOBAL_KEY, Cost(complexity=5))

    keys = store.bucket_keys(GLOBAL_KEY)
    assert keys[0] == f"{key_prefix}:{{global}}:REQUEST_COUNT:TEN_SECONDS"
    assert keys[5] == f"{key_prefix}:{{global}}:MUTATION_COUNT:ONE_HOUR"
    hashes = await _hashes(client, keys)
    for key, bucket in zip(keys[:4], hashes[:4], strict=True):
        assert set(bucket) == {b"tok", b"ts"}, key
        interval_ms = 10_000 if key.endswith("TEN_SECONDS") else 3_600_000
        assert 0 < await client.pttl(key) <= interval_ms
    # Buckets the request did not draw from are not written at all.
    assert hashes[4:] == [{}, {}]


async def test_a_refused_request_writes_nothing(client: Redis, key_prefix: str) -> None:
    store = RedisRateLimitStore(client, Plan(requests=Quota(1, 100)), prefix=key_prefix)
    await store.consume(GLOBAL_KEY, Cost(complexity=7))
    keys = store.bucket_keys(GLOBAL_KEY)
    before = await _hashes(client, keys)
    assert (await store.consume(GLOBAL_KEY, Cost(complexity=7, mutations=1))).verdict is Verdict.THROTTLED
    assert await _hashes(client, keys) == before


async def test_large_levels_survive_lua_exactly(client: Redis, key_prefix: str) -> None:
    """Enterprise-sized hour bucket: 1.4e15 token-ms, beyond Lua's 14-digit tostring."""
    plan = Plan(complexity=Quota(4_000_000, 400_000_000))
    store = RedisRateLimitStore(client, plan, prefix=key_prefix)
    decision = await store.consume(GLOBAL_KEY, Cost(complexity=3_999_999))
    assert [state.remaining for state in decision.states[2:4]] == [1, 396_000_001]
    hour_key = store.bucket_keys(GLOBAL_KEY)[3]
    assert await client.hget(hour_key, "tok") == str(396_000_001 * 3_600_000).encode()


async def test_plans_beyond_exact_lua_arithmetic_are_refused(fake_redis: Redis) -> None:
    with pytest.raises(ValueError, match="too large"):
        RedisRateLimitStore(fake_redis, Plan(complexity=Quota(1, 3_000_000_000)))


async def test_buckets_refill_by_the_server_clock(client: Redis, key_prefix: str) -> None:
    """A one-second window: wait out ``retry_after`` once and the request passes."""
    store = RedisRateLimitStore(client, Plan(requests=Quota(2, 1_000), ten_seconds_interval=1.0), prefix=key_prefix)
    assert (await store.consume(GLOBAL_KEY, Cost())).allowed
    assert (await store.consume(GLOBAL_KEY, Cost())).allowed
    denied = await store.consume(GLOBAL_KEY, Cost())
    assert denied.verdict is Verdict.THROTTLED
    assert denied.retry_after is not None
    assert 0 < denied.retry_after <= 0.5  # one token per 500 ms
    await asyncio.sleep(denied.retry_after + 0.05)  # margin: server TIME is read to the millisecond
    assert (await store.consume(GLOBAL_KEY, Cost())).allowed


async def test_script_is_reloaded_after_a_flush(fake_redis: Redis, key_prefix: str) -> None:
    store = RedisRateLimitStore(fake_redis, Plan(), prefix=key_prefix)
    assert (await store.consume(GLOBAL_KEY, Cost())).allowed
    await fake_redis.script_flush()
    assert (await store.consume(GLOBAL_KEY, Cost())).allowed


async def test_default_prefix_and_plan(fake_redis: Redis) -> None:
    store = RedisRateLimitStore(fake_redis)
    assert store.plan == Plan()
    assert store.bucket_keys("integration:7")[0] == "opencentra:rl:{integration:7}:REQUEST_COUNT:TEN_SECONDS"


@pytest.mark.redis
async def test_two_processes_share_one_quota(
    real_redis: Redis, redis_url: str, key_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two spawned interpreters race 80 requests against 50 tokens: exactly 50 pass.

    The short window is stretched to 1,000,000 s so not even one token can
    come back during the test, however slowly the processes start.
    """
    plan = Plan(requests=Quota(50, 1_000), ten_seconds_interval=1_000_000.0)
    monkeypatch.syspath_prepend(str(Path(__file__).parent))  # inherited by spawned children
    worker = importlib.import_module("ratelimit_spawn_worker")
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    results = context.Queue()
    processes = [
        context.Process(target=worker.consume_many, args=(redis_url, key_prefix, plan, 40, start, results))
        for _ in range(2)
    ]

    def run() -> list[int]:
        for process in processes:
            process.start()
        start.set()
        counts = [results.get(timeout=120) for _ in processes]
        for process in processes:
            process.join(timeout=60)
        return counts

    try:
        counts = await asyncio.to_thread(run)
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
        results.close()
        results.join_thread()
    assert [process.exitcode for process in processes] == [0, 0]
    assert sum(counts) == 50
    remaining = (await RedisRateLimitStore(real_redis, plan, prefix=key_prefix).snapshot(GLOBAL_KEY))[0]
    assert (remaining.used, remaining.remaining) == (50, 0)
