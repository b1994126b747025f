"""Redis clients that wait for a free connection instead of failing.

redis-py's default pool holds at most 100 connections and raises "Too many connections" past them: with a
thousand citizens tapping at once, a worker's requests failed (measured by bench/e2e.py: thousands of web
chat answers refused with a 500). A blocking pool queues a request until a connection is free (up to
WAIT_S), like the database pool does."""
from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis

MAX_CONNECTIONS = 64  # per client and worker; Redis itself allows 10,000 clients by default
WAIT_S = 20.0


def redis_client(url: str, *, decode_responses: bool = False) -> Redis:
    pool = BlockingConnectionPool.from_url(url, max_connections=MAX_CONNECTIONS, timeout=WAIT_S,
                                           decode_responses=decode_responses)
    return Redis.from_pool(pool)
