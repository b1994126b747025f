"""Keep-alive connections spread over the workers again and again, not only when they open.

With several workers on one port (SO_REUSEPORT) the kernel picks a worker for each new connection, and a
keep-alive connection stays with it for good. Connections opened while only some workers listened (the
first worker up after a deploy; the others while one restarts after a crash) stay with those few: Telegram's
40 webhook connections, or nginx's upstream ones, all on one worker while the other idles, as the bench saw
(one worker at a full core, the other at 1%). So each connection serves a bounded number of requests (about
WEB_KEEPALIVE_REQUESTS, drawn per connection so they do not all close at once), the last with `Connection:
close`; the client opens a new one, which the kernel gives to any worker listening now. nginx bounds its
own the same way (keepalive_requests)."""
from __future__ import annotations

import random
import weakref

from aiohttp import web
from aiohttp.typedefs import Handler


class Spread:
    """The middleware: counts each connection's requests and closes it after its share."""

    def __init__(self, per_connection: int, *, rng: random.Random | None = None) -> None:
        self.per_connection = per_connection
        self._rng = rng or random.Random()
        self._left: weakref.WeakKeyDictionary[object, int] = weakref.WeakKeyDictionary()

    def spent(self, connection: object) -> bool:
        """Count one request on `connection`; True when it was its last."""
        left = self._left.get(connection)
        if left is None:  # between half and one and a half times the setting: connections age apart
            left = self._rng.randint(max(1, self.per_connection // 2), max(1, self.per_connection * 3 // 2))
        left -= 1
        self._left[connection] = left
        return left <= 0

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        response = await handler(request)
        if request.transport is not None and self.spent(request.transport):
            response.force_close()  # this response says "Connection: close"; the next request connects anew
        return response
