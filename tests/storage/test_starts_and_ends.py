"""Starting and handing in attempts against the real databases (on PostgreSQL a read and a write each, every
statement committed alone, bot.storage.attempt_draw and bot.storage.attempt_end; on SQLite one transaction
each): who may start, what counts towards the caps and the organisers' figures by unit, and where a result
ranks. The rules themselves are tested on the fakes, in tests/services."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.compose import App
from bot.storage.uow import SqlUnitOfWork
from quiz.attempts import AttemptStatus, CapReached
from quiz.audit import CLI
from quiz.identity import Guardian
from quiz.people import TakingPartRefused
from quiz.ranking import Unranked
from rounds.people import register


async def _attempts_by_unit(app: App) -> dict[str, int]:
    async with SqlUnitOfWork(app.engine, app.scope) as uow:
        return dict((await uow.counters.all())[1])


async def test_starts_at_the_same_moment_open_one_attempt_counted_once_for_the_unit(app: App, clock: Any) -> None:
    pid = await register(app, clock(), user="a", phone="0912345678", unit="T-B-1")
    atts = await asyncio.gather(*[app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
                                  for _ in range(4)])
    assert len({a.id for a in atts}) == 1
    assert (await _attempts_by_unit(app)).get("T-B-1") == 1
    await app.play.start_attempt(participant_id=pid, round_code="luyen", now=clock())  # practice: not counted
    assert (await _attempts_by_unit(app)).get("T-B-1") == 1


async def test_the_attempt_open_is_resumed_and_one_whose_time_is_up_is_handed_in_first(app: App,
                                                                                         clock: Any) -> None:
    pid = await register(app, clock(), user="a", phone="0912345678")
    first = await app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
    assert (await app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())).id == first.id
    clock.advance(seconds=(first.deadline - first.started_at).total_seconds() + 1)
    second = await app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
    assert second.id != first.id
    ended = await app.play.attempt(first.id, now=clock())
    assert ended is not None and ended.finished_at == first.deadline
    clock.advance(seconds=(second.deadline - second.started_at).total_seconds() + 1)
    with pytest.raises(CapReached):  # two attempts in the round, both counted
        await app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())


async def test_a_minor_starts_only_once_a_guardian_consented_and_no_one_after_withdrawing(app: App,
                                                                                          clock: Any) -> None:
    now = clock()
    account = await app.people.account(channel="console", external_id="child", locale="vi", now=now)
    child = await app.people.register(account_id=account.id, full_name="Trần Văn Bé", birth_year=now.year - 13,
                                      phone="0977000111", unit_code="T-A-1", referral=None, now=now)
    with pytest.raises(TakingPartRefused) as refused:
        await app.play.start_attempt(participant_id=child.id, round_code="chinh", now=clock())
    assert refused.value.reason == "guardian"
    assert (await _attempts_by_unit(app)).get("T-A-1", 0) == 0
    await app.people.set_guardian(participant_id=child.id, guardian=Guardian("Trần Thị Mẹ", "0912000000", "declared"),
                                  now=now)
    assert (await app.play.start_attempt(participant_id=child.id, round_code="chinh", now=clock())).paper

    adult = await register(app, clock(), user="b", phone="0912345678")
    await app.people.withdraw(participant_id=adult, now=clock())
    with pytest.raises(TakingPartRefused) as withdrawn:
        await app.play.start_attempt(participant_id=adult, round_code="chinh", now=clock())
    assert withdrawn.value.reason == "withdrawn"


async def test_the_cap_counts_the_attempts_of_an_erased_registration_with_the_same_number(app: App,
                                                                                           clock: Any) -> None:
    before = await register(app, clock(), user="a", phone="0912345678")
    for _ in range(2):
        att = await app.play.start_attempt(participant_id=before, round_code="chinh", now=clock())
        await app.play.finish(attempt_id=att.id, participant_id=before, now=clock())
    await app.people.erase(participant_id=before, now=clock())
    again = await register(app, clock(), user="b", phone="0912345678")
    with pytest.raises(CapReached) as cap:
        await app.play.start_attempt(participant_id=again, round_code="chinh", now=clock())
    assert (cap.value.per, cap.value.limit) == ("round", 2)
    other = await register(app, clock(), user="c", phone="0912999888")  # someone else's number: their own quota
    assert (await app.play.start_attempt(participant_id=other, round_code="chinh", now=clock())).paper


async def test_the_board_takes_a_result_at_once_unless_its_participant_is_disqualified_in_the_round(
        app: App, clock: Any) -> None:
    out = await register(app, clock(), user="a", phone="0912345678")
    ranked = await register(app, clock(), user="b", phone="0912999888")
    organiser = await app.staff.add(username="bantochuc", password="mật khẩu đủ dài 2024", role="organiser",
                                    by=CLI, now=clock())
    await app.integrity.disqualify(round_code="chinh", participant_id=out, reason="Trả lời quá nhanh",
                                   user_id=organiser.id, by=CLI, now=clock())
    results = []
    for pid in (out, ranked):
        att = await app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
        clock.advance(seconds=30)
        results.append(await app.play.finish(attempt_id=att.id, participant_id=pid, now=clock()))
    left_out, counted = results
    board = await app.standings.glimpse(round_code="chinh", top=10, participant_id=None, now=clock())
    assert [r.standing.participant_id for r in board.rows] == [ranked]
    assert counted is not None and (counted.rank, counted.ranked_count, counted.unranked) == (1, 1, None)
    # the one left out is told so, not given a place the board does not show
    assert left_out is not None and (left_out.rank, left_out.unranked) == (None, Unranked.DISQUALIFIED)
    assert counted.attempt.status is AttemptStatus.FINISHED and counted.attempt.duration().total_seconds() == 30


async def test_handing_in_twice_at_once_ends_the_attempt_once(app: App, clock: Any) -> None:
    pid = await register(app, clock(), user="a", phone="0912345678")
    att = await app.play.start_attempt(participant_id=pid, round_code="chinh", now=clock())
    clock.advance(seconds=20)
    handed = clock()
    first, second = await asyncio.gather(*[app.play.finish(attempt_id=att.id, participant_id=pid, now=handed)
                                           for _ in range(2)])
    clock.advance(seconds=20)
    late = await app.play.finish(attempt_id=att.id, participant_id=pid, now=clock())  # a third tap, later
    ends = {r.attempt.finished_at for r in (first, second, late) if r is not None}
    assert ends == {handed}
    assert (await _attempts_by_unit(app)).get("T-A-1") == 1
    stranger = await register(app, clock(), user="b", phone="0912999888")
    assert await app.play.finish(attempt_id=att.id, participant_id=stranger, now=clock()) is None
