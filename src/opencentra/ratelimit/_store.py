"""The store seam: where bucket state lives (process memory or Redis).

The ``key`` argument selects a set of six buckets. Centra's limits are per
environment, shared by every integration and token, so the compatible choice
is one constant key for the whole instance (``GLOBAL_KEY``). Passing, say,
``f"integration:{integration_id}"`` instead gives each integration its own
quota: a deliberate departure from Centra, for operators who want one noisy
integration not to starve the others.

A store built with a ``ceiling`` plan keeps both: ``GLOBAL_KEY``'s six
buckets hold the ceiling's quotas, and every other key pays into them as well
as into its own, all twelve checked at once (all or nothing). One key can then
spend no more than its plan, and all keys together no more than the ceiling.
"""

from __future__ import annotations

from typing import Protocol

from opencentra.ratelimit._bucket import BucketState, Cost, Decision
from opencentra.ratelimit._plan import Limit

GLOBAL_KEY = "global"
"""The key for Centra's behaviour: one quota for the whole instance (and a store's ceiling)."""

Scopes = tuple[tuple[str, tuple[Limit, ...]], ...]
"""The bucket sets one check covers: (key, its limits), the key's own first."""


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


def scopes(key: str, limits: tuple[Limit, ...], ceiling: tuple[Limit, ...] | None) -> Scopes:
    """What a check of ``key`` covers: its own buckets, then the ceiling's (``GLOBAL_KEY``), if any.

    With a ceiling, ``GLOBAL_KEY`` itself is the ceiling's six buckets alone.
    """
    check_key(key)
    if ceiling is None:
        return ((key, limits),)
    if key == GLOBAL_KEY:
        return ((GLOBAL_KEY, ceiling),)
    return ((key, limits), (GLOBAL_KEY, ceiling))
