from __future__ import annotations

import pytest

from opencentra.ratelimit.throttle import Limit, Throttle, TooManyAttempts


def test_sliding_window_per_key() -> None:
    now = [0.0]
    throttle = Throttle(clock=lambda: now[0])
    limit = Limit(attempts=3, seconds=60)
    for _ in range(3):
        throttle.hit("a", limit, field="email")
    with pytest.raises(TooManyAttempts) as refused:
        throttle.hit("a", limit, field="email")
    assert refused.value.field == "email"
    assert refused.value.retry_after == pytest.approx(60)
    throttle.hit("b", limit, field="email")  # another key is not affected
    now[0] = 59.9
    with pytest.raises(TooManyAttempts):
        throttle.hit("a", limit, field="email")
    now[0] = 60.0
    throttle.hit("a", limit, field="email")


def test_many_keys_are_pruned() -> None:
    now = [0.0]
    throttle = Throttle(clock=lambda: now[0], max_keys=10)
    limit = Limit(attempts=1, seconds=1)
    for key in range(10):
        throttle.hit(str(key), limit, field="email")
    now[0] = 5.0
    throttle.hit("new", limit, field="email")
    assert len(throttle._hits) == 1
