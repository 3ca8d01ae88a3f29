"""Rate-limit and breaker state shared by a fleet through Redis.

Each operation is one Lua script, so it is atomic across every process that shares the Redis
server. Keys live under a prefix (``actionplane:`` unless configured).
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from actionplane.engine.breaker import BreakerPolicy, Permission
from actionplane.engine.ratelimit import Rate

DEFAULT_PREFIX = "actionplane:"

_BLOCK = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local until_ms = tonumber(ARGV[1])
if until_ms > current then
  redis.call('SET', KEYS[1], until_ms, 'PXAT', until_ms + 1000)
end
return 1
"""

# GCRA with reservation: the milliseconds until the caller's slot; the slot is reserved only
# when that is within ARGV[4] (a larger answer means nothing was reserved).
_TAKE = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
local max_wait = tonumber(ARGV[4])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local wait = math.max(0, math.ceil(tat - tolerance - now))
if wait <= max_wait then
  local ttl = math.ceil(tat + interval - now + tolerance) + 1000
  redis.call('SET', KEYS[1], tat + interval, 'PX', ttl)
end
return wait
"""

_ACQUIRE = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
local half_open_calls = tonumber(ARGV[2])
local state = redis.call('HGET', key, 'state') or 'closed'
if state == 'open' then
  local open_until = tonumber(redis.call('HGET', key, 'open_until') or '0')
  if now < open_until then return {0, 'open', tostring(open_until - now)} end
  state = 'half_open'
  redis.call('HSET', key, 'state', 'half_open', 'permits', 0, 'trials', 0, 'failures', 0, 'slow', 0)
end
if state == 'half_open' then
  local permits = tonumber(redis.call('HGET', key, 'permits') or '0')
  if permits >= half_open_calls then return {0, 'half_open', '1'} end
  redis.call('HINCRBY', key, 'permits', 1)
end
return {1, state, '0'}
"""

_RECORD = """
local key = KEYS[1]
local window = KEYS[2]
local now = tonumber(ARGV[1])
local failed = tonumber(ARGV[2])
local slow = tonumber(ARGV[3])
local size = tonumber(ARGV[4])
local minimum = tonumber(ARGV[5])
local failure_threshold = tonumber(ARGV[6])
local slow_threshold = tonumber(ARGV[7])
local open_wait = tonumber(ARGV[8])
local half_open_calls = tonumber(ARGV[9])
local state = redis.call('HGET', key, 'state') or 'closed'
if state == 'open' then return state end
if state == 'half_open' then
  local trials = redis.call('HINCRBY', key, 'trials', 1)
  local failures = redis.call('HINCRBY', key, 'failures', failed)
  local slows = redis.call('HINCRBY', key, 'slow', slow)
  if trials >= half_open_calls then
    if failures / trials >= failure_threshold or slows / trials >= slow_threshold then
      redis.call('HSET', key, 'state', 'open', 'open_until', now + open_wait)
      return 'open'
    end
    redis.call('HSET', key, 'state', 'closed')
    redis.call('DEL', window)
    return 'closed'
  end
  return state
end
redis.call('RPUSH', window, failed .. slow)
redis.call('LTRIM', window, -size, -1)
local calls = redis.call('LRANGE', window, 0, -1)
if #calls >= minimum then
  local failures, slows = 0, 0
  for _, call in ipairs(calls) do
    if string.sub(call, 1, 1) == '1' then failures = failures + 1 end
    if string.sub(call, 2, 2) == '1' then slows = slows + 1 end
  end
  if failures / #calls >= failure_threshold or slows / #calls >= slow_threshold then
    redis.call('HSET', key, 'state', 'open', 'open_until', now + open_wait)
    redis.call('DEL', window)
    return 'open'
  end
end
return 'closed'
"""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisLimiterState:
    """``LimiterState`` in Redis (times kept in milliseconds)."""

    def __init__(self, redis: Redis, prefix: str = DEFAULT_PREFIX) -> None:
        self._redis = redis
        self._prefix = prefix
        self._block = redis.register_script(_BLOCK)
        self._take = redis.register_script(_TAKE)

    async def blocked_until(self, scope: str) -> float:
        value = await self._redis.get(f"{self._prefix}block:{scope}")
        return float(value) / 1000 if value else 0.0

    async def block(self, scope: str, until: float) -> None:
        await self._block(keys=[f"{self._prefix}block:{scope}"], args=[int(until * 1000)])

    async def take(self, scope: str, rate: Rate, now: float, max_wait_s: float) -> float:
        interval = 1000.0 / rate.per_second
        tolerance = interval * (rate.burst - 1)
        wait_ms = await self._take(
            keys=[f"{self._prefix}gcra:{scope}"],
            args=[int(now * 1000), interval, tolerance, int(max_wait_s * 1000)],
        )
        return float(wait_ms) / 1000


class RedisBreakerState:
    """``BreakerState`` in Redis: one hash and one list per scope."""

    def __init__(self, redis: Redis, prefix: str = DEFAULT_PREFIX) -> None:
        self._redis = redis
        self._prefix = prefix
        self._acquire = redis.register_script(_ACQUIRE)
        self._record = redis.register_script(_RECORD)

    async def acquire(self, scope: str, policy: BreakerPolicy, now: float) -> Permission:
        allowed, state, wait = await self._acquire(
            keys=[f"{self._prefix}breaker:{scope}"], args=[now, policy.half_open_calls]
        )
        return Permission(bool(int(allowed)), _text(state), float(_text(wait)))

    async def record(
        self, scope: str, policy: BreakerPolicy, failed: bool, slow: bool, now: float
    ) -> str:
        state = await self._record(
            keys=[f"{self._prefix}breaker:{scope}", f"{self._prefix}breaker-window:{scope}"],
            args=[
                now,
                int(failed),
                int(slow),
                policy.window_size,
                policy.minimum_calls,
                policy.failure_rate_threshold,
                policy.slow_call_rate_threshold,
                policy.open_wait_s,
                policy.half_open_calls,
            ],
        )
        return _text(state)
