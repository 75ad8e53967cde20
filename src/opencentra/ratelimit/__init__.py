"""Centra's Integration API rate limits: six token buckets, checked all-or-nothing.

Three kinds of limit (requests, summed query complexity, mutation fields) over
two windows (10 s, 1 h). Each bucket holds up to its quota and refills
continuously at quota/interval tokens per second. A request is admitted only
if all six buckets can pay its cost at once; a refused request is charged
nothing, and the decision carries a ``retry_after`` for the ``Retry-After``
header, or says the cost can never fit.

Typical use in the GraphQL adapter::

    store = MemoryRateLimitStore(Plan())          # or RedisRateLimitStore(redis, plan)
    decision = await store.consume(GLOBAL_KEY, Cost(complexity=qc.complexity, mutations=qc.mutations))
    if not decision.allowed: ...                  # HTTP 429

A key per integration, under an instance-wide ceiling (twelve buckets, still
all or nothing)::

    store = MemoryRateLimitStore(GROWTH, ceiling=GROWTH.scaled(2))
    await store.consume("integration:erp", cost)  # pays into its own and GLOBAL_KEY's buckets

Everything importable from here is public; the underscore modules are not.
"""

from opencentra.ratelimit._bucket import NOTHING, BucketState, Cost, Decision, Verdict
from opencentra.ratelimit._clock import Clock, ManualClock, MonotonicClock
from opencentra.ratelimit._memory import MemoryRateLimitStore
from opencentra.ratelimit._plan import (
    ENHANCED,
    ENTERPRISE,
    GROWTH,
    HIGH_VOLUME,
    LEGACY_DOCS_EXAMPLE,
    LEGACY_STANDARD,
    PLANS,
    Limit,
    LimitKind,
    Plan,
    Quota,
    Window,
)
from opencentra.ratelimit._redis import RedisRateLimitStore
from opencentra.ratelimit._store import GLOBAL_KEY, RateLimitStore
from opencentra.ratelimit.usage import (
    INSTANCE_CEILING,
    BucketUsage,
    UsageUnavailable,
    ceiling_of,
    integration_key,
    read_usage,
)

__all__ = [
    "ENHANCED",
    "ENTERPRISE",
    "GLOBAL_KEY",
    "GROWTH",
    "HIGH_VOLUME",
    "INSTANCE_CEILING",
    "LEGACY_DOCS_EXAMPLE",
    "LEGACY_STANDARD",
    "NOTHING",
    "PLANS",
    "BucketState",
    "BucketUsage",
    "Clock",
    "Cost",
    "Decision",
    "Limit",
    "LimitKind",
    "ManualClock",
    "MemoryRateLimitStore",
    "MonotonicClock",
    "Plan",
    "Quota",
    "RateLimitStore",
    "RedisRateLimitStore",
    "UsageUnavailable",
    "Verdict",
    "Window",
    "ceiling_of",
    "integration_key",
    "read_usage",
]
