"""Spacing calls out in time: a rate with a small burst, as Telegram tolerates (GCRA), and "retry after"
held — in this process, or in Redis for every worker of the bot at once."""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, Protocol


class Pace:
    """Hands out send times at most `rate` per second on average, `burst` of them back to back.
    An infinite rate paces nothing and only keeps a hold."""

    def __init__(self, rate: float, *, burst: int = 1, clock: Callable[[], float]) -> None:
        self.interval = 1.0 / rate
        self.tolerance = (max(burst, 1) - 1) * self.interval
        self._clock = clock
        self._tat = -math.inf  # the theoretical arrival time of the next call

    def reserve(self) -> float:
        """Book the next slot; return how long to wait for it (0 when it is free now)."""
        now = self._clock()
        tat = max(self._tat, now)
        self._tat = tat + self.interval
        return max(0.0, tat - self.tolerance - now)

    def hold(self, seconds: float) -> None:
        """Telegram said "retry after": no slot before `seconds` from now."""
        self._tat = max(self._tat, self._clock() + seconds + self.tolerance)

    def held(self) -> float:
        """Seconds until its next slot."""
        return max(0.0, self._tat - self.tolerance - self._clock())

    def idle(self) -> bool:
        return self._tat <= self._clock()


class Paces(Protocol):
    """Named paces: a chat's ("chat:42"), the broadcasts' ("broadcast") and the bot's ("bot", holds only)."""

    async def reserve(self, key: str, *, rate: float, burst: int = 1) -> float:
        """Book the next slot of `key` at `rate` per second; how long to wait for it, the bot's hold included."""
        ...

    async def hold(self, key: str, seconds: float) -> None:
        """No slot of `key` (the bot's: of any key) before `seconds` from now."""
        ...


BOT = "bot"
_KEEP = 10_000  # paces kept before idle ones are dropped


class MemoryPaces:
    """Paces of this process only: right for one worker (or one polling process)."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._paces: dict[str, Pace] = {}
        self._bot = Pace(math.inf, clock=clock)

    async def reserve(self, key: str, *, rate: float, burst: int = 1) -> float:
        return max(self._pace(key, rate, burst).reserve(), self._bot.reserve())

    async def hold(self, key: str, seconds: float) -> None:
        if key == BOT:
            self._bot.hold(seconds)
        else:
            self._pace(key, math.inf, 1).hold(seconds)

    def _pace(self, key: str, rate: float, burst: int) -> Pace:
        pace = self._paces.get(key)
        if pace is not None and (pace.interval > 0 or math.isinf(rate)):
            return pace
        if len(self._paces) >= _KEEP:
            self._paces = {k: p for k, p in self._paces.items() if not p.idle()}
        fresh = self._paces[key] = Pace(rate, burst=burst, clock=self._clock)
        if pace is not None:  # only a hold so far: it stays
            fresh.hold(pace.held())
        return fresh


# One round trip per call. Times in milliseconds on the Redis server's clock, so workers' clocks never
# disagree about a slot. KEYS: the pace, its hold, the bot's hold. ARGV: interval, tolerance, hold (> 0: set
# the pace's hold to now + hold and book nothing).
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval, tolerance, hold = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if hold > 0 then
  local until_ = math.max(tonumber(redis.call('GET', KEYS[2]) or '0'), now + hold)
  redis.call('SET', KEYS[2], until_, 'PX', math.ceil(until_ - now) + 1000)
  return 0
end
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
if interval > 0 then
  redis.call('SET', KEYS[1], tat + interval, 'PX', math.ceil(tat + interval - now) + 1000)
end
local wait = math.max(0, tat - tolerance - now)
wait = math.max(wait, tonumber(redis.call('GET', KEYS[2]) or '0') - now)
return math.max(wait, tonumber(redis.call('GET', KEYS[3]) or '0') - now)
"""


class RedisPaces:
    """Paces every worker of the bot shares: a chat's pace and a "retry after" hold Telegram gave one worker
    hold for all of them, and the broadcasts' budget is one, whatever the number of workers."""

    def __init__(self, url: str, *, prefix: str = "cds:tg:pace:") -> None:
        from bot.redis_client import Together, redis_client

        self._redis = redis_client(url)
        self._prefix = prefix
        self._together = Together(self._redis)  # the reservations of concurrent replies, one round trip

    async def reserve(self, key: str, *, rate: float, burst: int = 1) -> float:
        interval = 0.0 if math.isinf(rate) else 1000.0 / rate
        tolerance = (max(burst, 1) - 1) * interval
        waited = await self._run(key, interval, tolerance, 0)
        return max(0.0, float(waited) / 1000)

    async def hold(self, key: str, seconds: float) -> None:
        await self._run(key, 0, 0, max(1.0, seconds * 1000))

    async def _run(self, key: str, interval: float, tolerance: float, hold: float) -> Any:
        # EVAL, not EVALSHA: a script Redis has forgotten (a restart, SCRIPT FLUSH) cannot fail a batch.
        return await self._together.call("EVAL", _RESERVE, 3, *self._keys(key), interval, tolerance, hold)

    def _keys(self, key: str) -> list[str]:
        return [self._prefix + key, self._prefix + key + ":hold", self._prefix + BOT + ":hold"]

    async def close(self) -> None:
        await self._together.close()
        await self._redis.aclose()
