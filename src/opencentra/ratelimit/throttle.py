"""Slowing down password guessing: attempts per email and per client address.

In-process sliding windows: enough for one server process. With several
workers each counts on its own, so the effective limit is multiplied by the
number of workers (the Redis rate-limit store is the way to share it; not
wired here yet).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from opencentra.errors import DomainError


class TooManyAttempts(DomainError):
    """Refused for now; try again after ``retry_after`` seconds."""

    code = "throttled"

    def __init__(self, message: str, *, field: str | None = None, retry_after: float = 0.0) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limit:
    attempts: int
    seconds: float


class Throttle:
    """Counts attempts per key in a sliding window; thread-safe, never awaits."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}
        self._max_keys = max_keys

    def hit(self, key: str, limit: Limit, *, field: str) -> None:
        """Count an attempt, or raise ``TooManyAttempts`` without counting it."""
        now = self._clock()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                if len(self._hits) >= self._max_keys:
                    self._prune(now, limit.seconds)
                hits = self._hits[key] = deque()
            while hits and now - hits[0] >= limit.seconds:
                hits.popleft()
            if len(hits) >= limit.attempts:
                raise TooManyAttempts(
                    "too many attempts; try again later", field=field, retry_after=limit.seconds - (now - hits[0])
                )
            hits.append(now)

    def _prune(self, now: float, window: float) -> None:
        for key in [k for k, hits in self._hits.items() if not hits or now - hits[-1] >= window]:
            del self._hits[key]


# Logins and password resets: per email, and per client address.
LOGIN_PER_EMAIL = Limit(attempts=10, seconds=300)
LOGIN_PER_ADDRESS = Limit(attempts=50, seconds=300)
RESET_PER_EMAIL = Limit(attempts=3, seconds=900)
RESET_PER_ADDRESS = Limit(attempts=20, seconds=900)
