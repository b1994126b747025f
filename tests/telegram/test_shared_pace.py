"""Paces shared through Redis: what one worker sent to a chat, a "retry after" Telegram gave one worker, and
the broadcasts' budget hold for every worker of the bot. The waits asserted are the ones Redis hands out
(computed on its clock), never a measured time: rates are slow enough that the milliseconds between two
calls do not matter. Needs TEST_REDIS_URL; skipped without."""
from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator

import pytest

from bot.channels.telegram.pace import BOT, RedisPaces

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs TEST_REDIS_URL")


@pytest.fixture
async def workers() -> AsyncIterator[tuple[RedisPaces, RedisPaces]]:
    assert REDIS_URL
    prefix = f"cds:test:pace:{secrets.token_hex(4)}:"  # a run of its own
    one, two = RedisPaces(REDIS_URL, prefix=prefix), RedisPaces(REDIS_URL, prefix=prefix)
    yield one, two
    await one.close()
    await two.close()


async def test_two_workers_keep_one_chat_to_its_pace_after_its_burst(workers: tuple[RedisPaces, RedisPaces]) -> None:
    one, two = workers
    waits = [await (one if i % 2 else two).reserve("chat:42", rate=0.01, burst=3) for i in range(5)]
    assert waits[:3] == [0, 0, 0]
    assert waits[3:] == [pytest.approx(100, abs=5), pytest.approx(200, abs=5)]
    assert await one.reserve("chat:43", rate=0.01, burst=3) == 0, "another chat never waits for this one"


async def test_a_retry_after_one_worker_heard_holds_the_other_worker_too(
        workers: tuple[RedisPaces, RedisPaces]) -> None:
    one, two = workers
    await one.hold("chat:42", 50)
    assert await two.reserve("chat:42", rate=1.0, burst=3) == pytest.approx(50, abs=5)
    assert await two.reserve("chat:43", rate=1.0, burst=3) == 0
    await two.hold(BOT, 70)
    assert await one.reserve("chat:44", rate=1.0, burst=3) == pytest.approx(70, abs=5), "the whole bot waits"


async def test_all_workers_together_keep_to_one_broadcast_budget(workers: tuple[RedisPaces, RedisPaces]) -> None:
    one, two = workers
    waits = [await (one if i % 2 else two).reserve("broadcast", rate=0.1) for i in range(6)]
    assert waits == [0, *(pytest.approx(10 * i, abs=5) for i in range(1, 6))]
