"""The memory store against a reference model written straight from Centra's description.

The model keeps each bucket's tokens as an exact ``Fraction`` and refills them
by ``quota * elapsed / interval``; it shares no arithmetic with the store
(which works in integer token-milliseconds). Hypothesis drives both with the
same random plans, time steps and costs and compares every decision.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from fractions import Fraction

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from opencentra.ratelimit import (
    GLOBAL_KEY,
    Cost,
    Decision,
    LimitKind,
    ManualClock,
    MemoryRateLimitStore,
    Plan,
    Quota,
    Verdict,
    Window,
)


@dataclass
class _Bucket:
    kind: LimitKind
    window: Window
    quota: int
    interval_ms: int
    tokens: Fraction
    last_ms: int


@dataclass(frozen=True)
class _Outcome:
    verdict: Verdict
    exceeded: frozenset[tuple[LimitKind, Window]]
    retry_ms: int | None
    remaining: tuple[int, ...]


class ReferenceLimiter:
    """Six token buckets: start full, refill continuously, charge all or none."""

    def __init__(self, plan: Plan) -> None:
        self.buckets = [
            _Bucket(limit.kind, limit.window, limit.quota, limit.interval_ms, Fraction(limit.quota), 0)
            for limit in plan.limits()
        ]

    def _refill(self, now_ms: int) -> None:
        for bucket in self.buckets:
            gained = Fraction(bucket.quota * (now_ms - bucket.last_ms), bucket.interval_ms)
            bucket.tokens = min(Fraction(bucket.quota), bucket.tokens + gained)
            bucket.last_ms = now_ms

    def remaining(self, now_ms: int) -> tuple[int, ...]:
        self._refill(now_ms)
        return tuple(math.floor(bucket.tokens) for bucket in self.buckets)

    def consume(self, now_ms: int, cost: Cost) -> _Outcome:
        self._refill(now_ms)
        wanted = [cost.amount(bucket.kind) for bucket in self.buckets]
        too_big = {(b.kind, b.window) for b, want in zip(self.buckets, wanted, strict=True) if want > b.quota}
        if too_big:
            return _Outcome(Verdict.EXCEEDS_QUOTA, frozenset(too_big), None, self.remaining(now_ms))
        short = [(b, want) for b, want in zip(self.buckets, wanted, strict=True) if want > b.tokens]
        if short:
            wait = max((want - b.tokens) * b.interval_ms / b.quota for b, want in short)
            exceeded = frozenset((b.kind, b.window) for b, _ in short)
            return _Outcome(Verdict.THROTTLED, exceeded, math.ceil(wait), self.remaining(now_ms))
        for bucket, want in zip(self.buckets, wanted, strict=True):
            bucket.tokens -= want
        return _Outcome(Verdict.ALLOWED, frozenset(), 0, self.remaining(now_ms))


def _outcome(decision: Decision) -> _Outcome:
    retry_ms = None if decision.retry_after is None else round(decision.retry_after * 1000)
    exceeded = frozenset((limit.kind, limit.window) for limit in decision.exceeded)
    return _Outcome(decision.verdict, exceeded, retry_ms, tuple(state.remaining for state in decision.states))


def _quota(short: int, long: int) -> st.SearchStrategy[Quota]:
    return st.builds(Quota, st.integers(0, short), st.integers(0, long))


_plans = st.builds(
    Plan,
    requests=_quota(8, 40),
    complexity=_quota(2_000, 9_000),
    mutations=_quota(5, 30),
    ten_seconds_interval=st.integers(1, 20_000).map(lambda ms: ms / 1000),
    one_hour_interval=st.integers(1, 200_000).map(lambda ms: ms / 1000),
)


class MemoryStoreMatchesReference(RuleBasedStateMachine):
    """Random plans, clock steps and costs: the store and the model never disagree."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.now_ms = 0

    @initialize(plan=_plans)
    def start(self, plan: Plan) -> None:
        self.clock = ManualClock()
        self.store = MemoryRateLimitStore(plan, self.clock)
        self.reference = ReferenceLimiter(plan)

    @rule(ms=st.one_of(st.integers(0, 50), st.integers(0, 30_000)))
    def time_passes(self, ms: int) -> None:
        self.now_ms += ms
        self.clock.advance(ms / 1000)

    @rule(
        requests=st.integers(0, 2),
        complexity=st.one_of(st.just(0), st.integers(0, 2_500)),
        mutations=st.integers(0, 6),
    )
    def consume(self, requests: int, complexity: int, mutations: int) -> None:
        cost = Cost(requests=requests, complexity=complexity, mutations=mutations)
        decision = self.loop.run_until_complete(self.store.consume(GLOBAL_KEY, cost))
        assert _outcome(decision) == self.reference.consume(self.now_ms, cost)

    @invariant()
    def snapshots_agree(self) -> None:
        if not hasattr(self, "store"):
            return
        states = self.loop.run_until_complete(self.store.snapshot(GLOBAL_KEY))
        assert tuple(state.remaining for state in states) == self.reference.remaining(self.now_ms)
        assert all(state.used + state.remaining == state.quota for state in states)

    def teardown(self) -> None:
        self.loop.close()


# No deadline: a step is microseconds, but a loaded CI machine should not turn that into a flaky failure.
MemoryStoreMatchesReference.TestCase.settings = settings(deadline=None)
TestMemoryStoreMatchesReference = MemoryStoreMatchesReference.TestCase
