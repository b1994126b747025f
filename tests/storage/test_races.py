"""Requests racing each other on SQLite and PostgreSQL: what only the database's constraints can settle.
The contest rules themselves are tested on the fakes, in tests/services."""
from __future__ import annotations

import asyncio

from admin.seed import right_choice
from bot.compose import App
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
