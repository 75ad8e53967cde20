"""The store seam: where bucket state lives (process memory or Redis).

The ``key`` argument selects a set of six buckets. Centra's limits are per
environment, shared by every integration and token, so the compatible choice
is one constant key for the whole instance (``GLOBAL_KEY``). Passing, say,
``f"integration:{integration_id}"`` instead gives each integration its own
quota: a deliberate departure from Centra, for operators who want one noisy
integration not to starve the others.
"""

from __future__ import annotations

from typing import Protocol

from opencentra.ratelimit._bucket import BucketState, Cost, Decision

GLOBAL_KEY = "global"
"""The key for Centra's behaviour: one quota for the whole instance."""


class RateLimitStore(Protocol):
    """Holds the buckets and applies the all-or-nothing check atomically."""

    async def consume(self, key: str, cost: Cost) -> Decision:
        """Charge ``cost`` to all six buckets of ``key`` if every one can pay.

        If any bucket is short, nothing is charged and the decision says why.
        """
        ...

    async def snapshot(self, key: str) -> list[BucketState]:
        """The six buckets of ``key`` now, for the ``rateLimits`` query. Charges nothing."""
        ...


def check_key(key: str) -> str:
    """Refuse keys that would break the Redis key layout.

    Braces are reserved because the Redis store wraps the key in ``{...}`` as
    a Redis Cluster hash tag; the memory store applies the same rule so that a
    key valid for one store is valid for both.
    """
    if not key or "{" in key or "}" in key:
        raise ValueError(f"rate-limit key must be non-empty and contain no braces, got {key!r}")
    return key
