"""Many events of one worker at once send their Redis commands together (bot.redis_client.Together): each
caller still reads what was written before it asked, a bad command fails its own caller only, and Redis
out of reach is "try again in a moment" for everyone waiting. Needs TEST_REDIS_URL; skipped without."""
from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.exceptions

from bot.failures import unavailable
from bot.redis_client import Together, redis_client
from bot.state import RedisStates
from quiz.conversation.state import ChatState, Step

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set")


class Counted(Together):
    """Counts the batches sent (each one pipeline, one round trip)."""

    batches = 0

    async def _send(self) -> None:
        self.batches += 1
        await super()._send()


@pytest.fixture
async def together() -> AsyncIterator[Counted]:
    client = redis_client(REDIS_URL or "", decode_responses=True)
    sent = Counted(client)
    yield sent
    await sent.close()
    await client.aclose()


async def test_a_crowd_of_commands_takes_far_fewer_round_trips_and_each_reads_in_order(together: Counted) -> None:
    key = f"test:together:{uuid.uuid4()}"

    async def writer_then_reader(k: int) -> Any:
        await together.call("SET", f"{key}:{k}", f"v{k}", "EX", 60)
        return await together.call("GET", f"{key}:{k}")

    read = await asyncio.gather(*(writer_then_reader(k) for k in range(300)))
    assert read == [f"v{k}" for k in range(300)]
    assert together.batches <= 60  # 600 commands; sent one by one they would take 600 round trips


async def test_commands_run_in_the_order_they_were_issued(together: Counted) -> None:
    key = f"test:together:{uuid.uuid4()}"
    calls = [together.call("RPUSH", key, str(k)) for k in range(50)] + [together.call("LRANGE", key, 0, -1)]
    results = await asyncio.gather(*calls)
    await together.call("DEL", key)
    assert results[:-1] == list(range(1, 51))
    assert results[-1] == [str(k) for k in range(50)]


async def test_a_bad_command_fails_its_own_caller_and_no_other(together: Counted) -> None:
    key = f"test:together:{uuid.uuid4()}"
    await together.call("RPUSH", key, "a list, not a string")
    good, bad, after = await asyncio.gather(together.call("SET", f"{key}:ok", "1", "EX", 60),
                                            together.call("GET", key), together.call("GET", f"{key}:ok"),
                                            return_exceptions=True)
    await together.call("DEL", key)
    assert isinstance(bad, redis.exceptions.ResponseError) and "WRONGTYPE" in str(bad)
    assert (good, after) == (True, "1")


async def test_a_sender_cancelled_on_the_way_leaves_the_callers_behind_it_answered(together: Counted) -> None:
    key = f"test:together:{uuid.uuid4()}"
    first = asyncio.create_task(together.call("SET", key, "first", "EX", 60))
    await asyncio.sleep(0)  # the first caller is sending its batch
    behind = [asyncio.create_task(together.call("INCR", f"{key}:n")) for _ in range(20)]
    first.cancel()
    answered = await asyncio.wait_for(asyncio.gather(*behind), timeout=10)  # fails, rather than hangs, if left
    assert sorted(answered) == list(range(1, 21))
    await together.call("DEL", key, f"{key}:n")


async def test_redis_out_of_reach_tells_every_caller_to_try_again() -> None:
    client = redis_client("redis://127.0.0.1:1/0", decode_responses=True)  # nothing listens there
    sent = Together(client)
    try:
        failures = await asyncio.gather(*(sent.call("GET", f"k{k}") for k in range(10)), return_exceptions=True)
    finally:
        await sent.close()
        await client.aclose()
    assert all(isinstance(f, Exception) and unavailable(f) for f in failures)


async def test_a_chat_state_and_its_history_written_together_read_back_as_written() -> None:
    states = RedisStates(REDIS_URL or "")
    chats = [f"web:together-{uuid.uuid4()}" for _ in range(100)]
    try:
        async def one(k: int, chat: str) -> tuple[ChatState, list[str]]:
            await states.set(chat, ChatState(Step.PLAYING, {"attempt": k}))
            for n in range(3):
                await states.append(chat, f"exchange {n}", keep=2)
            return await states.get(chat), await states.items(chat)

        kept = await asyncio.gather(*(one(k, chat) for k, chat in enumerate(chats)))
        await asyncio.gather(*(states.drop(chat) for chat in chats))
        dropped = await asyncio.gather(*(states.items(chat) for chat in chats))
    finally:
        await states.close()
    assert kept == [(ChatState(Step.PLAYING, {"attempt": k}), ["exchange 1", "exchange 2"]) for k in range(100)]
    assert dropped == [[]] * 100
