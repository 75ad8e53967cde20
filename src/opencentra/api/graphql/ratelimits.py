"""The ``rateLimits`` query (no permission needed) and ``counters`` for pagination totals."""

from __future__ import annotations

import enum
from typing import Any

import strawberry
from strawberry.types import Info

from opencentra.api.graphql.catalog import ProductFilter, count_products
from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.customers import CustomerFilter, count_customers
from opencentra.api.graphql.orders import OrderFilter, count_orders
from opencentra.api.graphql.permissions import check
from opencentra.ratelimit import LimitKind, Window


@strawberry.enum
class RateLimitType(enum.Enum):
    REQUEST_COUNT = "REQUEST_COUNT"
    QUERY_COMPLEXITY = "QUERY_COMPLEXITY"
    MUTATION_COUNT = "MUTATION_COUNT"


@strawberry.enum
class RateLimitInterval(enum.Enum):
    TEN_SECONDS = "TEN_SECONDS"
    ONE_HOUR = "ONE_HOUR"


@strawberry.type(description="One of the six token buckets; quota = usedQuota + remainingQuota.")
class RateLimit:
    type: RateLimitType
    interval_seconds: RateLimitInterval
    quota: int
    used_quota: int
    remaining_quota: int


async def resolve_rate_limits(info: Info[Any, Any]) -> list[RateLimit]:
    """The buckets as they stand after this request was charged (Centra's example counts itself)."""
    context: GraphQLContext = info.context
    states = await context.rate_limits.snapshot(context.rate_limit_key)
    return [
        RateLimit(
            type=RateLimitType[LimitKind(state.kind).value],
            interval_seconds=RateLimitInterval[Window(state.window).value],
            quota=state.quota,
            used_quota=state.used,
            remaining_quota=state.remaining,
        )
        for state in states
    ]


@strawberry.type
class Counters:
    """Totals for pagination; each counter needs the read permission of what it counts."""

    @strawberry.field
    async def orders(self, info: Info[Any, Any], where: OrderFilter | None = None) -> int | None:
        check(info, "Order:read")
        return await count_orders(info.context, where)

    @strawberry.field
    async def products(self, info: Info[Any, Any], where: ProductFilter | None = None) -> int | None:
        check(info, "Product:read")
        return await count_products(info.context, where)

    @strawberry.field
    async def customers(self, info: Info[Any, Any], where: CustomerFilter | None = None) -> int | None:
        check(info, "Customer:read")
        return await count_customers(info.context, where)


def resolve_counters() -> Counters:
    return Counters()
