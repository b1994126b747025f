"""Conversation state survives between events, in memory and in Redis (several workers)."""
from __future__ import annotations

import os
import uuid

import pytest

from bot.state import MemoryStates, RedisStates
from quiz.conversation.state import ChatState, Step

REDIS_URL = os.environ.get("TEST_REDIS_URL")


async def _round_trip(store: MemoryStates | RedisStates) -> None:
    key = f"test:{uuid.uuid4()}"
    assert await store.get(key) == ChatState()
    state = ChatState(Step.REG_YEAR, {"name": "Nguyễn Thị Mai", "start_code": "HG-DV"})
    await store.set(key, state)
    assert await store.get(key) == state


async def test_memory_state_round_trips() -> None:
    await _round_trip(MemoryStates())


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set")
async def test_redis_state_is_shared_by_two_workers() -> None:
    first, second = RedisStates(REDIS_URL or ""), RedisStates(REDIS_URL or "")
    try:
        await _round_trip(first)
        key = f"test:{uuid.uuid4()}"
        await first.set(key, ChatState(Step.PLAYING, {"attempt": 7}))
        assert await second.get(key) == ChatState(Step.PLAYING, {"attempt": 7})
    finally:
        await first.close()
        await second.close()


def test_a_corrupt_stored_state_starts_over_instead_of_crashing() -> None:
    assert ChatState.loads("{not json") == ChatState()
    assert ChatState.loads('{"step": "idle"}') == ChatState()


def test_a_step_this_version_does_not_know_loads_as_idle_keeping_the_start_code() -> None:
    state = ChatState.loads('{"step": "quiz_v3", "data": {"start_code": "HG-DV"}}')
    assert state.step is Step.IDLE and state.data == {"start_code": "HG-DV"}


def test_steps_are_stored_as_the_same_words_as_before() -> None:
    stored = ChatState(Step.REG_YEAR, {"name": "Mai"}).dumps()
    assert stored == '{"step": "reg_year", "data": {"name": "Mai"}}'
    assert ChatState.loads(stored) == ChatState(Step.REG_YEAR, {"name": "Mai"})
