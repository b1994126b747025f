"""A token bucket: calls to the OA API at most `rate` a second on average, `burst` back to back."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class TokenBucket:
    def __init__(self, rate: float, burst: int, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.rate, self.burst = rate, max(burst, 1)
        self._clock, self._sleep = clock, sleep
        self._tokens = float(self.burst)
        self._at = clock()
        self._lock = asyncio.Lock()  # waiters take turns in arrival order

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(float(self.burst), self._tokens + (now - self._at) * self.rate)
        self._at = now

    async def take(self) -> None:
        """Wait for a token and spend it."""
        async with self._lock:
            self._refill()
            if self._tokens < 1:
                await self._sleep((1 - self._tokens) / self.rate)
                self._refill()
            self._tokens -= 1

    def drain(self) -> None:
        """Zalo said "too many requests": the next calls wait for fresh tokens."""
        self._refill()
        self._tokens = min(self._tokens, 0.0)
