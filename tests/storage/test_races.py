"""Requests racing each other on SQLite and PostgreSQL: what only the database's constraints can settle.
The contest rules themselves are tested on the fakes, in tests/services."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from admin.seed import right_choice
from bot.compose import App
from quiz.attempts import Attempt
from rounds.people import register


async def test_racing_double_taps_store_one_answer(app: App, clock) -> None:  # type: ignore[no-untyped-def]
    pid = await register(app, clock(), user="a", phone="0912345678")
    att = await app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
    right = right_choice(app, att, 0)
    outcomes = await asyncio.gather(*[
        app.play.answer(attempt_id=att.id, participant_id=pid, position=0, choice=right, now=clock())
        for _ in range(5)])
    assert sorted(o.verdict.value for o in outcomes) == ["accepted"] + ["already_answered"] * 4  # type: ignore[union-attr]
    assert (await app.play.attempt(att.id, now=clock())).correct == 1  # type: ignore[union-attr]


async def test_starting_twice_at_once_opens_one_attempt(app: App, clock) -> None:  # type: ignore[no-untyped-def]
    pid = await register(app, clock(), user="a", phone="0912345678")
    atts = await asyncio.gather(*[app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
                                  for _ in range(3)])
    assert len({a.id for a in atts}) == 1


async def test_answers_arriving_together_are_stored_and_each_hears_its_whole_attempt(  # type: ignore[no-untyped-def]
        app: App, clock) -> None:
    """Many citizens' answers written in one group commit: each stored once, counted on its own attempt."""
    a = await register(app, clock(), user="a", phone="0912345678")
    b = await register(app, clock(), user="b", phone="0912345679")
    att_a = await app.play.start_attempt(participant_id=a, round_code="chinh", now=clock())
    att_b = await app.play.start_attempt(participant_id=b, round_code="chinh", now=clock())
    wrong_b = (right_choice(app, att_b, 0) + 1) % len(att_b.paper[0].order)
    outcomes = await asyncio.gather(
        *[app.play.answer(attempt_id=att_a.id, participant_id=a, position=p, choice=right_choice(app, att_a, p),
                          now=clock()) for p in range(3)],
        app.play.answer(attempt_id=att_b.id, participant_id=b, position=0, choice=wrong_b, now=clock()),
        app.play.answer(attempt_id=att_b.id, participant_id=b, position=0, choice=wrong_b, now=clock()))
    verdicts = [o.verdict.value for o in outcomes]  # type: ignore[union-attr]
    assert verdicts[:3] == ["accepted"] * 3
    assert sorted(verdicts[3:]) == ["accepted", "already_answered"]
    assert all(set(o.answers) >= {0, 1, 2} for o in outcomes[:3])  # type: ignore[union-attr, arg-type]
    assert all(dict(o.answers) == {0: wrong_b} for o in outcomes[3:])  # type: ignore[union-attr, arg-type]
    stored_a, stored_b = (await app.play.attempt(att_a.id, now=clock()), await app.play.attempt(att_b.id, now=clock()))
    assert (stored_a.correct, stored_b.correct) == (3, 0)  # type: ignore[union-attr]
    assert await app.play.answers(att_a.id) == {p: right_choice(app, att_a, p) for p in range(3)}
    assert await app.play.answers(att_b.id) == {0: wrong_b}


async def _attempt_on_postgresql(app: App, db_url: str, clock: Any) -> tuple[int, Attempt]:
    """A citizen's open attempt; only PostgreSQL lets another worker come between a batch's read and write."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite: one writer, nothing can come between a batch's read and its write")
    pid = await register(app, clock(), user="a", phone="0912345678")
    return pid, await app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())


@contextlib.asynccontextmanager
async def _held_while(db_url: str, attempt_id: int, change: str) -> AsyncIterator[None]:
    """Another worker's transaction: `change` made to the attempt and its row held until the block ends,
    which waits until this worker's write is queued behind that lock."""
    conn = await asyncpg.connect(db_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        async with conn.transaction():
            await conn.execute(change, attempt_id)
            yield
            while not await conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                          " AND wait_event_type = 'Lock'"):
                await asyncio.sleep(0.01)
    finally:
        await conn.close()


async def test_an_answer_whose_attempt_another_worker_finishes_meanwhile_is_not_stored(  # type: ignore[no-untyped-def]
        app: App, db_url: str, clock) -> None:
    """The answer's batch read the attempt open; before it wrote, another worker handed the attempt in."""
    pid, att = await _attempt_on_postgresql(app, db_url, clock)
    held = _held_while(
        db_url, att.id, "UPDATE attempts SET status = 'finished', finished_at = now() WHERE id = $1")
    async with held:
        answering = asyncio.create_task(app.play.answer(attempt_id=att.id, participant_id=pid, position=0,
                                                        choice=right_choice(app, att, 0), now=clock()))
    outcome = await answering
    assert outcome is not None and outcome.verdict.value == "finished"
    assert await app.play.answers(att.id) == {}
    assert (await app.play.attempt(att.id, now=clock())).correct == 0  # type: ignore[union-attr]


async def test_a_tap_another_worker_stored_meanwhile_is_already_answered(  # type: ignore[no-untyped-def]
        app: App, db_url: str, clock) -> None:
    """A double tap reaching two workers: the other stored position 0 after this batch read the attempt."""
    pid, att = await _attempt_on_postgresql(app, db_url, clock)
    right = right_choice(app, att, 0)
    wrong = (right + 1) % len(att.paper[0].order)
    held = _held_while(
        db_url, att.id,
        "WITH added AS (INSERT INTO answers (attempt_id, position, question_id, choice, correct, answered_at) "
        f"VALUES ($1, 0, '{att.paper[0].question_id}', {wrong}, false, now())) "
        "UPDATE attempts SET answered = answered + 1 WHERE id = $1")
    async with held:
        answering = asyncio.create_task(app.play.answer(attempt_id=att.id, participant_id=pid, position=0,
                                                        choice=right, now=clock()))
    outcome = await answering
    assert outcome is not None and outcome.verdict.value == "already_answered"
    assert outcome.answers == {0: wrong}
    assert await app.play.answers(att.id) == {0: wrong}
    assert (await app.play.attempt(att.id, now=clock())).correct == 0  # type: ignore[union-attr]
