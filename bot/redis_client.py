"""Redis clients that wait for a free connection instead of failing, and commands sent together.

redis-py's default pool holds at most 100 connections and raises "Too many connections" past them: with a
thousand citizens tapping at once, a worker's requests failed (measured by bench/e2e.py: thousands of web
chat answers refused with a 500). A blocking pool queues a request until a connection is free (up to
WAIT_S), like the database pool does.

`Together` sends the commands that many requests of one worker issue at about the same time as one
pipeline, as the answers' group commit does for the database: redis-py spends about 100 µs of the
worker's CPU on each command sent alone (a pool checkout, a timeout, a future, a read), and most of
that once per pipeline."""
from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis

MAX_CONNECTIONS = 64  # per client and worker; Redis itself allows 10,000 clients by default
WAIT_S = 20.0


def redis_client(url: str, *, decode_responses: bool = False) -> Redis:
    pool = BlockingConnectionPool.from_url(url, max_connections=MAX_CONNECTIONS, timeout=WAIT_S,
                                           decode_responses=decode_responses)
    return Redis.from_pool(pool)


_Queued = tuple[tuple[Any, ...], "asyncio.Future[Any]"]


class Together:
    """Redis commands of concurrent callers sent in batches, each batch one pipeline (one round trip, not
    a transaction): the commands issued while a batch is on its way go in the next one, in the order
    they were issued, and Redis runs them in that order. So a caller that wrote a key and then reads it
    reads what it wrote, as with commands sent one by one.

    A caller that finds no batch on its way sends one itself at once (no wait for a turn of the event
    loop); what is queued behind it is sent by a task. A command that fails fails its caller alone; a
    batch that does not reach Redis fails every caller in it, with the connection error."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._queue: list[_Queued] = []
        self._busy = False
        self._behind: asyncio.Task[None] | None = None  # the task sending what queued behind a batch

    async def call(self, *args: Any) -> Any:
        """What Redis answers to the command `args` (as `execute_command` would return it)."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append((args, future))
        if not self._busy:
            self._busy = True
            try:
                await self._send()
            except BaseException:  # this caller cancelled while sending: the others heard why (`_send`)
                if future.done() and not future.cancelled():
                    future.exception()  # retrieved: nobody else awaits this caller's own result
                raise
            finally:
                if self._queue:
                    self._behind = asyncio.create_task(self._send_the_rest(), name="redis-together")
                else:
                    self._busy = False
        return await future

    async def _send_the_rest(self) -> None:
        try:
            while self._queue:
                await self._send()
        finally:
            self._busy, self._behind = False, None

    async def _send(self) -> None:
        batch, self._queue = self._queue, []
        try:
            pipe = self._redis.pipeline(transaction=False)
            for args, _ in batch:
                pipe.execute_command(*args)
            results = await pipe.execute(raise_on_error=False)
        except BaseException as exc:  # nothing is known of what ran: each caller hears why
            failure = exc if isinstance(exc, Exception) else ConnectionError("the Redis batch was interrupted")
            for _, future in batch:
                if not future.done():
                    future.set_exception(failure)
            if not isinstance(exc, Exception):
                raise
            return
        for (_, future), result in zip(batch, results, strict=True):
            if future.done():  # its caller was cancelled while the batch was on its way
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)

    async def close(self) -> None:
        """Wait for the batches on their way (so nothing issued is dropped at shutdown)."""
        if self._behind is not None:
            await asyncio.gather(self._behind, return_exceptions=True)
