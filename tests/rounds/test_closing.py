"""Rounds on SQLite and PostgreSQL where it takes a database: two workers closing at once, settings outliving
a restart, a new round's rows, other workers following. The closing rules run on the fakes (test_rules.py)."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.compose import App
from bot.storage import tables as t
from publishing import ADMIN
from quiz.attempts import AttemptStatus

from .people import play, register


async def three_players(app: App, clock) -> list[int]:  # type: ignore[no-untyped-def]
    """a: all right, predicts 2, slow; b: all right, predicts 9, fast; c: 4 right, still playing."""
    a = await register(app, clock(), user="a", phone="0911111111")
    b = await register(app, clock(), user="b", phone="0922222222", unit="T-B-1")
    c = await register(app, clock(), user="c", phone="0933333333", unit="T-A-2")
    await play(app, clock, a, right=10, seconds=20, prediction=2)
    await play(app, clock, b, right=10, seconds=5, prediction=9)
    await play(app, clock, c, right=4, finish=False)
    return [a, b, c]


async def test_two_workers_closing_at_once_publish_one_set_of_winners(make_app, clock) -> None:  # type: ignore[no-untyped-def]
    first, second = await make_app(), await make_app()
    await three_players(first, clock)
    results = await asyncio.gather(first.rounds.close("chinh", by=ADMIN, now=clock()),
                                   second.rounds.close("chinh", by=ADMIN, now=clock()))
    assert results[0].winners == results[1].winners
    async with first.engine.connect() as conn:
        rows = (await conn.execute(select(t.round_winners.c.rank))).scalars().all()
    assert sorted(rows) == [1, 2, 3]


async def test_new_settings_serve_the_next_attempt_and_outlive_a_restart(make_app, clock) -> None:  # type: ignore[no-untyped-def]
    app = await make_app()
    rounds = app.rounds
    await rounds.change("chinh", {"questions_per_attempt": 12, "time_limit_minutes": 20, "attempts_per_round": None,
                                  "attempts_per_day": 1}, by=ADMIN, now=clock())
    pid = await register(app, clock(), user="a", phone="0911111111")
    attempt = await app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
    assert len(attempt.paper) == 12 and attempt.deadline - attempt.started_at == timedelta(minutes=20)

    restarted = await make_app()
    served = restarted.runtime.contest.round("chinh")
    assert (served.questions_per_attempt, served.attempts_per_day, served.attempts_per_round) == (12, 1, None)


async def test_a_round_created_by_an_admin_can_be_played_at_once(app: App, clock) -> None:  # type: ignore[no-untyped-def]
    rounds = app.rounds
    await rounds.create("tuan-2", {"title": "Tuần 2", "question_set": "bo-thu", "questions_per_attempt": 10,
                                   "time_limit_minutes": 15, "prediction": True}, by=ADMIN, now=clock())
    pid = await register(app, clock(), user="a", phone="0911111111")
    attempt = await play(app, clock, pid, right=10, round_code="tuan-2")
    assert (await app.play.attempt(attempt.id, now=clock())).status is AttemptStatus.FINISHED
    ranked, _ = await app.standings.leaderboard(round_code="tuan-2")
    assert [r.standing.participant_id for r in ranked] == [pid]


async def test_another_worker_serves_a_change_once_it_follows_the_revision(make_app, clock) -> None:  # type: ignore[no-untyped-def]
    first, second = await make_app(), await make_app()
    await first.rounds.create("tuan-2", {"question_set": "bo-thu", "questions_per_attempt": 10,
                                               "time_limit_minutes": 10}, by=ADMIN, now=clock())
    assert second.runtime.contest.round("tuan-2") is None
    assert await second.live.follow()  # the scheduler's tick does this on every worker
    pid = await register(second, clock(), user="a", phone="0911111111")
    assert await second.play.start_attempt(participant_id=pid, round_code="tuan-2", now=clock())
