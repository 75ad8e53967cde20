"""Clocks: the seam that lets tests move time instead of sleeping."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """A source of seconds. Only differences between readings matter."""

    def now(self) -> float:
        """The current time in seconds."""
        ...


class MonotonicClock:
    """The process's monotonic clock: immune to wall-clock jumps (NTP, DST).

    Fine for the memory store, whose buckets never leave the process. The
    Redis store ignores app clocks altogether and uses the server's ``TIME``.
    """

    def now(self) -> float:
        """``time.monotonic()``."""
        return time.monotonic()


class ManualClock:
    """A clock that moves only when told to, for exact, sleep-free tests."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start

    def now(self) -> float:
        """The time last set or advanced to."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move forward by ``seconds`` (never backwards: real clocks here do not)."""
        if seconds < 0:
            raise ValueError(f"cannot advance a clock by a negative amount ({seconds!r})")
        self._now += seconds
