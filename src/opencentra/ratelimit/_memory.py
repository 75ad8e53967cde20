"""Buckets in process memory, for the single-process embedded mode.

Valid only while one worker process serves the API: a second worker would
keep its own buckets and double the effective quota. Run several workers or
instances with ``RedisRateLimitStore`` instead.
"""

from __future__ import annotations

import threading

from opencentra.ratelimit._bucket import NOTHING, BucketState, Cost, Decision, decide, refill
from opencentra.ratelimit._clock import Clock, MonotonicClock
from opencentra.ratelimit._plan import Plan
from opencentra.ratelimit._store import check_key


class MemoryRateLimitStore:
    """A ``RateLimitStore`` backed by a dict, guarded by a lock.

    The lock is a ``threading.Lock``, not an ``asyncio.Lock``: the critical
    section never awaits, so it cannot stall the event loop, and it also keeps
    the store correct when called from several threads or event loops (sync
    test clients, thread-pool resolvers), which an ``asyncio.Lock`` would not.
    """

    def __init__(self, plan: Plan | None = None, clock: Clock | None = None) -> None:
        self._plan = plan if plan is not None else Plan()
        self._limits = self._plan.limits()
        self._clock: Clock = clock if clock is not None else MonotonicClock()
        self._lock = threading.Lock()
        # key -> (levels, time of last write in ms); a missing key is six full buckets.
        self._buckets: dict[str, tuple[tuple[int, ...], int]] = {}

    @property
    def plan(self) -> Plan:
        """The quotas this store enforces."""
        return self._plan

    async def consume(self, key: str, cost: Cost) -> Decision:
        """Charge ``cost`` to every bucket of ``key``, or to none."""
        return self._check(check_key(key), cost)

    async def snapshot(self, key: str) -> list[BucketState]:
        """The buckets of ``key`` now, without charging anything."""
        return list(self._check(check_key(key), NOTHING).states)

    def _check(self, key: str, cost: Cost) -> Decision:
        # round(), not int(): a ManualClock at 0.1 + 0.2 s must read 300 ms, not 299.
        now_ms = round(self._clock.now() * 1000)
        with self._lock:
            levels = self._levels(key, now_ms)
            decision, charged = decide(self._limits, levels, cost)
            if decision.allowed and any(cost.amount(limit.kind) for limit in self._limits):
                self._buckets[key] = (charged, now_ms)
            return decision

    def _levels(self, key: str, now_ms: int) -> tuple[int, ...]:
        stored = self._buckets.get(key)
        if stored is None:
            return tuple(limit.capacity for limit in self._limits)
        levels, last_ms = stored
        return tuple(refill(limit, level, last_ms, now_ms) for limit, level in zip(self._limits, levels, strict=True))
