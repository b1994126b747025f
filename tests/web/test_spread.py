"""Each keep-alive connection serves about WEB_KEEPALIVE_REQUESTS requests, never all the same number, so
connections are renewed (and spread over the workers) one at a time rather than all together."""
from __future__ import annotations

import random

from bot.web.spread import Spread


class Connection:
    """Stands for a transport: anything the middleware can hold a weak reference to."""


def served(spread: Spread, connection: Connection) -> int:
    """Requests the connection serves, its last one included."""
    count = 1
    while not spread.spent(connection):
        count += 1
    return count


def test_connections_close_after_their_share_each_at_its_own_count() -> None:
    spread = Spread(100, rng=random.Random(3))
    counts = [served(spread, Connection()) for _ in range(200)]
    assert min(counts) >= 50 and max(counts) <= 150
    assert len(set(counts)) > 50, "not every connection closes after the same number of requests"


def test_a_setting_of_one_closes_every_connection_after_one_request() -> None:
    spread = Spread(1)
    assert [served(spread, Connection()) for _ in range(5)] == [1] * 5

