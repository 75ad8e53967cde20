"""Plans and costs: Centra's numbers and the values we refuse."""

from __future__ import annotations

import pickle

import pytest

from opencentra.ratelimit import (
    GROWTH,
    LEGACY_STANDARD,
    PLANS,
    Cost,
    Limit,
    LimitKind,
    Plan,
    Quota,
    Window,
)


def test_default_plan_is_centras_growth_tier() -> None:
    plan = Plan()
    assert plan == GROWTH
    assert plan.requests == Quota(ten_seconds=60, one_hour=5_000)
    assert plan.complexity == Quota(ten_seconds=250_000, one_hour=30_000_000)
    assert plan.mutations == Quota(ten_seconds=20, one_hour=1_800)


def test_limits_are_six_in_rate_limits_query_order() -> None:
    assert Plan().limits() == (
        Limit(LimitKind.REQUEST_COUNT, Window.TEN_SECONDS, 60, 10_000),
        Limit(LimitKind.REQUEST_COUNT, Window.ONE_HOUR, 5_000, 3_600_000),
        Limit(LimitKind.QUERY_COMPLEXITY, Window.TEN_SECONDS, 250_000, 10_000),
        Limit(LimitKind.QUERY_COMPLEXITY, Window.ONE_HOUR, 30_000_000, 3_600_000),
        Limit(LimitKind.MUTATION_COUNT, Window.TEN_SECONDS, 20, 10_000),
        Limit(LimitKind.MUTATION_COUNT, Window.ONE_HOUR, 1_800, 3_600_000),
    )


def test_limit_units() -> None:
    limit = Limit(LimitKind.REQUEST_COUNT, Window.TEN_SECONDS, 60, 10_000)
    assert limit.interval == 10.0
    assert limit.capacity == 600_000


def test_presets_by_name() -> None:
    assert PLANS["growth"] is GROWTH
    assert PLANS["legacy-standard"] is LEGACY_STANDARD
    assert LEGACY_STANDARD.requests == Quota(40, 3_600)
    assert set(PLANS) == {"growth", "enhanced", "high-volume", "enterprise", "legacy-standard", "legacy-docs-example"}


def test_test_plans_may_shorten_the_windows() -> None:
    plan = Plan(ten_seconds_interval=1.0, one_hour_interval=2.5)
    assert plan.interval_ms(Window.TEN_SECONDS) == 1_000
    assert plan.interval_ms(Window.ONE_HOUR) == 2_500


@pytest.mark.parametrize("bad", [-1, 1.5, True, "3"])
def test_quota_must_be_a_non_negative_int(bad: object) -> None:
    with pytest.raises(ValueError, match="non-negative int"):
        Quota(ten_seconds=bad, one_hour=1)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [0.0, 0.0004, -1.0, float("inf"), float("nan")])
def test_interval_must_be_at_least_a_millisecond(bad: float) -> None:
    with pytest.raises(ValueError, match=r"at least 0\.001 seconds"):
        Plan(ten_seconds_interval=bad)


def test_cost_defaults_to_one_request() -> None:
    assert Cost() == Cost(requests=1, complexity=0, mutations=0)
    cost = Cost(complexity=5550, mutations=8)
    assert [cost.amount(kind) for kind in LimitKind] == [1, 5550, 8]


@pytest.mark.parametrize("bad", [-1, 2.0, False])
def test_cost_must_be_non_negative_ints(bad: object) -> None:
    with pytest.raises(ValueError, match="non-negative int"):
        Cost(complexity=bad)  # type: ignore[arg-type]


def test_plans_pickle() -> None:
    """Plans cross process boundaries (the multiprocess Redis test sends one)."""
    assert pickle.loads(pickle.dumps(GROWTH)) == GROWTH
