"""Rounds and their frozen winners, question set versions, integrity reviews and the contest's revision."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from quiz.integrity import Flag, FlagKind
from quiz.model import QuestionSet, Round
from quiz.pack import ContestPack
from quiz.ports import UowFactory
from quiz.questions import Provenance, Publication
from quiz.rounds import FrozenWinner, RoundState

from .conftest import ON_EVERY_BACKEND
from .make import T0, person, staff_user, started

pytestmark = ON_EVERY_BACKEND
HOUR = timedelta(hours=1)


async def test_a_saved_round_keeps_its_settings_and_a_new_one_comes_last(uow: UowFactory) -> None:
    async with uow() as w:
        chinh = (await w.rounds.state("chinh")).round  # type: ignore[union-attr]
        changed = replace(chinh, questions_per_attempt=12, time_limit=timedelta(minutes=20), attempts_per_day=1,
                          opens=T0, closes=T0 + timedelta(days=3), topic_quotas={"vneid": 4})
        new = Round("tuan-2", {"vi": "Tuần 2", "en": "Week 2"}, "bo-thu", 10, timedelta(minutes=15), prediction=True)
        await w.rounds.save(changed)
        await w.rounds.save(new)
        await w.commit()
    async with uow() as w:
        assert [s.round for s in await w.rounds.states()] == [changed, (await w.rounds.state("luyen")).round, new]  # type: ignore[union-attr]
        assert await w.rounds.state("tuan-2", lock=True) == RoundState(new)
        assert await w.rounds.state("khong-co") is None


async def test_a_closed_round_keeps_its_figure_until_reopened(uow: UowFactory) -> None:
    async with uow() as w:
        before = await w.rounds.state("chinh")
        await w.rounds.close(round_code="chinh", actual=3, now=T0)
        await w.commit()
    async with uow() as w:
        closed = await w.rounds.state("chinh")
        assert closed is not None and (closed.closed, closed.closed_at, closed.figure) == (True, T0, 3)
        assert closed.round == before.round  # type: ignore[union-attr]
        await w.rounds.reopen("chinh")
        await w.commit()
    async with uow() as w:
        assert await w.rounds.state("chinh") == before


async def test_freezing_again_replaces_the_published_winners_and_reopening_withdraws_them(uow: UowFactory) -> None:
    a, b = await person(uow, "0911111111"), await person(uow, "0922222222")
    att_a, att_b = await started(uow, a), await started(uow, b)
    first = [FrozenWinner(2, "nhi", b, att_b.id, 9, 10, 61_000, None),
             FrozenWinner(1, "nhat", a, att_a.id, 10, 10, 5_000_000_000, 7)]  # durations beyond 32 bits
    async with uow() as w:
        await w.rounds.freeze(round_code="chinh", winners=first)
        await w.commit()
        assert await w.rounds.winners("chinh") == sorted(first, key=lambda x: x.rank)
        assert await w.rounds.winners("luyen") == []
        await w.rounds.freeze(round_code="chinh", winners=[replace(first[0], rank=1, prize="nhat")])
        await w.commit()
    async with uow() as w:
        assert [(x.rank, x.participant_id) for x in await w.rounds.winners("chinh")] == [(1, b)]
        await w.rounds.close(round_code="chinh", actual=1, now=T0)
        await w.rounds.reopen("chinh")
        await w.commit()
        assert await w.rounds.winners("chinh") == []


async def test_publishing_unchanged_questions_keeps_the_version(uow: UowFactory, pack: ContestPack) -> None:
    stored = pack.question_sets[0].questions
    rekeyed = (replace(stored[0], correct=1), *stored[1:])
    async with uow() as w:
        assert await w.sets.publish(QuestionSet("bo-thu", 0, stored), now=T0) == Publication("bo-thu", 1, False, 15)
        assert await w.sets.publish(QuestionSet("bo-thu", 0, rekeyed), now=T0) == Publication("bo-thu", 2, True, 15)
        assert await w.sets.publish(QuestionSet("moi", 0, stored[:3]), now=T0) == Publication("moi", 1, True, 3)
        await w.commit()
    async with uow() as w:
        assert await w.sets.publish(QuestionSet("bo-thu", 0, rekeyed), now=T0) == Publication("bo-thu", 2, False, 15)
        explained = (replace(rekeyed[0], explanation="Giải thích mới."), *rekeyed[1:])
        assert (await w.sets.publish(QuestionSet("bo-thu", 0, explained), now=T0)).version == 3
        await w.commit()
        assert [await w.sets.latest_version(n) for n in ("bo-thu", "moi", "khong-co")] == [3, 1, None]


async def test_a_sets_history_lists_every_version_newest_first_with_where_it_came_from(
        uow: UowFactory, pack: ContestPack) -> None:
    stored = pack.question_sets[0].questions
    rekeyed = (replace(stored[0], correct=1), *stored[1:])
    imported = Provenance("staff:quantri", "cau-hoi.xlsx", "ab" * 32, {"rekeyed": 1, "answers_regraded": 0})
    restored = Provenance("staff:quantri", "bo-thu-v1.xlsx", "cd" * 32, {"rekeyed": 1}, restored_from=1)
    async with uow() as w:
        await w.sets.publish(QuestionSet("bo-thu", 0, rekeyed), now=T0 + HOUR, provenance=imported)
        await w.sets.publish(QuestionSet("bo-thu", 0, stored), now=T0 + 2 * HOUR, provenance=restored)
        await w.sets.publish(QuestionSet("bo-thu", 0, stored), now=T0 + 3 * HOUR, provenance=imported)  # unchanged
        await w.commit()
    async with uow() as w:
        history = await w.sets.history("bo-thu")
        assert await w.sets.history("khong-co") == []
    assert [(h.name, h.version, h.count, h.provenance) for h in history] == [
        ("bo-thu", 3, 15, restored), ("bo-thu", 2, 15, imported), ("bo-thu", 1, 15, None)]  # v1: from the pack
    assert [h.published_at for h in history[:2]] == [T0 + 2 * HOUR, T0 + HOUR]


async def test_a_version_without_questions_is_in_its_sets_history_too(uow: UowFactory) -> None:
    async with uow() as w:
        await w.sets.publish(QuestionSet("trong", 0, ()), now=T0 + HOUR)
        await w.commit()
    async with uow() as w:
        assert [(h.version, h.count) for h in await w.sets.history("trong")] == [(1, 0)]


def _flag(kind: FlagKind, participant_id: int, attempt_id: int | None = None) -> Flag:
    return Flag(kind, participant_id, attempt_id, {"seconds_per_answer": 1.5} if kind is FlagKind.TOO_FAST else {})


async def test_a_review_is_opened_once_per_participant_and_kind_in_a_round(uow: UowFactory) -> None:
    a, b = await person(uow, "0911111111"), await person(uow, "0922222222")
    att = await started(uow, a)
    async with uow() as w:
        assert await w.reviews.add(round_code="chinh", now=T0, flags=[
            _flag(FlagKind.TOO_FAST, a, att.id), _flag(FlagKind.SAME_ANSWERS, a), _flag(FlagKind.TOO_FAST, b)]) == 3
        await w.commit()
    async with uow() as w:
        assert await w.reviews.add(round_code="chinh", now=T0 + timedelta(hours=1), flags=[
            _flag(FlagKind.TOO_FAST, a, att.id), _flag(FlagKind.REFERRAL_BURST, a)]) == 1
        assert await w.reviews.add(round_code="luyen", now=T0, flags=[_flag(FlagKind.TOO_FAST, a)] * 2) == 1
        await w.commit()
    async with uow() as w:
        found = await w.reviews.of_round("chinh", statuses=("open",), limit=10)
    assert [(r.participant_id, r.kind, r.round_code, r.status, r.created_at) for r in found] == [
        (a, "too_fast", "chinh", "open", T0), (a, "same_answers", "chinh", "open", T0),
        (b, "too_fast", "chinh", "open", T0), (a, "referral_burst", "chinh", "open", T0 + timedelta(hours=1))]
    assert (found[0].attempt_id, found[0].detail, found[1].attempt_id) == (att.id, {"seconds_per_answer": 1.5}, None)


async def test_a_decision_is_kept_with_who_made_it(uow: UowFactory) -> None:
    a, b = await person(uow, "0911111111"), await person(uow, "0922222222")
    user = await staff_user(uow, "btc.binh")
    async with uow() as w:
        await w.reviews.add(round_code="chinh", now=T0, flags=[_flag(FlagKind.TOO_FAST, p) for p in (a, b)])
        await w.commit()
    async with uow() as w:
        first, second = await w.reviews.of_round("chinh", statuses=("open",), limit=10)
        await w.reviews.decide(review_id=first.id, status="disqualified", user_id=user.id, now=T0 + timedelta(hours=1),
                               reason="Mười câu trong mười lăm giây")
        await w.reviews.decide(review_id=second.id, status="cleared", user_id=user.id, now=T0, reason="Đã gọi điện")
        await w.reviews.decide(review_id=second.id, status="open", user_id=None, now=T0 + timedelta(hours=2))
        await w.commit()
    async with uow() as w:
        decided = await w.reviews.get(first.id)
        assert decided is not None
        assert (decided.status, decided.decided_by, decided.decided_at, decided.reason) == (
            "disqualified", "btc.binh", T0 + timedelta(hours=1), "Mười câu trong mười lăm giây")
        reopened = await w.reviews.get(second.id)
        assert reopened is not None and (reopened.status, reopened.decided_by, reopened.decided_at,
                                         reopened.reason) == ("open", None, None, "")
        assert [r.id for r in await w.reviews.of_round("chinh", statuses=("open", "disqualified"), limit=1)] == [
            first.id]
        assert await w.reviews.of_round("chinh", statuses=("cleared",), limit=10) == []
        assert await w.reviews.get(10_000) is None


async def test_a_participants_reviews_are_listed_across_rounds_in_the_order_opened(uow: UowFactory) -> None:
    a, b = await person(uow, "0911111111"), await person(uow, "0922222222")
    async with uow() as w:
        await w.reviews.add(round_code="luyen", now=T0, flags=[_flag(FlagKind.TOO_FAST, a)])
        await w.reviews.add(round_code="chinh", now=T0, flags=[_flag(FlagKind.SAME_ANSWERS, a),
                                                               _flag(FlagKind.TOO_FAST, b)])
        await w.commit()
    async with uow() as w:
        assert [(r.round_code, r.kind) for r in await w.reviews.of_participant(a)] == [
            ("luyen", "too_fast"), ("chinh", "same_answers")]
        assert await w.reviews.of_participant(10_000) == []


async def test_a_removed_round_is_gone_with_its_reviews(uow: UowFactory) -> None:
    pid = await person(uow)
    async with uow() as w:
        await w.rounds.save(Round("tuan-2", {"vi": "Tuần 2"}, "bo-thu", 10, timedelta(minutes=15)))
        await w.commit()
    async with uow() as w:
        await w.reviews.add(round_code="tuan-2", now=T0, flags=[_flag(FlagKind.TOO_FAST, pid)])
        await w.commit()
    async with uow() as w:
        await w.rounds.remove("tuan-2")
        await w.commit()
    async with uow() as w:
        assert await w.rounds.state("tuan-2") is None and await w.rounds.winners("tuan-2") == []
        assert [s.round.code for s in await w.rounds.states()] == ["chinh", "luyen"]
        assert await w.reviews.of_participant(pid) == []

async def test_the_revision_grows_by_one_with_each_bump(uow: UowFactory) -> None:
    async with uow() as w:
        start = await w.revision.current()
        assert [await w.revision.bump(), await w.revision.bump()] == [start + 1, start + 2]
        await w.commit()
    async with uow() as w:
        assert await w.revision.current() == start + 2
