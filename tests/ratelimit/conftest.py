"""Stores to test against: memory (ManualClock), fakeredis[lua], and a real Redis.

The real Redis comes from the root ``redis_url`` fixture, which skips when no
server answers at 127.0.0.1:6379, and fails instead under ``CI=true``. Every
test gets its own key prefix and deletes its keys afterwards, so tests can run
against a shared server.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable

import fakeredis
import pytest
from redis.asyncio import Redis

from opencentra.ratelimit import ManualClock, MemoryRateLimitStore, RateLimitStore, RedisRateLimitStore

StoreFactory = Callable[..., RateLimitStore]
"""``make_store(plan)``, or ``make_store(plan, ceiling)`` for a store with an instance-wide ceiling."""


@pytest.fixture
def key_prefix() -> str:
    """A prefix no other test (or deployment) uses."""
    return f"opencentra-test:{uuid.uuid4().hex}:rl"


async def _delete_prefix(client: Redis, prefix: str) -> None:
    keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=500)]
    if keys:
        await client.delete(*keys)


@pytest.fixture
async def real_redis(redis_url: str, key_prefix: str) -> AsyncIterator[Redis]:
    """A client of the real Redis server; this test's keys are deleted afterwards."""
    client = Redis.from_url(redis_url)
    try:
        yield client
    finally:
        await _delete_prefix(client, key_prefix)
        await client.aclose()


@pytest.fixture
async def fake_redis() -> AsyncIterator[Redis]:
    """An in-process fakeredis with Lua, on a server of its own."""
    client = fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer())
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture(params=["memory", "fakeredis", pytest.param("redis", marks=pytest.mark.redis)])
def make_store(request: pytest.FixtureRequest, key_prefix: str) -> StoreFactory:
    """Builds a store of each kind for a plan (and a ceiling). The memory store's clock stands still."""
    if request.param == "memory":
        clock = ManualClock(1_000.0)
        return lambda plan, ceiling=None: MemoryRateLimitStore(plan, clock, ceiling=ceiling)
    client: Redis = request.getfixturevalue("fake_redis" if request.param == "fakeredis" else "real_redis")
    return lambda plan, ceiling=None: RedisRateLimitStore(client, plan, prefix=key_prefix, ceiling=ceiling)
