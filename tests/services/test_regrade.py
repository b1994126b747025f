"""Publishing a corrected answer key (tests/publishing.py does it as an admin's file would): past answers
are judged again and the ranking follows, while winners published at closing stay as they were."""
from __future__ import annotations

from dataclasses import replace

from conftest import Clock
from publishing import ADMIN, publish_questions
from quiz.model import Question
from quiz.services import UseCases

from .citizens import play, register


def _rekeyed(uses: UseCases) -> tuple[Question, ...]:
    """The fixture set with option B made right: the key said A, which was wrong."""
    return tuple(replace(q, correct=1) for q in uses.live.runtime.sets["bo-thu"].questions)


async def _everywhere(uses: UseCases, clock: Clock, pid: int, option: int) -> int:
    """An attempt choosing the same option of every question, wherever it is shown; its id."""
    att = await uses.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
    for pos, item in enumerate(att.paper):
        await uses.play.answer(attempt_id=att.id, participant_id=pid, position=pos, choice=item.order.index(option),
                               now=clock())
    await uses.play.finish(attempt_id=att.id, participant_id=pid, now=clock())
    return att.id


async def test_correcting_an_answer_key_rescores_past_attempts_and_the_ranking_follows(
        uses: UseCases, clock: Clock) -> None:
    a = await register(uses, clock(), user="a", phone="0911111111")
    b = await register(uses, clock(), user="b", phone="0922222222")
    a_attempt, _ = await _everywhere(uses, clock, a, 0), await _everywhere(uses, clock, b, 1)
    before, _ = await uses.standings.leaderboard(round_code="chinh")
    assert [(r.standing.participant_id, r.standing.correct) for r in before] == [(a, 10), (b, 0)]

    done = await publish_questions(uses.imports, uses.live, "bo-thu", _rekeyed(uses), now=clock())

    assert (done.publication.version, done.rekeyed, done.answers_regraded, done.attempts_regraded) == (2, 15, 20, 2)
    after, _ = await uses.standings.leaderboard(round_code="chinh")
    assert [(r.standing.participant_id, r.standing.correct) for r in after] == [(b, 10), (a, 0)]
    assert (await uses.play.attempt(a_attempt, now=clock())).correct == 0  # type: ignore[union-attr]
    assert uses.live.runtime.sets["bo-thu"].version == 2  # new attempts draw from the corrected set


async def test_publishing_the_same_questions_stores_no_version_and_regrades_nothing(
        uses: UseCases, clock: Clock) -> None:
    revision = uses.live.revision
    done = await publish_questions(uses.imports, uses.live, "bo-thu", uses.live.runtime.sets["bo-thu"].questions,
                                   now=clock())
    assert not done.publication.changed and (done.answers_regraded, done.attempts_regraded) == (0, 0)
    assert uses.live.revision == revision and uses.live.runtime.sets["bo-thu"].version == 1


async def test_a_regrade_names_the_closed_rounds_whose_published_winners_stay_frozen(
        uses: UseCases, clock: Clock) -> None:
    pid = await register(uses, clock(), user="a", phone="0911111111")
    att = await uses.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
    await uses.play.answer(attempt_id=att.id, participant_id=pid, position=0, choice=att.paper[0].order.index(0),
                           now=clock())  # right under the old key, wrong under the new one
    await uses.play.finish(attempt_id=att.id, participant_id=pid, now=clock())
    await uses.rounds.close("chinh", by=ADMIN, now=clock())
    done = await publish_questions(uses.imports, uses.live, "bo-thu", _rekeyed(uses), now=clock())
    assert done.answers_regraded == 1 and done.frozen_rounds == ("chinh",)  # the practice round never ranks


async def test_erasure_and_regrade_after_closing_leave_the_published_winners_alone(
        uses: UseCases, clock: Clock) -> None:
    a = await register(uses, clock(), user="a", phone="0911111111")
    b = await register(uses, clock(), user="b", phone="0922222222", unit="T-B-1")
    c = await register(uses, clock(), user="c", phone="0933333333", unit="T-A-2")
    await play(uses, clock, a, right=10, seconds=20, prediction=2)
    await play(uses, clock, b, right=10, seconds=5, prediction=9)
    await play(uses, clock, c, right=4, finish=False)
    published = (await uses.rounds.close("chinh", by=ADMIN, now=clock())).winners

    await uses.people.erase(participant_id=a, now=clock())
    await publish_questions(uses.imports, uses.live, "bo-thu", _rekeyed(uses), now=clock())

    live, _ = await uses.standings.leaderboard(round_code="chinh")
    assert [r.standing.participant_id for r in live] != [w.participant_id for w in published]
    assert tuple(await uses.rounds.winners("chinh")) == published
    again = await uses.rounds.close("chinh", by=ADMIN, now=clock())
    assert again.already and again.winners == published

    refrozen = await uses.rounds.close("chinh",
                                       by=ADMIN, now=clock(), refreeze=True)  # an admin publishes the regraded result
    assert [w.participant_id for w in refrozen.winners] == [r.standing.participant_id for r in live][:3]
    assert a not in [w.participant_id for w in refrozen.winners]
