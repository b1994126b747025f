"""Conversation state survives between events, in memory and in Redis (several workers)."""
from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot.state import IDLE_S, MemoryStates, RedisStates, journal_for
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


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set")
async def test_a_limit_counted_in_redis_holds_for_two_workers_together() -> None:
    first, second = RedisStates(REDIS_URL or ""), RedisStates(REDIS_URL or "")
    key, other = f"test:{uuid.uuid4()}", f"test:{uuid.uuid4()}"
    try:
        admitted = [await (first if i % 2 else second).admit(key, limit=3, window_s=0.5) for i in range(5)]
        assert admitted == [True, True, True, False, False]  # three in all, not three per worker
        assert await first.admit(other, limit=3, window_s=0.5)  # another key counts apart
        await asyncio.sleep(0.6)
        assert await second.admit(key, limit=3, window_s=0.5)  # the window moved on
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


async def test_one_process_without_redis_keeps_its_states_across_a_restart(tmp_path: Path) -> None:
    journal = journal_for(f"sqlite+aiosqlite:///{tmp_path}/db.sqlite")
    assert journal == tmp_path / "db.sqlite.states"
    before = MemoryStates(journal=journal)
    await before.set("web:b1", ChatState(Step.REG_YEAR, {"name": "Nguyễn Thị Mai"}))
    await before.set("web:b2", ChatState(Step.PREDICT, {"attempt": 7}))
    await before.set("web:b2", ChatState())  # back to nothing: forgotten, not kept
    before.close()
    with journal.open("a", encoding="utf-8") as torn:
        torn.write('{"k": "web:b3", "s": "{\\"step')  # a crash in the middle of a line

    after = MemoryStates(journal=journal)
    try:
        assert await after.get("web:b1") == ChatState(Step.REG_YEAR, {"name": "Nguyễn Thị Mai"})
        assert await after.get("web:b2") == ChatState() and await after.get("web:b3") == ChatState()
        assert len(journal.read_text(encoding="utf-8").splitlines()) == 1  # rewritten with what is still kept
    finally:
        after.close()


def test_only_a_sqlite_file_gets_a_journal() -> None:
    assert journal_for("sqlite+aiosqlite:///:memory:") is None
    assert journal_for("postgresql+asyncpg://postgres@127.0.0.1/db") is None


async def test_a_state_not_written_for_a_week_is_forgotten_without_redis_too(tmp_path: Path) -> None:
    """As Redis expires an idle state after a week, so does one process's memory and its journal: a
    browser's history or a half-typed registration is not kept for ever."""
    now = [1_000_000.0]
    journal = tmp_path / "db.sqlite.states"
    store = MemoryStates(journal=journal, clock=lambda: now[0])
    await store.set("web-history:old", ChatState(data={"b": [{"user": "Nguyễn Thị Mai"}]}))
    now[0] += IDLE_S - 3600
    await store.set("web:recent", ChatState(Step.REG_YEAR, {"name": "Trần Văn Bình"}))
    now[0] += 3600
    assert await store.get("web-history:old") == ChatState()  # a week idle: gone
    assert await store.get("web:recent") == ChatState(Step.REG_YEAR, {"name": "Trần Văn Bình"})
    store.close()

    now[0] += IDLE_S - 3600 - 60  # "web:recent" idle for a minute less than a week
    again = MemoryStates(journal=journal, clock=lambda: now[0])  # a restart reads back only the live states
    try:
        assert await again.get("web:recent") == ChatState(Step.REG_YEAR, {"name": "Trần Văn Bình"})
        assert "Nguyễn Thị Mai" not in journal.read_text(encoding="utf-8")
    finally:
        again.close()
    now[0] += 120
    later = MemoryStates(journal=journal, clock=lambda: now[0])
    try:
        assert await later.get("web:recent") == ChatState()
        assert journal.read_text(encoding="utf-8") == ""
    finally:
        later.close()


async def _lists(store: MemoryStates | RedisStates, other: MemoryStates | RedisStates) -> None:
    key = f"test-list:{uuid.uuid4()}"
    assert await store.items(key) == []
    for n in range(5):
        await store.append(key, f"Câu {n}", keep=3)
    assert await other.items(key) == ["Câu 2", "Câu 3", "Câu 4"]  # the last three, oldest first
    await store.set(key, ChatState(Step.PLAYING, {"attempt": 7}))
    await store.set(key, ChatState())  # a state under the same key, gone again: the list is apart from it
    assert await other.items(key) == ["Câu 2", "Câu 3", "Câu 4"]
    await store.drop(key)
    assert await other.items(key) == []


async def test_a_list_keeps_its_last_items_in_memory() -> None:
    store = MemoryStates()
    await _lists(store, store)


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set")
async def test_a_list_in_redis_is_shared_by_two_workers() -> None:
    first, second = RedisStates(REDIS_URL or ""), RedisStates(REDIS_URL or "")
    try:
        await _lists(first, second)
        await first.append("test-list:ttl", "Câu 1", keep=3)
        raw = aioredis.from_url(REDIS_URL or "")
        try:
            assert IDLE_S - 60 < await raw.ttl("cds:list:test-list:ttl") <= IDLE_S  # idle a week: gone
        finally:
            await raw.delete("cds:list:test-list:ttl")
            await raw.aclose()
    finally:
        await first.close()
        await second.close()


async def test_one_process_without_redis_keeps_its_lists_across_a_restart_and_a_rewrite(tmp_path: Path) -> None:
    now = [1_000_000.0]
    journal = tmp_path / "db.sqlite.states"
    before = MemoryStates(journal=journal, clock=lambda: now[0])
    for n in range(4):
        await before.append("web-chat:b1", f"Câu {n}", keep=2)
    await before.append("web-chat:b2", "Nguyễn Thị Mai", keep=2)
    await before.drop("web-chat:b2")
    await before.append("web-chat:old", "Trần Văn Bình", keep=2)
    now[0] += IDLE_S - 60
    await before.append("web-chat:b1", "Câu 4", keep=2)
    before.close()
    now[0] += 60  # "web-chat:old" idle a week; "web-chat:b1" added to a minute ago

    after = MemoryStates(journal=journal, clock=lambda: now[0])  # read back, then rewritten
    assert await after.items("web-chat:b1") == ["Câu 3", "Câu 4"]
    assert await after.items("web-chat:b2") == [] and await after.items("web-chat:old") == []  # dropped; idle
    after.close()
    again = MemoryStates(journal=journal, clock=lambda: now[0])  # from the rewritten journal
    assert await again.items("web-chat:b1") == ["Câu 3", "Câu 4"]
    assert "Trần Văn Bình" not in journal.read_text(encoding="utf-8")
    again.close()


async def test_a_list_idle_for_a_week_starts_afresh_when_added_to_live_and_after_a_restart(tmp_path: Path) -> None:
    """As in Redis, where the key expires a week after its last addition: what was in it before is gone."""
    now = [1_000_000.0]
    journal = tmp_path / "db.sqlite.states"
    store = MemoryStates(journal=journal, clock=lambda: now[0])
    await store.append("web-chat:b1", "Nguyễn Thị Mai", keep=5)
    now[0] += IDLE_S
    await store.append("web-chat:b1", "Câu 1", keep=5)
    assert await store.items("web-chat:b1") == ["Câu 1"]
    store.close()
    again = MemoryStates(journal=journal, clock=lambda: now[0])  # the journal replayed
    assert await again.items("web-chat:b1") == ["Câu 1"]
    again.close()
