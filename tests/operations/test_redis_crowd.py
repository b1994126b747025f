"""A thousand citizens tapping at once on one worker: every request that needs Redis waits its turn for a
connection instead of failing (redis-py's default pool refused past 100 in flight, and the web chat answered
500). Needs TEST_REDIS_URL; skipped without."""
from __future__ import annotations

import asyncio
import os

import pytest

from bot.state import RedisStates
from quiz.conversation.state import ChatState, Step

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set")
CITIZENS = 400


async def test_four_hundred_chats_at_once_all_keep_their_state() -> None:
    assert REDIS_URL
    states = RedisStates(REDIS_URL)
    try:
        async def one(k: int) -> ChatState:
            await states.set(f"web:crowd-{k}", ChatState(Step.REG_NAME, {"k": k}))
            return await states.get(f"web:crowd-{k}")

        kept = await asyncio.gather(*(one(k) for k in range(CITIZENS)))
    finally:
        await states.close()
    assert [(s.step, s.data) for s in kept] == [(Step.REG_NAME, {"k": k}) for k in range(CITIZENS)]
