"""Reading the GraphQL rate-limit buckets from outside the GraphQL endpoint (the admin's operations page).

The GraphQL adapter charges each integration name's six buckets (and, with
per-integration quotas, the instance-wide ceiling of ``INSTANCE_CEILING``
plans). This module names the same buckets by the same rules, so another
process can show them: ``integration_key`` is the key of one integration and
``read_usage`` takes a snapshot (charging nothing) of several keys at once.

Only buckets in Redis can be read from here. Without Redis each worker
process keeps its own buckets in memory, inside the GraphQL endpoint; there
is no one answer to read, and ``read_usage`` says so by returning ``None``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from opencentra.ratelimit._bucket import BucketState
from opencentra.ratelimit._plan import PLANS, Plan
from opencentra.ratelimit._redis import RedisRateLimitStore
from opencentra.ratelimit._store import GLOBAL_KEY

INSTANCE_CEILING = 2
"""With per-integration quotas, what all integrations together may spend, in plans (the GraphQL rule)."""


def integration_key(name: str) -> str:
    """The bucket key of one integration (token) name: a digest, so no name can break the key layout."""
    return f"integration:{hashlib.sha256(name.encode()).hexdigest()[:24]}"


def ceiling_of(plan: Plan, *, per_integration: bool) -> Plan | None:
    """The instance-wide ceiling above per-integration quotas; None when the instance has one quota."""
    return plan.scaled(INSTANCE_CEILING) if per_integration else None


class UsageUnavailable(Exception):
    """Redis did not answer; the message says why (without the URL, which may hold a password)."""


@dataclass(frozen=True, slots=True)
class BucketUsage:
    """The six buckets of one key: an integration's, or the instance's (``integration`` None)."""

    integration: str | None
    key: str
    buckets: tuple[BucketState, ...]


async def read_usage(
    plan_name: str, *, redis_url: str | None, per_integration: bool, integrations: Sequence[str]
) -> list[BucketUsage] | None:
    """The instance's buckets, then each integration's (with per-integration quotas), as they stand.

    None without Redis (see the module's note); ``UsageUnavailable`` when Redis does not answer.
    Charges nothing.
    """
    if not redis_url:
        return None
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    plan = PLANS[plan_name]
    client = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2)
    try:
        store = RedisRateLimitStore(client, plan, ceiling=ceiling_of(plan, per_integration=per_integration))
        found = [BucketUsage(None, GLOBAL_KEY, tuple(await store.snapshot(GLOBAL_KEY)))]
        if per_integration:
            for name in dict.fromkeys(integrations):
                key = integration_key(name)
                found.append(BucketUsage(name, key, tuple(await store.snapshot(key))))
        return found
    except (RedisError, OSError) as error:
        raise UsageUnavailable(f"Redis did not answer ({type(error).__name__})") from None
    finally:
        await client.aclose()
