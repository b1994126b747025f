"""Taking an attempt: the paper, the answers it takes, its deadline and the attempt caps."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from conftest import Clock
from publishing import ADMIN
from quiz.attempts import Attempt, AttemptStatus, CapReached, Verdict
from quiz.services import UseCases

from .citizens import play, register, right_choice, wrong_choice


async def test_the_paper_is_frozen_and_honours_topic_quotas(uses: UseCases, clock: Clock) -> None:
    pid = await register(uses, clock(), user="a", phone="0912345678")
    att = await uses.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
    clock.advance(minutes=1)
    assert await uses.play.start_attempt(participant_id=pid, round_code="chinh", now=clock()) == att  # resumed
    questions = uses.live.runtime.questions(att.set_name, att.set_version)
    topics = [questions[i.question_id].topic for i in att.paper]
    assert len({i.question_id for i in att.paper}) == 10
    assert topics.count("vneid") >= 3 and topics.count("an-toan") >= 3
    assert att.deadline - att.started_at == timedelta(minutes=10)


async def test_a_second_answer_to_the_same_question_changes_nothing(uses: UseCases, clock: Clock) -> None:
    pid = await register(uses, clock(), user="a", phone="0912345678")
    att = await uses.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
    right, wrong = right_choice(uses, att, 0), wrong_choice(uses, att, 0)
    first = await uses.play.answer(attempt_id=att.id, participant_id=pid, position=0, choice=right, now=clock())
    second = await uses.play.answer(attempt_id=att.id, participant_id=pid, position=0, choice=wrong, now=clock())
    assert first is not None and first.verdict is Verdict.ACCEPTED
    assert second is not None and second.verdict is Verdict.ALREADY_ANSWERED
    assert await uses.play.answers(att.id) == {0: right}
    assert (await uses.play.attempt(att.id, now=clock())).correct == 1  # type: ignore[union-attr]


async def test_nobody_can_answer_another_participants_attempt(uses: UseCases, clock: Clock) -> None:
    owner = await register(uses, clock(), user="a", phone="0912345678")
    intruder = await register(uses, clock(), user="b", phone="0987654321")
    att = await uses.play.start_attempt(participant_id=owner, round_code="chinh", now=clock())
    out = await uses.play.answer(attempt_id=att.id, participant_id=intruder, position=0, choice=0, now=clock())
    assert out is not None and out.verdict is Verdict.NOT_YOURS
    assert await uses.play.answers(att.id) == {}
    assert not await uses.play.predict(attempt_id=att.id, participant_id=intruder, prediction=3, now=clock())
    assert await uses.play.finish(attempt_id=att.id, participant_id=intruder, now=clock()) is None


async def test_an_answer_after_the_deadline_is_refused_and_the_attempt_closes_with_what_it_has(
        uses: UseCases, clock: Clock) -> None:
    pid = await register(uses, clock(), user="a", phone="0912345678")
    att = await uses.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
    await uses.play.answer(attempt_id=att.id, participant_id=pid, position=0, choice=right_choice(uses, att, 0),
                           now=clock())
    clock.advance(minutes=10, seconds=1)
    late = await uses.play.answer(attempt_id=att.id, participant_id=pid, position=1,
                                  choice=right_choice(uses, att, 1), now=clock())
    assert late is not None and late.verdict is Verdict.TIME_UP
    closed = await uses.play.attempt(att.id, now=clock())
    assert closed is not None and closed.status is AttemptStatus.FINISHED and closed.correct == 1
    assert closed.duration().total_seconds() == 600  # counted to the deadline, not to the late tap


async def test_an_expired_attempt_is_closed_when_next_read_without_any_timer(uses: UseCases, clock: Clock) -> None:
    pid = await register(uses, clock(), user="a", phone="0912345678")
    att = await uses.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
    clock.advance(hours=3)
    assert (await uses.play.attempt(att.id, now=clock())).status is AttemptStatus.FINISHED  # type: ignore[union-attr]
    ranked, _ = await uses.standings.leaderboard(round_code="chinh")
    assert [r.standing.attempt_id for r in ranked] == [att.id]


async def test_the_attempt_cap_counts_per_round_and_the_best_attempt_ranks(uses: UseCases, clock: Clock) -> None:
    pid = await register(uses, clock(), user="a", phone="0912345678")
    for right in (3, 7):
        await play(uses, clock, pid, right=right)
    with pytest.raises(CapReached) as refused:
        await uses.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
    assert (refused.value.per, refused.value.limit) == ("round", 2)
    ranked, _ = await uses.standings.leaderboard(round_code="chinh")
    assert [(r.rank, r.standing.correct) for r in ranked] == [(1, 7)]


@pytest.mark.parametrize(("cap", "told"), [(None, None), (2, 2)])
async def test_an_attempt_found_open_and_then_gone_twice_leaves_the_rounds_own_cap_to_decide(
        uses: UseCases, clock: Clock, cap: int | None, told: int | None) -> None:
    """Starting while the citizen's other device finishes attempts: each draw finds an attempt open, and it is
    handed in before it is read. A third draw is made, and only the round's cap refuses, with its own limit
    (this used to say "1 attempt per round" whatever the cap)."""
    await uses.rounds.change("chinh", {"attempts_per_round": cap}, by=ADMIN, now=clock())
    pid = await register(uses, clock(), user="a", phone="0912345678")
    play_ = uses.play
    real, calls = play_._draws, []

    class HandedInMeanwhile:  # the other device starts an attempt and hands it in, each time this one looks
        async def draw(self, **kwargs: Any) -> Attempt | int:
            drawn = await real.draw(**kwargs)
            calls.append(drawn)
            if len(calls) <= 2 and isinstance(drawn, Attempt):
                await play_.finish(attempt_id=drawn.id, participant_id=pid, now=clock())
                return drawn.id
            return drawn
    play_._draws = HandedInMeanwhile()

    if told is None:
        started = await play_.start_attempt(participant_id=pid, round_code="chinh", now=clock())
        assert started.status is AttemptStatus.OPEN and len(calls) == 3
    else:
        with pytest.raises(CapReached) as refused:
            await play_.start_attempt(participant_id=pid, round_code="chinh", now=clock())
        assert (refused.value.per, refused.value.limit) == ("round", told)


async def test_a_daily_cap_opens_again_the_next_day_in_the_contests_time_zone(uses: UseCases, clock: Clock) -> None:
    await uses.rounds.change("chinh", {"attempts_per_round": None, "attempts_per_day": 1}, by=ADMIN, now=clock())
    pid = await register(uses, clock(), user="a", phone="0912345678")
    await play(uses, clock, pid, right=5)
    clock.now = clock.now.replace(hour=16, minute=59)  # 23:59 in Hà Giang
    with pytest.raises(CapReached) as refused:
        await uses.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
    assert refused.value.per == "day"
    clock.advance(minutes=1)  # midnight there, still the same day in UTC
    assert await uses.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())


async def test_practice_rounds_are_unlimited_and_never_ranked(uses: UseCases, clock: Clock) -> None:
    pid = await register(uses, clock(), user="a", phone="0912345678")
    for _ in range(4):
        att = await uses.play.start_attempt(participant_id=pid, round_code="luyen", now=clock())
        result = await uses.play.finish(attempt_id=att.id, participant_id=pid, now=clock())
        assert result is not None and result.rank is None
    ranked, _ = await uses.standings.leaderboard(round_code="luyen")
    assert len(ranked) == 0
    assert {s.code: s.attempts for s in await uses.standings.unit_stats()}["T"] == 0  # practice is not taking part
