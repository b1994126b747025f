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
