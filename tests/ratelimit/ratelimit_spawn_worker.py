"""Run in a spawned interpreter by ``test_redis_store``: spend from a shared quota.

It lives in its own module, not in the test file, because a spawned child
imports its target by module name, and pytest's importlib mode gives test
modules names a fresh interpreter cannot import.
"""

from __future__ import annotations

import asyncio
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event

from redis.asyncio import Redis

from opencentra.ratelimit import GLOBAL_KEY, Cost, Plan, RedisRateLimitStore


async def _consume(redis_url: str, prefix: str, plan: Plan, attempts: int) -> int:
    client = Redis.from_url(redis_url)
    try:
        store = RedisRateLimitStore(client, plan, prefix=prefix)
        return sum([(await store.consume(GLOBAL_KEY, Cost())).allowed for _ in range(attempts)])
    finally:
        await client.aclose()


def consume_many(redis_url: str, prefix: str, plan: Plan, attempts: int, start: Event, results: Queue[int]) -> None:
    """Wait for the start signal, try ``attempts`` requests, report how many passed."""
    start.wait(timeout=60)
    results.put(asyncio.run(_consume(redis_url, prefix, plan, attempts)))
