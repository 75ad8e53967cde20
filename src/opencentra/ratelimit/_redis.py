"""Buckets in Redis, shared by every worker and instance of OpenCentra.

One Lua script reads all six buckets, refills them, and charges them only if
every one can pay, in a single atomic round trip. Checking the buckets one
command at a time would charge the request bucket even when the complexity
bucket then refuses (the flaw ``stack.md`` §5.2 found in the ``limits``
library). The script reads the Redis server's ``TIME``, so the app servers'
clocks never need to agree.

Layout: each bucket is a hash ``{tok, ts}`` at
``opencentra:rl:{<key>}:<KIND>:<WINDOW>``, where ``tok`` is the level in
token-milliseconds and ``ts`` the server time of the last write in ms. The
braces make ``<key>`` a Redis Cluster hash tag, so the six keys of one script
call always share a slot. Each hash expires one interval after its last
write, when it would be full anyway, so idle keys clean themselves up.

With a ceiling, one script call covers twelve buckets: the key's six and
``GLOBAL_KEY``'s. All of them then carry the hash tag ``{global}`` so that they
share a slot: ``opencentra:rl:{global}:<KIND>:<WINDOW>`` for the ceiling and
``opencentra:rl:{global}:<key>:<KIND>:<WINDOW>`` for every other key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from opencentra.ratelimit._bucket import NOTHING, BucketState, Cost, Decision, decide, fold
from opencentra.ratelimit._plan import Limit, Plan
from opencentra.ratelimit._store import GLOBAL_KEY, check_key, scopes

if TYPE_CHECKING:
    from redis.asyncio import Redis

DEFAULT_PREFIX = "opencentra:rl"

# Lua numbers are doubles: integers are exact only up to 2**53.
_MAX_EXACT = 2**53

# KEYS[i]: bucket i. ARGV[3i-2], ARGV[3i-1], ARGV[3i]: its quota, interval (ms)
# and the tokens this request takes from it. Replies {admitted, level_1..n}
# with the levels before charging; Python derives the Decision from them. Mirrors _bucket.refill and
# _bucket.decide; see there for the arithmetic. Numbers are written and
# returned with %.0f because Lua's tostring (and Redis's own number-to-reply
# conversion) would print large levels in exponent form and lose digits.
_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local levels = {}
local ok = 1
for i = 1, #KEYS do
  local quota = tonumber(ARGV[3 * i - 2])
  local interval = tonumber(ARGV[3 * i - 1])
  local cost = tonumber(ARGV[3 * i])
  local capacity = quota * interval
  local level = capacity
  local state = redis.call('HMGET', KEYS[i], 'tok', 'ts')
  if state[1] and state[2] then
    local elapsed = now - tonumber(state[2])
    if elapsed < 0 then elapsed = 0 end
    if elapsed > interval then elapsed = interval end
    level = math.min(capacity, tonumber(state[1]) + elapsed * quota)
  end
  levels[i] = level
  if cost > quota or cost * interval > level then ok = 0 end
end
if ok == 1 then
  for i = 1, #KEYS do
    local interval = tonumber(ARGV[3 * i - 1])
    local cost = tonumber(ARGV[3 * i])
    if cost > 0 then
      redis.call('HSET', KEYS[i],
        'tok', string.format('%.0f', levels[i] - cost * interval),
        'ts', string.format('%.0f', now))
      redis.call('PEXPIRE', KEYS[i], interval)
    end
  end
end
local reply = {ok}
for i = 1, #KEYS do reply[#reply + 1] = string.format('%.0f', levels[i]) end
return reply
"""


class RedisRateLimitStore:
    """A ``RateLimitStore`` in Redis, for several workers or instances.

    Pass a ``redis.asyncio.Redis`` client (``decode_responses`` either way).
    ``prefix`` replaces ``opencentra:rl``, e.g. to share one Redis between
    deployments or to isolate tests. With a ``ceiling`` plan, every key but
    ``GLOBAL_KEY`` also pays into ``GLOBAL_KEY``'s buckets, which hold the
    ceiling's quotas (see ``_store``).
    """

    def __init__(
        self, redis: Redis, plan: Plan | None = None, *, prefix: str = DEFAULT_PREFIX, ceiling: Plan | None = None
    ) -> None:
        self._plan = plan if plan is not None else Plan()
        self._limits = self._plan.limits()
        self._ceiling = ceiling
        self._ceiling_limits = ceiling.limits(ceiling=True) if ceiling is not None else None
        for limit in (*self._limits, *(self._ceiling_limits or ())):
            if limit.capacity > _MAX_EXACT:
                raise ValueError(
                    f"{limit.kind}/{limit.window}: quota x interval ({limit.capacity}) "
                    "is too large for exact arithmetic in Redis Lua"
                )
        self._prefix = prefix
        self._script = redis.register_script(_SCRIPT)

    @property
    def plan(self) -> Plan:
        """The quotas of each key."""
        return self._plan

    @property
    def ceiling(self) -> Plan | None:
        """The quotas all keys share, if any."""
        return self._ceiling

    def bucket_keys(self, key: str) -> list[str]:
        """The Redis keys of the six buckets of ``key``, in ``Plan.limits()`` order."""
        check_key(key)
        if self._ceiling is None:
            base = f"{self._prefix}:{{{key}}}"
        elif key == GLOBAL_KEY:
            base = f"{self._prefix}:{{{GLOBAL_KEY}}}"
        else:
            base = f"{self._prefix}:{{{GLOBAL_KEY}}}:{key}"
        return [f"{base}:{limit.kind}:{limit.window}" for limit in self._limits]

    async def consume(self, key: str, cost: Cost) -> Decision:
        """Charge ``cost`` to every bucket of ``key`` (and of the ceiling), or to none, atomically."""
        return await self._check(key, cost)

    async def snapshot(self, key: str) -> list[BucketState]:
        """The buckets of ``key`` now. Runs the same script with a zero cost."""
        return list((await self._check(key, NOTHING)).states)

    async def _check(self, key: str, cost: Cost) -> Decision:
        checked = scopes(key, self._limits, self._ceiling_limits)
        limits: tuple[Limit, ...] = tuple(limit for _, scope in checked for limit in scope)
        keys = [bucket for name, _ in checked for bucket in self.bucket_keys(name)]
        args: list[int] = []
        for limit in limits:
            args += (limit.quota, limit.interval_ms, cost.amount(limit.kind))
        reply = await self._script(keys=keys, args=args)
        admitted, levels = _parse(reply, len(limits))
        decision, _ = decide(limits, levels, cost)
        if decision.allowed != admitted:
            # The script and decide() implement one rule; disagreement is a bug, not load.
            raise RuntimeError(f"rate-limit script and decide() disagree on {levels!r} for {cost!r}")
        return fold(decision, len(checked[0][1]))


def _parse(reply: object, count: int) -> tuple[bool, tuple[int, ...]]:
    if not isinstance(reply, Sequence) or len(reply) != count + 1:
        raise RuntimeError(f"unexpected rate-limit script reply: {reply!r}")
    return bool(int(reply[0])), tuple(int(level) for level in reply[1:])
