"""Centra's rate limits, enforced between validation and execution.

``RateLimitExtension.on_execute`` runs after the document parsed and
validated and before graphql-core runs a single resolver. It costs the
operation with ``cost.query_cost`` (Centra's published rule) and charges one
request, the complexity and one mutation per mutation field to the six
buckets at once. A refusal sets the execution result, so execution never
starts; the HTTP layer turns ``context.refused`` into a 429.

The other guards against abusive documents are strawberry's own validation
extensions (depth, aliases, tokens), configured in ``schema.py``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import AsyncIterator

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension

from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.cost import QueryCostError, query_cost
from opencentra.config import Settings
from opencentra.integration.services import TokenView
from opencentra.ratelimit import (
    GLOBAL_KEY,
    PLANS,
    Cost,
    Decision,
    MemoryRateLimitStore,
    RateLimitStore,
    RedisRateLimitStore,
    Verdict,
)

RATE_LIMITED = "rateLimit"
COMPLEXITY = "complexity"


def make_store(settings: Settings) -> RateLimitStore:
    """In-process buckets for one worker, Redis when the instance has one."""
    plan = PLANS[settings.ratelimit_plan]
    if settings.redis_url:
        from redis.asyncio import Redis

        return RedisRateLimitStore(Redis.from_url(settings.redis_url), plan)
    return MemoryRateLimitStore(plan)


def rate_limit_key(settings: Settings, token: TokenView) -> str:
    """One quota for the instance (Centra), or one per integration name when configured."""
    if not settings.ratelimit_per_integration:
        return GLOBAL_KEY
    digest = hashlib.sha256(token.name.encode()).hexdigest()[:24]
    return f"integration:{digest}"


def refusal_errors(decision: Decision, cost: Cost) -> list[GraphQLError]:
    """The GraphQL error for a refused request, naming the buckets that refused."""
    names = ", ".join(f"{limit.kind.value}/{limit.window.value}" for limit in decision.exceeded)
    if decision.verdict is Verdict.EXCEEDS_QUOTA:
        message = (
            f"Query complexity {cost.complexity} with {cost.mutations} mutations exceeds the quota of {names}; "
            "it can never run. Ask for fewer objects (lower limit/first/last) or fewer fields."
        )
        return [GraphQLError(message, extensions={"category": COMPLEXITY, "complexity": cost.complexity})]
    retry = retry_after_seconds(decision)
    message = f"Rate limit exceeded ({names}). Retry after {retry} seconds."
    return [GraphQLError(message, extensions={"category": RATE_LIMITED, "retryAfter": retry})]


def retry_after_seconds(decision: Decision) -> int:
    """Whole seconds to wait, rounded up, at least 1."""
    wait = decision.retry_after if decision.retry_after is not None else 0.0
    return max(1, math.ceil(wait))


def retry_after_header(decision: Decision) -> str:
    """``Retry-After`` as delta-seconds (RFC 9110); see docs/compatibility/graphql.md."""
    return str(retry_after_seconds(decision))


class RateLimitExtension(SchemaExtension):
    """Cost the operation, charge the buckets, or stop before any resolver runs."""

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context: GraphQLContext = execution.context
        document = execution.graphql_document
        assert document is not None
        try:
            cost = query_cost(execution.schema._schema, document, execution.variables, context.operation_name)
        except QueryCostError as error:
            execution.result = ExecutionResult(data=None, errors=error.errors)
            yield
            return
        context.complexity = cost.complexity
        context.mutations = cost.mutations
        charge = Cost(requests=1, complexity=cost.complexity, mutations=cost.mutations)
        decision = await context.rate_limits.consume(context.rate_limit_key, charge)
        context.charged = True
        if not decision.allowed:
            context.refused = decision
            execution.result = ExecutionResult(data=None, errors=refusal_errors(decision, charge))
        else:
            context.executed = True
        yield
