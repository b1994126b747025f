"""The contest's guarantees, through the service layer, on SQLite and PostgreSQL."""
from __future__ import annotations

import asyncio

import pytest

from bot.compose import App
from publishing import publish_questions
from quiz.attempts import AttemptStatus, CapReached, Verdict
from quiz.people import PhoneTaken


async def register(app: App, clock, *, user: str, phone: str, unit: str = "T-A-1", name: str = "Nguyễn Văn An") -> int:
    acc = await app.people.account(channel="console", external_id=user, locale="vi", now=clock())
    person = await app.people.register(account_id=acc.id, full_name=name, birth_year=1990, phone=phone, unit_code=unit,
                              referral=None, now=clock())
    return person.id


def correct_choice(app: App, att, position: int) -> int:
    item = att.paper[position]
    question = app.runtime.questions(att.set_name, att.set_version)[item.question_id]
    return item.shown_correct(question)


async def test_a_phone_number_registers_one_participant_only(app: App, clock) -> None:
    await register(app, clock, user="a", phone="0912345678")
    with pytest.raises(PhoneTaken):
        await register(app, clock, user="b", phone="0912345678")
    assert await app.people.phone_taken("0912345678")


async def test_a_second_answer_to_the_same_question_changes_nothing(app: App, clock) -> None:
    pid = await register(app, clock, user="a", phone="0912345678")
    att = await app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
    right = correct_choice(app, att, 0)
    wrong = (right + 1) % 4
    first = await app.play.answer(attempt_id=att.id, participant_id=pid, position=0, choice=right, now=clock())
    second = await app.play.answer(attempt_id=att.id, participant_id=pid, position=0, choice=wrong, now=clock())
    assert first.verdict is Verdict.ACCEPTED
    assert second.verdict is Verdict.ALREADY_ANSWERED
    assert await app.play.answers(att.id) == {0: right}
    assert (await app.play.attempt(att.id, now=clock())).correct == 1


async def test_racing_double_taps_store_one_answer(app: App, clock) -> None:
    pid = await register(app, clock, user="a", phone="0912345678")
    att = await app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
    right = correct_choice(app, att, 0)
    outcomes = await asyncio.gather(*[
        app.play.answer(attempt_id=att.id, participant_id=pid, position=0, choice=right, now=clock())
        for _ in range(5)])
    assert sorted(o.verdict.value for o in outcomes) == ["accepted"] + ["already_answered"] * 4
    assert (await app.play.attempt(att.id, now=clock())).correct == 1


async def test_an_answer_after_the_deadline_is_refused_and_the_attempt_closes_with_what_it_has(app: App, clock) -> None:
    pid = await register(app, clock, user="a", phone="0912345678")
    att = await app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
    await app.play.answer(attempt_id=att.id, participant_id=pid, position=0,
                              choice=correct_choice(app, att, 0), now=clock())
    clock.advance(minutes=10, seconds=1)
    late = await app.play.answer(attempt_id=att.id, participant_id=pid, position=1,
                                     choice=correct_choice(app, att, 1), now=clock())
    assert late.verdict is Verdict.TIME_UP
    closed = await app.play.attempt(att.id, now=clock())
    assert closed.status is AttemptStatus.FINISHED
    assert closed.correct == 1
    assert closed.duration().total_seconds() == 600  # counted to the deadline, not to the late tap


async def test_an_expired_attempt_is_closed_when_next_read_without_any_timer(app: App, clock) -> None:
    pid = await register(app, clock, user="a", phone="0912345678")
    att = await app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
    clock.advance(hours=3)
    assert (await app.play.attempt(att.id, now=clock())).status is AttemptStatus.FINISHED
    ranked, _ = await app.standings.leaderboard(round_code="chinh")
    assert [r.standing.attempt_id for r in ranked] == [att.id]


async def test_nobody_can_answer_another_participants_attempt(app: App, clock) -> None:
    owner = await register(app, clock, user="a", phone="0912345678")
    intruder = await register(app, clock, user="b", phone="0987654321")
    att = await app.play.start_attempt(participant_id=owner, round_code="chinh", now=clock())
    out = await app.play.answer(attempt_id=att.id, participant_id=intruder, position=0, choice=0, now=clock())
    assert out.verdict is Verdict.NOT_YOURS
    assert await app.play.answers(att.id) == {}


async def test_the_attempt_cap_counts_per_round_and_the_best_attempt_ranks(app: App, clock) -> None:
    pid = await register(app, clock, user="a", phone="0912345678")
    for good in (3, 7):
        att = await app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
        for pos in range(10):
            choice = correct_choice(app, att, pos) if pos < good else (correct_choice(app, att, pos) + 1) % 4
            await app.play.answer(attempt_id=att.id, participant_id=pid, position=pos, choice=choice, now=clock())
        clock.advance(seconds=30)
        await app.play.finish(attempt_id=att.id, participant_id=pid, now=clock())
    with pytest.raises(CapReached):
        await app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
    ranked, _ = await app.standings.leaderboard(round_code="chinh")
    assert [(r.rank, r.standing.correct) for r in ranked] == [(1, 7)]


async def test_practice_rounds_are_unlimited_and_never_ranked(app: App, clock) -> None:
    pid = await register(app, clock, user="a", phone="0912345678")
    for _ in range(4):
        att = await app.play.start_attempt(participant_id=pid, round_code="luyen", now=clock())
        result = await app.play.finish(attempt_id=att.id, participant_id=pid, now=clock())
        assert result.rank is None
    ranked, _ = await app.standings.leaderboard(round_code="luyen")
    assert len(ranked) == 0


async def test_starting_twice_at_once_opens_one_attempt(app: App, clock) -> None:
    pid = await register(app, clock, user="a", phone="0912345678")
    atts = await asyncio.gather(*[app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
                                  for _ in range(3)])
    assert len({a.id for a in atts}) == 1


async def test_the_paper_is_frozen_and_honours_topic_quotas(app: App, clock) -> None:
    pid = await register(app, clock, user="a", phone="0912345678")
    att = await app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
    again = await app.play.attempt(att.id, now=clock())
    assert again.paper == att.paper
    questions = app.runtime.questions(att.set_name, att.set_version)
    topics = [questions[i.question_id].topic for i in att.paper]
    assert len(set(i.question_id for i in att.paper)) == 10
    assert topics.count("vneid") >= 3 and topics.count("an-toan") >= 3


async def test_erasing_anonymises_the_participant_but_unit_counts_stay(app: App, clock) -> None:
    pid = await register(app, clock, user="a", phone="0912345678")
    att = await app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
    await app.play.finish(attempt_id=att.id, participant_id=pid, now=clock())
    await app.people.erase(participant_id=pid, now=clock())
    person = await app.people.participant(pid)
    assert person.erased and person.phone is None and person.full_name != "Nguyễn Văn An"
    assert not await app.people.phone_taken("0912345678")
    ranked, _ = await app.standings.leaderboard(round_code="chinh")
    assert len(ranked) == 0
    stats = await app.standings.unit_stats()
    by_code = {s.code: s for s in stats}
    assert by_code["T-A-1"].participants == 1 and by_code["T"].attempts == 1


async def test_closing_a_round_freezes_the_all_correct_figure_used_for_predictions(app: App, clock) -> None:
    finishers = []
    for n, (user, phone, prediction) in enumerate([("a", "0911111111", 1), ("b", "0922222222", 5)]):
        pid = await register(app, clock, user=user, phone=phone)
        att = await app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
        for pos in range(10):
            await app.play.answer(attempt_id=att.id, participant_id=pid, position=pos,
                           choice=correct_choice(app, att, pos), now=clock())
        await app.play.predict(attempt_id=att.id, participant_id=pid, prediction=prediction, now=clock())
        clock.advance(seconds=60 - 30 * n)  # b is faster, but a predicts better
        await app.play.finish(attempt_id=att.id, participant_id=pid, now=clock())
        finishers.append(pid)
    assert (await app.rounds.close("chinh", now=clock())).figure == 2
    ranked, figure = await app.standings.leaderboard(round_code="chinh")
    assert figure == 2
    assert [r.standing.participant_id for r in ranked] == finishers  # |1-2| < |5-2| beats speed


async def test_changing_unit_moves_the_participant_count(app: App, clock) -> None:
    pid = await register(app, clock, user="a", phone="0912345678", unit="T-A-1")
    await app.people.change_unit(participant_id=pid, unit_code="T-B-1")
    by_code = {s.code: s.participants for s in await app.standings.unit_stats()}
    assert (by_code["T-A-1"], by_code["T-B-1"], by_code["T"]) == (0, 1, 1)
    assert (await app.people.participant(pid)).unit_code == "T-B-1"


async def test_correcting_an_answer_key_rescores_past_attempts_and_the_ranking_follows(app: App, clock) -> None:
    from dataclasses import replace
    takers = []
    for user, phone, wanted in (("a", "0911111111", 0), ("b", "0922222222", 1)):  # a picks "Đúng", b "Sai một"
        pid = await register(app, clock, user=user, phone=phone)
        att = await app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
        for pos, item in enumerate(att.paper):
            await app.play.answer(attempt_id=att.id, participant_id=pid, position=pos, choice=item.order.index(wanted),
                           now=clock())
        await app.play.finish(attempt_id=att.id, participant_id=pid, now=clock())
        takers.append((pid, att.id))
    before, _ = await app.standings.leaderboard(round_code="chinh")
    assert [(r.standing.participant_id, r.standing.correct) for r in before] == [(takers[0][0], 10), (takers[1][0], 0)]

    corrected = tuple(replace(q, correct=1) for q in app.runtime.sets["bo-thu"].questions)  # the key was wrong
    done = await publish_questions(app.imports, app.live, "bo-thu", corrected, now=clock())

    assert (done.answers_regraded, done.attempts_regraded) == (20, 2)
    after, _ = await app.standings.leaderboard(round_code="chinh")
    assert [(r.standing.participant_id, r.standing.correct) for r in after] == [(takers[1][0], 10), (takers[0][0], 0)]
    assert (await app.play.attempt(takers[0][1], now=clock())).correct == 0


async def test_publishing_the_same_questions_stores_no_version_and_regrades_nothing(app: App, clock) -> None:
    done = await publish_questions(app.imports, app.live, "bo-thu", app.runtime.sets["bo-thu"].questions, now=clock())
    assert not done.publication.changed and (done.answers_regraded, done.attempts_regraded) == (0, 0)


async def test_a_regrade_names_the_closed_rounds_whose_published_winners_stay_frozen(app: App, clock) -> None:
    from dataclasses import replace
    pid = await register(app, clock, user="a", phone="0911111111")
    att = await app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
    await app.play.answer(attempt_id=att.id, participant_id=pid, position=0, choice=att.paper[0].order.index(0),
                          now=clock())  # right under the old key, wrong under the new one
    await app.play.finish(attempt_id=att.id, participant_id=pid, now=clock())
    await app.rounds.close("chinh", now=clock())
    corrected = tuple(replace(q, correct=1) for q in app.runtime.sets["bo-thu"].questions)
    done = await publish_questions(app.imports, app.live, "bo-thu", corrected, now=clock())
    assert done.answers_regraded == 1 and done.frozen_rounds == ("chinh",)  # the practice round never ranks
