"""Plans: how many tokens each of Centra's six buckets holds.

Centra meters the Integration API with three kinds of limit (requests, summed
query complexity, mutation fields), each over two windows (10 seconds against
bursts, 1 hour against sustained load). A plan fixes the six quotas; the
buckets themselves live in a store.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from types import MappingProxyType


class LimitKind(StrEnum):
    """What a bucket counts. Values are Centra's ``RateLimitType`` enum names."""

    REQUEST_COUNT = "REQUEST_COUNT"
    QUERY_COMPLEXITY = "QUERY_COMPLEXITY"
    MUTATION_COUNT = "MUTATION_COUNT"


class Window(StrEnum):
    """Which window a bucket covers. Values are Centra's ``RateLimitInterval`` names."""

    TEN_SECONDS = "TEN_SECONDS"
    ONE_HOUR = "ONE_HOUR"


@dataclass(frozen=True, slots=True)
class Quota:
    """The capacity of one kind of limit in each window."""

    ten_seconds: int
    one_hour: int

    def __post_init__(self) -> None:
        for name in ("ten_seconds", "one_hour"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"Quota.{name} must be a non-negative int, got {value!r}")

    def for_window(self, window: Window) -> int:
        """The capacity for ``window``."""
        return self.ten_seconds if window is Window.TEN_SECONDS else self.one_hour


@dataclass(frozen=True, slots=True)
class Limit:
    """One bucket's rule: ``quota`` tokens, refilled evenly over ``interval_ms``.

    Time is kept in whole milliseconds and tokens in "token-milliseconds"
    (``capacity``) so that refill is integer arithmetic: the memory store, the
    Redis script and a reference model then agree exactly, with no float
    rounding at the edge of a bucket.

    ``ceiling`` marks a bucket of a store's ceiling (the instance-wide buckets
    every key also pays into), so that a refusal can say which one refused.
    """

    kind: LimitKind
    window: Window
    quota: int
    interval_ms: int
    ceiling: bool = False

    @property
    def interval(self) -> float:
        """The refill interval in seconds."""
        return self.interval_ms / 1000

    @property
    def capacity(self) -> int:
        """A full bucket in token-milliseconds: ``quota * interval_ms``."""
        return self.quota * self.interval_ms


_KINDS = (LimitKind.REQUEST_COUNT, LimitKind.QUERY_COMPLEXITY, LimitKind.MUTATION_COUNT)
_WINDOWS = (Window.TEN_SECONDS, Window.ONE_HOUR)


@dataclass(frozen=True, slots=True)
class Plan:
    """The six quotas of an instance. The defaults are Centra's **Growth** tier.

    centra.dev's current rate-limit page lists four tiers (Growth, Enhanced,
    High volume, Enterprise) and names Growth as the default, so ``Plan()`` is
    Growth: 60/10 s and 5,000/1 h requests, 250,000/10 s and 30,000,000/1 h
    complexity points, 20/10 s and 1,800/1 h mutation fields
    (spec ``graphql-integration-api.md`` §3.2, ``stack.md`` §5.1).

    ``ten_seconds_interval`` and ``one_hour_interval`` are the refill periods
    in seconds. They exist so that tests against a real Redis (whose clock we
    cannot move) can use a one-second window; production leaves them alone.
    """

    requests: Quota = Quota(ten_seconds=60, one_hour=5_000)
    complexity: Quota = Quota(ten_seconds=250_000, one_hour=30_000_000)
    mutations: Quota = Quota(ten_seconds=20, one_hour=1_800)
    ten_seconds_interval: float = 10.0
    one_hour_interval: float = 3600.0

    def __post_init__(self) -> None:
        for name in ("ten_seconds_interval", "one_hour_interval"):
            value = getattr(self, name)
            if not math.isfinite(value) or round(value * 1000) < 1:
                raise ValueError(f"Plan.{name} must be at least 0.001 seconds, got {value!r}")

    def quota(self, kind: LimitKind) -> Quota:
        """The quotas for one kind of limit."""
        if kind is LimitKind.REQUEST_COUNT:
            return self.requests
        if kind is LimitKind.QUERY_COMPLEXITY:
            return self.complexity
        return self.mutations

    def interval_ms(self, window: Window) -> int:
        """The refill period of ``window`` in whole milliseconds."""
        seconds = self.ten_seconds_interval if window is Window.TEN_SECONDS else self.one_hour_interval
        return round(seconds * 1000)

    def limits(self, *, ceiling: bool = False) -> tuple[Limit, ...]:
        """The six buckets, in the order Centra's ``rateLimits`` query lists them."""
        return tuple(
            Limit(kind, window, self.quota(kind).for_window(window), self.interval_ms(window), ceiling)
            for kind in _KINDS
            for window in _WINDOWS
        )

    def scaled(self, factor: int) -> Plan:
        """This plan with every quota multiplied by ``factor`` (same windows)."""
        if isinstance(factor, bool) or not isinstance(factor, int) or factor < 1:
            raise ValueError(f"a plan is scaled by a whole number of at least 1, got {factor!r}")

        def times(quota: Quota) -> Quota:
            return Quota(quota.ten_seconds * factor, quota.one_hour * factor)

        return replace(
            self, requests=times(self.requests), complexity=times(self.complexity), mutations=times(self.mutations)
        )


GROWTH = Plan()
"""Centra's default tier (centra.dev, current)."""

ENHANCED = Plan(
    requests=Quota(150, 20_000),
    complexity=Quota(900_000, 90_000_000),
    mutations=Quota(50, 4_500),
)
HIGH_VOLUME = Plan(
    requests=Quota(450, 40_000),
    complexity=Quota(1_800_000, 180_000_000),
    mutations=Quota(150, 7_000),
)
ENTERPRISE = Plan(
    requests=Quota(1_500, 85_000),
    complexity=Quota(4_000_000, 400_000_000),
    mutations=Quota(500, 25_000),
)
LEGACY_STANDARD = Plan(
    requests=Quota(40, 3_600),
    complexity=Quota(150_000, 20_000_000),
    mutations=Quota(20, 1_800),
)
"""The first-generation "standard limits" on centra.dev, before plan tiers."""

LEGACY_DOCS_EXAMPLE = Plan(
    requests=Quota(20, 10_000),
    complexity=Quota(150_000, 20_000_000),
    mutations=Quota(100, 1_000),
)
"""The 2023 docs' ``rateLimits`` example "for a fresh instance" (likely QA values)."""

PLANS: Mapping[str, Plan] = MappingProxyType(
    {
        "growth": GROWTH,
        "enhanced": ENHANCED,
        "high-volume": HIGH_VOLUME,
        "enterprise": ENTERPRISE,
        "legacy-standard": LEGACY_STANDARD,
        "legacy-docs-example": LEGACY_DOCS_EXAMPLE,
    }
)
"""Presets by name, for configuration files and the CLI."""
