"""Attempts and their answers: one open attempt per round, one answer per position, the ranking's entries."""
from __future__ import annotations

from datetime import timedelta

import pytest

from quiz.attempts import AttemptRace, AttemptStatus
from quiz.integrity import Flag, FlagKind
from quiz.ports import UowFactory
from quiz.regrade import StoredAnswer

from .conftest import ON_EVERY_BACKEND
from .make import T0, new_attempt, paper, person, staff_user, started

pytestmark = ON_EVERY_BACKEND


async def test_an_attempt_reads_back_with_its_frozen_paper_and_deadline(uow: UowFactory) -> None:
    pid = await person(uow)
    made = await started(uow, pid, minutes=15)
    async with uow() as w:
        stored = await w.attempts.get(made.id)
        assert stored == made and stored is not None
        assert stored.paper == paper() and stored.deadline == T0 + timedelta(minutes=15)
        assert (stored.status, stored.correct, stored.finished_at, stored.prediction) == (
            AttemptStatus.OPEN, 0, None, None)
        assert await w.attempts.open_for(participant_id=pid, round_code="chinh") == made
        assert await w.attempts.open_for(participant_id=pid, round_code="luyen") is None
        assert await w.attempts.get(10_000) is None


async def test_a_second_attempt_while_one_is_open_is_a_race_that_spoils_nothing(uow: UowFactory) -> None:
    pid = await person(uow)
    first = await started(uow, pid)
    async with uow() as w:
        with pytest.raises(AttemptRace):
            await w.attempts.add(new_attempt(pid, seq=2))
        practice = await w.attempts.add(new_attempt(pid, round_code="luyen", practice=True))  # another round
        await w.attempts.finish(attempt_id=first.id, at=T0 + timedelta(minutes=1))
        with pytest.raises(AttemptRace):
            await w.attempts.add(new_attempt(pid, seq=1))  # that place in the quota is taken
        second = await w.attempts.add(new_attempt(pid, seq=2))
        await w.commit()
    async with uow() as w:
        assert [a.id for a in await w.attempts.of_participant(participant_id=pid)] == [first.id, practice.id, second.id]


async def test_attempts_are_counted_per_round_and_per_day(uow: UowFactory) -> None:
    pid = await person(uow)
    first = await started(uow, pid)
    async with uow() as w:
        await w.attempts.finish(attempt_id=first.id, at=T0)
        await w.commit()
    await started(uow, pid, seq=2, at=T0 + timedelta(days=1))
    async with uow() as w:
        assert await w.attempts.counts(participant_id=pid, round_code="chinh", day=T0.date()) == (2, 1)
        assert await w.attempts.counts(participant_id=pid, round_code="chinh",
                                       day=(T0 + timedelta(days=2)).date()) == (2, 0)
        assert await w.attempts.counts(participant_id=pid, round_code="luyen", day=T0.date()) == (0, 0)
        assert await w.attempts.any_in("chinh") and not await w.attempts.any_in("luyen")


async def test_an_answer_is_kept_once_per_position_and_counted_if_right(uow: UowFactory) -> None:
    att = await started(uow, await person(uow))
    async with uow() as w:
        assert await w.attempts.record_answer(attempt_id=att.id, position=0, question_id="q-001", choice=2,
                                              correct=True, now=T0)
        assert not await w.attempts.record_answer(attempt_id=att.id, position=0, question_id="q-001", choice=1,
                                                  correct=False, now=T0)
        assert await w.attempts.record_answer(attempt_id=att.id, position=1, question_id="q-002", choice=3,
                                              correct=False, now=T0)
        await w.attempts.set_prediction(attempt_id=att.id, prediction=42)
        await w.commit()
    async with uow() as w:
        assert await w.attempts.answers(att.id) == {0: 2, 1: 3}
        stored = await w.attempts.get(att.id)
        assert stored is not None and (stored.correct, stored.prediction) == (1, 42)


async def test_finishing_closes_an_open_attempt_once(uow: UowFactory) -> None:
    att = await started(uow, await person(uow))
    async with uow() as w:
        done = await w.attempts.finish(attempt_id=att.id, at=T0 + timedelta(minutes=3))
        again = await w.attempts.finish(attempt_id=att.id, at=T0 + timedelta(minutes=4))
        await w.commit()
        assert done == again
        assert done is not None and (done.status, done.finished_at) == (AttemptStatus.FINISHED,
                                                                         T0 + timedelta(minutes=3))
        assert await w.attempts.finish(attempt_id=10_000, at=T0) is None


async def test_ending_an_open_attempt_asks_that_it_is_open_and_the_participants(uow: UowFactory) -> None:
    owner, other = await person(uow), await person(uow, "0910000009")
    att = await started(uow, owner)
    async with uow() as w:
        assert await w.attempts.end_open(attempt_id=att.id, participant_id=other, at=T0) is None
        done = await w.attempts.end_open(attempt_id=att.id, participant_id=owner, at=T0 + timedelta(minutes=3))
        assert await w.attempts.end_open(attempt_id=att.id, participant_id=owner, at=T0 + timedelta(minutes=4)) is None
        await w.commit()
    assert done is not None and (done.status, done.finished_at) == (AttemptStatus.FINISHED, T0 + timedelta(minutes=3))
    async with uow() as w:
        assert await w.attempts.get(att.id) == done


async def test_entries_say_who_erased_their_data_and_who_is_disqualified_in_that_round(uow: UowFactory) -> None:
    kept, erased, dropped, elsewhere = [await person(uow, f"091000000{n}") for n in range(4)]
    attempts = {pid: await started(uow, pid) for pid in (kept, erased, dropped, elsewhere)}
    user = await staff_user(uow)
    async with uow() as w:
        await w.attempts.finish(attempt_id=attempts[kept].id, at=T0 + timedelta(minutes=2))
        await w.participants.anonymise([erased], now=T0)
        await w.reviews.add(round_code="chinh", flags=[Flag(FlagKind.TOO_FAST, dropped, attempts[dropped].id),
                                                       Flag(FlagKind.SAME_ANSWERS, kept, attempts[kept].id)], now=T0)
        await w.reviews.add(round_code="luyen", flags=[Flag(FlagKind.TOO_FAST, elsewhere, None)], now=T0)
        await w.commit()
    async with uow() as w:
        for round_code in ("chinh", "luyen"):  # only the "chinh" review of `dropped` disqualifies
            for review in await w.reviews.of_round(round_code, statuses=("open",), limit=10):
                status = "cleared" if review.participant_id == kept else "disqualified"
                await w.reviews.decide(review_id=review.id, status=status, user_id=user.id, now=T0)
        await w.commit()
    async with uow() as w:
        entries = {e.participant_id: e for e in await w.attempts.entries(round_code="chinh")}
    assert {p: (e.erased, e.disqualified) for p, e in entries.items()} == {
        kept: (False, False), erased: (True, False), dropped: (False, True), elsewhere: (False, False)}
    k = entries[kept]
    assert (k.attempt_id, k.correct, k.total, k.started_at, k.deadline, k.finished_at, k.prediction, k.practice) == (
        attempts[kept].id, 0, 10, T0, T0 + timedelta(minutes=10), T0 + timedelta(minutes=2), None, False)
    assert entries[erased].finished_at is None


async def test_stopping_a_round_ends_its_open_attempts_at_the_earlier_of_now_and_their_deadline(
        uow: UowFactory) -> None:
    early, late, done, other = [await person(uow, f"091000000{n}") for n in range(4)]
    expired = await started(uow, early, at=T0 - timedelta(minutes=30))  # its deadline passed 20 minutes ago
    running = await started(uow, late)
    finished = await started(uow, done)
    practice = await started(uow, other, round_code="luyen", practice=True)
    async with uow() as w:
        await w.attempts.finish(attempt_id=finished.id, at=T0 + timedelta(minutes=1))
        await w.commit()
    stop = T0 + timedelta(minutes=5)
    async with uow() as w:
        assert await w.attempts.stop_open(round_code="chinh", at=stop) == 2
        await w.commit()
    async with uow() as w:
        ended = {a: await w.attempts.get(a) for a in (expired.id, running.id, finished.id, practice.id)}
    assert {a: (x.status, x.finished_at) for a, x in ended.items() if x} == {
        expired.id: (AttemptStatus.FINISHED, expired.deadline), running.id: (AttemptStatus.FINISHED, stop),
        finished.id: (AttemptStatus.FINISHED, T0 + timedelta(minutes=1)), practice.id: (AttemptStatus.OPEN, None)}


async def test_a_regrade_finds_the_answers_to_rekeyed_questions_and_recounts_their_attempts(
        uow: UowFactory) -> None:
    a, b = await person(uow, "0911111111"), await person(uow, "0922222222")
    first, practice = await started(uow, a), await started(uow, b, round_code="luyen", practice=True)
    async with uow() as w:
        for att in (first, practice):
            for pos, right in ((0, True), (1, False), (2, True)):
                await w.attempts.record_answer(attempt_id=att.id, position=pos, question_id=f"q-00{pos + 1}",
                                               choice=pos, correct=right, now=T0)
        await w.commit()
    async with uow() as w:
        found = await w.attempts.answers_to(set_name="bo-thu", versions=[1], question_ids=["q-001", "q-002"])
        assert sorted(found, key=lambda s: (s.attempt_id, s.position)) == [
            StoredAnswer(att.id, 1, pos, pos, paper()[pos], right)
            for att in (first, practice) for pos, right in ((0, True), (1, False))]
        assert await w.attempts.answers_to(set_name="bo-thu", versions=[2], question_ids=["q-001"]) == []
        rounds = await w.attempts.rescore(changes=[(first.id, 0, False), (first.id, 1, True), (practice.id, 1, True)])
        await w.commit()
        assert sorted(rounds) == ["chinh", "luyen"] and await w.attempts.rescore(changes=[]) == []
    async with uow() as w:
        assert [(await w.attempts.get(x.id)).correct for x in (first, practice)] == [2, 3]  # type: ignore[union-attr]


async def test_entries_read_a_page_at_a_time_by_id_or_by_ids_are_those_of_the_whole_round(uow: UowFactory) -> None:
    made = [await started(uow, await person(uow, f"091000000{n}")) for n in range(5)]
    await started(uow, await person(uow, "0919999999"), round_code="luyen", practice=True)
    async with uow() as w:
        whole = await w.attempts.entries(round_code="chinh")
        pages, after = [], 0
        while page := await w.attempts.entries(round_code="chinh", after=after, limit=2):
            pages.append([e.attempt_id for e in page])
            after = page[-1].attempt_id
        chosen = await w.attempts.entries(round_code="chinh", ids=[made[3].id, made[1].id])
        assert await w.attempts.entries(round_code="chinh", ids=[]) == []
    ids = [a.id for a in made]
    assert sorted(e.attempt_id for e in whole) == ids and pages == [ids[0:2], ids[2:4], ids[4:]]
    assert sorted(chosen, key=lambda e: e.attempt_id) == sorted(
        (e for e in whole if e.attempt_id in (made[1].id, made[3].id)), key=lambda e: e.attempt_id)


async def test_handing_in_expired_attempts_ends_only_those_past_their_deadline_at_it_and_once(
        uow: UowFactory) -> None:
    early, late, other = [await person(uow, f"091000000{n}") for n in range(3)]
    expired = await started(uow, early, at=T0 - timedelta(minutes=30))  # its deadline passed 20 minutes ago
    running = await started(uow, late)
    practice = await started(uow, other, round_code="luyen", practice=True, at=T0 - timedelta(minutes=30))
    async with uow() as w:
        assert await w.attempts.hand_in_expired(round_code="chinh", now=T0) == [expired.id]
        await w.commit()
    async with uow() as w:
        assert await w.attempts.hand_in_expired(round_code="chinh", now=T0) == []
        ended = {a: await w.attempts.get(a) for a in (expired.id, running.id, practice.id)}
    assert {a: (x.status, x.finished_at) for a, x in ended.items() if x} == {
        expired.id: (AttemptStatus.FINISHED, expired.deadline), running.id: (AttemptStatus.OPEN, None),
        practice.id: (AttemptStatus.OPEN, None)}
