"""Centra's rate limits, charged after the document is bounded and before it is validated.

``RateLimitExtension.on_validate`` runs once the parser (``MAX_TOKENS``) and
``guards.DocumentGuard`` have bounded the document, and before graphql-core
validates it. It costs the operation with ``cost.query_cost`` (Centra's
published rule) and charges one request, the complexity and one mutation per
mutation field to the buckets at once. A refusal ends the request there:
neither validation nor any resolver runs, and the HTTP layer turns
``context.refused`` into a 429 (or a 400 when the cost can never fit).

Charging before validation means that a client over its quota cannot make the
server validate its documents. The price: a document that then fails
validation has been charged its complexity too, like one that runs. A
document that cannot be costed before validation (an undefined variable, an
argument of the wrong type) is costed by ``on_execute`` once validation has
passed, and charged one request by the HTTP layer if it does not pass.

Scope (``make_store``, ``rate_limit_key``): by default each integration name
has the plan's six buckets, and all of them together pay into instance-wide
buckets of ``INSTANCE_CEILING`` times the plan; with
``ratelimit_per_integration`` off, one plan for the whole instance (Centra).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import AsyncIterator

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension

from opencentra.api.graphql.context import GraphQLContext
from opencentra.api.graphql.cost import QueryCost, QueryCostError, query_cost
from opencentra.config import Settings
from opencentra.integration import TokenView
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

INSTANCE_CEILING = 2
"""With per-integration quotas, what all integrations together may spend, in plans.

Each integration gets the whole plan (what Centra gives an instance, and what
``rateLimits`` shows it), so a lone ERP runs exactly as on Centra. No one
integration can take more than half the ceiling, so any single noisy token
leaves the others at least a full plan; the instance as a whole serves at most
twice its plan. See docs/compatibility/graphql.md.
"""


def make_store(settings: Settings) -> RateLimitStore:
    """In-process buckets for one worker, Redis when the instance has one."""
    plan = PLANS[settings.ratelimit_plan]
    ceiling = plan.scaled(INSTANCE_CEILING) if settings.ratelimit_per_integration else None
    if settings.redis_url:
        from redis.asyncio import Redis

        return RedisRateLimitStore(Redis.from_url(settings.redis_url), plan, ceiling=ceiling)
    return MemoryRateLimitStore(plan, ceiling=ceiling)


def rate_limit_key(settings: Settings, token: TokenView) -> str:
    """One quota per integration name (the default), or one for the instance (Centra)."""
    if not settings.ratelimit_per_integration:
        return GLOBAL_KEY
    digest = hashlib.sha256(token.name.encode()).hexdigest()[:24]
    return f"integration:{digest}"


def refusal_errors(decision: Decision, cost: Cost) -> list[GraphQLError]:
    """The GraphQL error for a refused request, naming the buckets that refused."""
    names = ", ".join(
        f"{limit.kind.value}/{limit.window.value}{' instance-wide' if limit.ceiling else ''}"
        for limit in decision.exceeded
    )
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
    """Cost the operation, charge the buckets, or stop before validation and resolvers."""

    async def on_validate(self) -> AsyncIterator[None]:
        execution = self.execution_context
        if execution.pre_execution_errors is None:  # the guard let the document through
            document = execution.graphql_document
            assert document is not None
            context: GraphQLContext = execution.context
            try:
                cost = query_cost(execution.schema._schema, document, execution.variables, context.operation_name)
            except QueryCostError:
                pass  # validation says what is wrong, or on_execute costs it once valid
            else:
                refused = await _charge(context, cost)
                if refused:
                    # Set before graphql-core's validation, which then does not run at all.
                    execution.pre_execution_errors = refused
        yield

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context: GraphQLContext = execution.context
        if not context.charged:
            document = execution.graphql_document
            assert document is not None
            try:
                cost = query_cost(execution.schema._schema, document, execution.variables, context.operation_name)
            except QueryCostError as error:
                execution.result = ExecutionResult(data=None, errors=error.errors)
                yield
                return
            refused = await _charge(context, cost)
            if refused:
                execution.result = ExecutionResult(data=None, errors=refused)
                yield
                return
        context.executed = True
        yield


async def _charge(context: GraphQLContext, cost: QueryCost) -> list[GraphQLError]:
    """Charge one request and ``cost`` to the caller's buckets; the errors if refused, else none."""
    context.complexity = cost.complexity
    context.mutations = cost.mutations
    charge = Cost(requests=1, complexity=cost.complexity, mutations=cost.mutations)
    decision = await context.rate_limits.consume(context.rate_limit_key, charge)
    context.charged = True
    if decision.allowed:
        return []
    context.refused = decision
    return refusal_errors(decision, charge)
