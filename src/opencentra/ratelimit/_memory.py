"""Buckets in process memory, for the single-process embedded mode.

Valid only while one worker process serves the API: a second worker would
keep its own buckets and double the effective quota. Run several workers or
instances with ``RedisRateLimitStore`` instead.
"""

from __future__ import annotations

import threading

from opencentra.ratelimit._bucket import NOTHING, BucketState, Cost, Decision, decide, fold, refill
from opencentra.ratelimit._clock import Clock, MonotonicClock
from opencentra.ratelimit._plan import Limit, Plan
from opencentra.ratelimit._store import scopes


class MemoryRateLimitStore:
    """A ``RateLimitStore`` backed by a dict, guarded by a lock.

    The lock is a ``threading.Lock``, not an ``asyncio.Lock``: the critical
    section never awaits, so it cannot stall the event loop, and it also keeps
    the store correct when called from several threads or event loops (sync
    test clients, thread-pool resolvers), which an ``asyncio.Lock`` would not.

    With a ``ceiling`` plan, every key but ``GLOBAL_KEY`` also pays into
    ``GLOBAL_KEY``'s buckets, which hold the ceiling's quotas (see ``_store``).
    """

    def __init__(self, plan: Plan | None = None, clock: Clock | None = None, *, ceiling: Plan | None = None) -> None:
        self._plan = plan if plan is not None else Plan()
        self._limits = self._plan.limits()
        self._ceiling = ceiling
        self._ceiling_limits = ceiling.limits(ceiling=True) if ceiling is not None else None
        self._clock: Clock = clock if clock is not None else MonotonicClock()
        self._lock = threading.Lock()
        # key -> (levels, time of last write in ms); a missing key is six full buckets.
        self._buckets: dict[str, tuple[tuple[int, ...], int]] = {}

    @property
    def plan(self) -> Plan:
        """The quotas of each key."""
        return self._plan

    @property
    def ceiling(self) -> Plan | None:
        """The quotas all keys share, if any."""
        return self._ceiling

    async def consume(self, key: str, cost: Cost) -> Decision:
        """Charge ``cost`` to every bucket of ``key`` (and of the ceiling), or to none."""
        return self._check(key, cost)

    async def snapshot(self, key: str) -> list[BucketState]:
        """The buckets of ``key`` now, without charging anything."""
        return list(self._check(key, NOTHING).states)

    def _check(self, key: str, cost: Cost) -> Decision:
        checked = scopes(key, self._limits, self._ceiling_limits)
        limits = tuple(limit for _, scope in checked for limit in scope)
        # round(), not int(): a ManualClock at 0.1 + 0.2 s must read 300 ms, not 299.
        now_ms = round(self._clock.now() * 1000)
        with self._lock:
            levels = tuple(level for name, scope in checked for level in self._levels(name, scope, now_ms))
            decision, charged = decide(limits, levels, cost)
            if decision.allowed and any(cost.amount(limit.kind) for limit in limits):
                start = 0
                for name, scope in checked:
                    self._buckets[name] = (charged[start : start + len(scope)], now_ms)
                    start += len(scope)
            return fold(decision, len(checked[0][1]))

    def _levels(self, key: str, limits: tuple[Limit, ...], now_ms: int) -> tuple[int, ...]:
        stored = self._buckets.get(key)
        if stored is None:
            return tuple(limit.capacity for limit in limits)
        levels, last_ms = stored
        return tuple(refill(limit, level, last_ms, now_ms) for limit, level in zip(limits, levels, strict=True))
