"""Slowing down password guessing, without letting anyone lock a shopper out.

What counts is *failures* (a wrong password, a bad reset or verification
link), never successes, plus every request that sends mail. An attempt is
counted when it starts, so a burst of parallel guesses cannot all pass the
check before the first failure is recorded, and taken back when it succeeds.

Each attempt is counted under two keys, which answer differently:

- **The client address**: the real client, behind the proxies trusted with
  ``serve --forwarded-allow-ips``. Past ``Policy.per_address`` failures in
  the window, that address's attempts are refused (``TooManyAttempts``: 429
  with ``Retry-After``) until the window ends. Only failures from that
  address count against it, so one client cannot refuse another.
- **The account** (store and email). Never a refusal, so nobody can aim a
  lock-out at a shopper's correct password: past ``Policy.per_account``
  failures, each further attempt for the account *waits* before the
  password is checked (``Backoff``: 1 s, 2 s, 4 s ... at most 16 s) and is
  then answered as usual; the right password still logs in. Mail requests
  past the account's limit are answered as usual but send nothing: the
  links already sent all went to the account's owner.

The counts are fixed windows in a ``CounterStore``: ``MemoryCounterStore``
for one worker process, ``RedisCounterStore`` (``--redis``) to share them
between every worker and instance, as the GraphQL rate limits do. Keys hold
SHA-256 digests, never an email or an address in clear.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from opencentra.errors import DomainError
from opencentra.ratelimit._clock import Clock, MonotonicClock
from opencentra.ratelimit._store import check_key

if TYPE_CHECKING:
    from redis.asyncio import Redis

DEFAULT_PREFIX = "opencentra:throttle"


class TooManyAttempts(DomainError):
    """Refused for now; try again after ``retry_after`` seconds."""

    code = "throttled"

    def __init__(self, message: str, *, field: str | None = None, retry_after: float = 0.0) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after


# --- the counters -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Count:
    """A key's count in its current window, and the seconds until that window ends."""

    value: int
    resets_in: float


class CounterStore(Protocol):
    """Fixed-window counters: the seam between the throttle and where counts live."""

    async def add(self, key: str, amount: int, window: float) -> Count:
        """Add ``amount`` to ``key`` and return its count.

        A key's window opens with its first count and lasts ``window``
        seconds; after it the count starts again from zero. A negative
        amount takes counts back, never below zero, and opens no window.
        """
        ...


class MemoryCounterStore:
    """Counts in process memory: right for one worker process only.

    A ``threading.Lock`` guards the dict, as in ``MemoryRateLimitStore``: the
    critical section never awaits. At ``max_keys`` keys, expired windows are
    dropped first, then the oldest keys, so the memory stays bounded.
    """

    def __init__(self, clock: Clock | None = None, *, max_keys: int = 100_000) -> None:
        self._clock: Clock = clock if clock is not None else MonotonicClock()
        self._lock = threading.Lock()
        # key -> (count, the time its window ends)
        self._counts: dict[str, tuple[int, float]] = {}
        self._max_keys = max_keys

    def __len__(self) -> int:
        return len(self._counts)

    async def add(self, key: str, amount: int, window: float) -> Count:
        """See ``CounterStore.add``."""
        check_key(key)
        now = self._clock.now()
        with self._lock:
            count, ends = self._counts.get(key, (0, now))
            if ends <= now:
                count, ends = 0, now + window
            count = max(0, count + amount)
            if count == 0:
                self._counts.pop(key, None)
                return Count(0, 0.0)
            if key not in self._counts and len(self._counts) >= self._max_keys:
                self._make_room(now)
            self._counts[key] = (count, ends)
            return Count(count, ends - now)

    def _make_room(self, now: float) -> None:
        for key in [k for k, (_, ends) in self._counts.items() if ends <= now]:
            del self._counts[key]
        while len(self._counts) >= self._max_keys:
            del self._counts[next(iter(self._counts))]


# KEYS[1]: the counter. ARGV[1]: the amount, ARGV[2]: the window in ms.
# Replies {count, ms until the window ends}. A new window is SET with PX, so
# the key expires exactly when its window ends; the server's clock decides.
_ADD_SCRIPT = """
local amount = tonumber(ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  if amount <= 0 then
    redis.call('DEL', KEYS[1])
    return {0, 0}
  end
  redis.call('SET', KEYS[1], amount, 'PX', ARGV[2])
  return {amount, tonumber(ARGV[2])}
end
local count = redis.call('INCRBY', KEYS[1], amount)
if count <= 0 then
  redis.call('DEL', KEYS[1])
  return {0, 0}
end
return {count, ttl}
"""


class RedisCounterStore:
    """Counts in Redis, shared by every worker and instance; one atomic script per change.

    Each counter is a string at ``<prefix>:<key>`` that expires when its
    window ends. ``prefix`` replaces ``opencentra:throttle`` (tests, or two
    deployments on one Redis).
    """

    def __init__(self, redis: Redis, *, prefix: str = DEFAULT_PREFIX) -> None:
        self._prefix = prefix
        self._script = redis.register_script(_ADD_SCRIPT)

    def redis_key(self, key: str) -> str:
        """Where ``key``'s count lives."""
        return f"{self._prefix}:{check_key(key)}"

    async def add(self, key: str, amount: int, window: float) -> Count:
        """See ``CounterStore.add``."""
        window_ms = max(1, round(window * 1000))
        reply = await self._script(keys=[self.redis_key(key)], args=[amount, window_ms])
        if not isinstance(reply, Sequence) or len(reply) != 2:
            raise RuntimeError(f"unexpected throttle script reply: {reply!r}")
        return Count(int(reply[0]), int(reply[1]) / 1000)


# --- the rules ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Limit:
    """``count`` within a window of ``seconds``."""

    count: int
    seconds: float


@dataclass(frozen=True, slots=True)
class Policy:
    """The limits of one kind of attempt; ``name`` keeps its counts apart from other kinds'."""

    name: str
    per_address: Limit
    per_account: Limit | None = None


@dataclass(frozen=True, slots=True)
class Backoff:
    """How long an attempt waits once its account is past its free failures: doubling, capped."""

    first: float = 1.0
    most: float = 16.0

    def delay(self, past_limit: int) -> float:
        """The wait of the ``past_limit``-th attempt beyond the account's limit (0 for none)."""
        if past_limit <= 0:
            return 0.0
        return min(self.most, self.first * (1 << min(past_limit - 1, 32)))


LOGIN = Policy("login", per_address=Limit(50, 300), per_account=Limit(5, 900))
"""Logins and password changes: 50 failures per address per 5 minutes; an account slows down after 5 in 15."""
RESET_MAIL = Policy("reset-mail", per_address=Limit(20, 900), per_account=Limit(3, 900))
"""Reset links: 20 requests per address, and at most 3 mails per account, per 15 minutes."""
RESET_LINK = Policy("reset-link", per_address=Limit(20, 900))
"""Using a reset link: 20 bad links per address per 15 minutes."""
VERIFY_MAIL = Policy("verify-mail", per_address=Limit(20, 900), per_account=Limit(3, 900))
"""Email verification links: as reset links."""
VERIFY_LINK = Policy("verify-link", per_address=Limit(20, 900))
"""Using a verification link: as reset links."""

Sleep = Callable[[float], Awaitable[None]]


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def account_key(store_id: int, email: str) -> str:
    """The account an attempt is for: the store and the email as shoppers type it (case and spaces ignored)."""
    return f"{store_id}:{email.strip().lower()}"


class Throttle:
    """The counting and the answers; ``sleep`` is the seam where tests record the waits."""

    def __init__(self, store: CounterStore, *, backoff: Backoff | None = None, sleep: Sleep = asyncio.sleep) -> None:
        self.store = store
        self.backoff = backoff if backoff is not None else Backoff()
        self._sleep = sleep

    @asynccontextmanager
    async def attempt(
        self, policy: Policy, *, address: str | None, account: str | None = None, field: str = "email"
    ) -> AsyncIterator[None]:
        """Guard one password or link check: a block that raises is a failure, one that returns is not.

        Before the block: refuses (``TooManyAttempts`` on ``field``) when the
        address is past its failures, and waits when the account is.
        """
        counted = [await self._count_address(policy, address, field)]
        if account is not None and policy.per_account is not None:
            limit = policy.per_account
            key = f"{policy.name}:account:{_digest(account)}"
            count = await self.store.add(key, 1, limit.seconds)
            counted.append((key, limit))
            # ``count`` includes this attempt: with a limit of 5, the 6th is the first past it.
            delay = self.backoff.delay(count.value - limit.count)
            if delay > 0:
                await self._sleep(delay)
        yield
        for found in counted:
            if found is not None:
                key, limit = found
                await self.store.add(key, -1, limit.seconds)

    async def request(self, policy: Policy, *, address: str | None, account: str | None = None) -> bool:
        """Count a request that sends mail; False when the account had its mails for now (send nothing).

        Refuses (``TooManyAttempts`` on ``email``) when the address is past its limit.
        """
        await self._count_address(policy, address, "email")
        if account is None or policy.per_account is None:
            return True
        limit = policy.per_account
        count = await self.store.add(f"{policy.name}:account:{_digest(account)}", 1, limit.seconds)
        return count.value <= limit.count

    async def _count_address(self, policy: Policy, address: str | None, field: str) -> tuple[str, Limit] | None:
        if not address:
            return None
        limit = policy.per_address
        key = f"{policy.name}:address:{_digest(address)}"
        count = await self.store.add(key, 1, limit.seconds)
        if count.value > limit.count:
            await self.store.add(key, -1, limit.seconds)
            raise TooManyAttempts("too many attempts; try again later", field=field, retry_after=count.resets_in)
        return key, limit


def throttle_for(redis_url: str | None) -> Throttle:
    """Counts in Redis when the instance has one (shared by all processes), else in this process."""
    if redis_url:
        from redis.asyncio import Redis

        return Throttle(RedisCounterStore(Redis.from_url(redis_url)))
    return Throttle(MemoryCounterStore())


class Throttles:
    """An app's throttle, made on first use for the Redis URL of its settings (None: memory).

    An adapter learns its app's settings only from requests, so it cannot
    choose the store when it is built.
    """

    def __init__(self, make: Callable[[str | None], Throttle] = throttle_for) -> None:
        self._make = make
        self._lock = threading.Lock()
        self._made: dict[str | None, Throttle] = {}

    def get(self, redis_url: str | None) -> Throttle:
        """The throttle for ``redis_url``, the same one every time."""
        with self._lock:
            found = self._made.get(redis_url)
            if found is None:
                found = self._made[redis_url] = self._make(redis_url)
            return found
