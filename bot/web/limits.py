"""How many new web-chat identities one network address may open in a while.

Each browser without a cookie gets a new identity (and an account row once it speaks),
so a script could create them without end. A school lab behind one address must still
get in, hence a generous limit per address rather than none at all."""
from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable

MAX_ADDRESSES = 100_000  # addresses remembered at once; the least recently seen go first


class NewChatLimiter:
    def __init__(self, *, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, address: str) -> bool:
        """Count one new identity for `address`; False when it has had `limit` in the window."""
        now = self.clock()
        times = self._seen.pop(address, None) or deque()
        while times and now - times[0] >= self.window_s:
            times.popleft()
        allowed = len(times) < self.limit
        if allowed:
            times.append(now)
        self._seen[address] = times
        if len(self._seen) > MAX_ADDRESSES:
            self._seen.popitem(last=False)
        return allowed
