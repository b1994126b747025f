"""Spacing calls out in time: a rate with a small burst, as Telegram tolerates (GCRA)."""
from __future__ import annotations

import math
from collections.abc import Callable


class Pace:
    """Hands out send times at most `rate` per second on average, `burst` of them back to back."""

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

    def idle(self) -> bool:
        return self._tat <= self._clock()
