"""The token-bucket rule itself: refill, check all six buckets, charge or refuse.

Every store keeps, per bucket, a *level* in token-milliseconds and the time in
milliseconds it was last written. This module is the single definition of
what those numbers mean; the memory store calls it directly and the Redis
Lua script mirrors ``refill`` and the all-or-nothing check line by line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from opencentra.ratelimit._plan import Limit, LimitKind, Window


@dataclass(frozen=True, slots=True)
class Cost:
    """What one request takes from the buckets.

    ``mutations`` counts mutation *fields*, aliases included: Centra charges
    eight aliased ``createProduct`` calls in one request as 8 mutations and 1
    request. ``complexity`` is the pre-execution query cost.
    """

    requests: int = 1
    complexity: int = 0
    mutations: int = 0

    def __post_init__(self) -> None:
        for name in ("requests", "complexity", "mutations"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"Cost.{name} must be a non-negative int, got {value!r}")

    def amount(self, kind: LimitKind) -> int:
        """Tokens this cost takes from a bucket of ``kind``."""
        if kind is LimitKind.REQUEST_COUNT:
            return self.requests
        if kind is LimitKind.QUERY_COMPLEXITY:
            return self.complexity
        return self.mutations


NOTHING = Cost(requests=0)
"""A cost that charges nothing: checking it reads the buckets without changing them."""


class Verdict(StrEnum):
    """The outcome of a check."""

    ALLOWED = "allowed"
    THROTTLED = "throttled"
    """Some bucket is short right now; ``Decision.retry_after`` says for how long."""
    EXCEEDS_QUOTA = "exceeds_quota"
    """The cost is larger than a bucket's whole quota, so waiting will never help."""


@dataclass(frozen=True, slots=True)
class BucketState:
    """One bucket as Centra's ``rateLimits`` query reports it.

    ``remaining`` is the whole tokens available now (fractions from continuous
    refill are rounded down) and ``used`` is the rest, so that
    ``quota == used + remaining`` always holds, as Centra documents.
    """

    kind: LimitKind
    window: Window
    interval: float
    quota: int
    used: int
    remaining: int


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer to "may this request run?" and what the buckets look like after.

    ``retry_after`` is seconds until every refusing bucket holds enough tokens
    (``0.0`` when allowed, ``None`` when the cost exceeds a quota and can never
    pass). ``exceeded`` names the buckets that refused: for ``EXCEEDS_QUOTA``
    only those whose quota is too small. ``states`` are the six buckets after
    the decision; a refused request leaves every bucket untouched.
    """

    verdict: Verdict
    retry_after: float | None
    exceeded: tuple[Limit, ...]
    states: tuple[BucketState, ...]

    @property
    def allowed(self) -> bool:
        """Whether the request was admitted and charged."""
        return self.verdict is Verdict.ALLOWED


def refill(limit: Limit, level: int, last_ms: int, now_ms: int) -> int:
    """The level ``now_ms`` after a bucket stood at ``level`` at ``last_ms``.

    Refill is ``quota`` token-milliseconds per millisecond, capped at a full
    bucket. Elapsed time is clamped to ``[0, interval_ms]``: a clock that went
    backwards refills nothing, and one interval already fills any bucket (which
    is also why Redis may expire a bucket one interval after its last write).
    """
    elapsed = min(max(now_ms - last_ms, 0), limit.interval_ms)
    return min(limit.capacity, level + elapsed * limit.quota)


def bucket_state(limit: Limit, level: int) -> BucketState:
    """Report a level the way ``rateLimits`` does."""
    remaining = level // limit.interval_ms
    return BucketState(
        kind=limit.kind,
        window=limit.window,
        interval=limit.interval,
        quota=limit.quota,
        used=limit.quota - remaining,
        remaining=remaining,
    )


def decide(limits: Sequence[Limit], levels: Sequence[int], cost: Cost) -> tuple[Decision, tuple[int, ...]]:
    """Check ``cost`` against every bucket at once; charge all or none.

    ``levels`` are the refilled levels now. Returns the decision and the
    levels to store (the same levels when refused).
    """
    if len(limits) != len(levels):
        raise ValueError("one level per limit")
    needs = [cost.amount(limit.kind) * limit.interval_ms for limit in limits]
    too_big = tuple(limit for limit in limits if cost.amount(limit.kind) > limit.quota)
    short = [(limit, need - level) for limit, level, need in zip(limits, levels, needs, strict=True) if need > level]
    if too_big or short:
        states = tuple(bucket_state(limit, level) for limit, level in zip(limits, levels, strict=True))
        if too_big:
            return Decision(Verdict.EXCEEDS_QUOTA, None, too_big, states), tuple(levels)
        # quota > 0 here: a short bucket needs tokens, and its cost fits its quota.
        wait_ms = max(-(-deficit // limit.quota) for limit, deficit in short)
        exceeded = tuple(limit for limit, _ in short)
        return Decision(Verdict.THROTTLED, wait_ms / 1000, exceeded, states), tuple(levels)
    charged = tuple(level - need for level, need in zip(levels, needs, strict=True))
    states = tuple(bucket_state(limit, level) for limit, level in zip(limits, charged, strict=True))
    return Decision(Verdict.ALLOWED, 0.0, (), states), charged


def fold(decision: Decision, width: int) -> Decision:
    """Report a check of a key's ``width`` buckets followed by its ceiling's as the key's buckets.

    Each of the key's buckets shows no more remaining tokens than the ceiling
    bucket of its kind and window holds: what the key can spend now. ``used``
    is the rest of its own quota, so ``quota == used + remaining`` still holds.
    ``exceeded`` keeps the ceiling's limits (marked ``Limit.ceiling``).
    """
    if len(decision.states) == width:
        return decision
    own, shared = decision.states[:width], decision.states[width:]
    return replace(decision, states=tuple(_capped(mine, top) for mine, top in zip(own, shared, strict=True)))


def _capped(own: BucketState, ceiling: BucketState) -> BucketState:
    remaining = min(own.remaining, ceiling.remaining)
    return replace(own, used=own.quota - remaining, remaining=remaining)
