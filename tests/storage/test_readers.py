"""On SQLite, reading (leaderboards, statistics) and writing (answers) do not wait for each other."""
from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from admin.seed import right_choice
from bot.compose import App
from rounds.people import register


async def test_reads_answer_while_a_writer_holds_the_lock_and_a_long_read_holds_up_no_answer(app: App, clock) -> None:
    if app.reader is app.engine:
        pytest.skip("PostgreSQL: MVCC readers never block writers; the separate reader is SQLite's")
    pid = await register(app, clock(), user="a", phone="0912345678")
    att = await app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())

    async with app.engine.connect() as writer:
        await writer.begin()  # BEGIN IMMEDIATE: the write lock is held until this block ends
        await writer.execute(text("UPDATE unit_counters SET attempts = attempts"))
        stats = await asyncio.wait_for(app.standings.unit_stats(), timeout=2)
        board = await asyncio.wait_for(app.standings.board(round_code="chinh", now=clock()), timeout=2)
    assert {s.code: s.participants for s in stats}["T-A-1"] == 1 and len(board) == 0

    async with app.reader.connect() as long_read:
        await long_read.begin()
        await long_read.execute(text("SELECT count(*) FROM answers"))  # a dashboard query in progress
        stored = await asyncio.wait_for(app.play.answer(
            attempt_id=att.id, participant_id=pid, position=0, choice=right_choice(app, att, 0), now=clock()),
            timeout=2)
    assert stored is not None and stored.verdict.value == "accepted"
