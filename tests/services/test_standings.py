"""Who ranks and in what order: the prediction figure fixed at closing, and organisers' disqualifications."""
from __future__ import annotations

import pytest

from conftest import Clock
from fakes import FakeUnitOfWork, Memory
from publishing import ADMIN
from quiz.integrity import Flag, FlagKind, ReasonRequired
from quiz.ranking import winners
from quiz.services import UseCases

from .citizens import play, register


async def test_closing_a_round_freezes_the_all_correct_figure_used_for_predictions(
        uses: UseCases, clock: Clock) -> None:
    a = await register(uses, clock(), user="a", phone="0911111111")
    b = await register(uses, clock(), user="b", phone="0922222222")
    await play(uses, clock, a, right=10, seconds=6, prediction=1)
    await play(uses, clock, b, right=10, seconds=3, prediction=5)  # b is faster, but a predicts better
    _, open_figure = await uses.standings.leaderboard(round_code="chinh")
    assert (await uses.rounds.close("chinh", by=ADMIN, now=clock())).figure == 2
    ranked, figure = await uses.standings.leaderboard(round_code="chinh")
    assert (open_figure, figure) == (2, 2)
    assert [r.standing.participant_id for r in ranked] == [a, b]  # |1-2| < |5-2| beats speed


async def test_the_all_correct_figure_counts_people_not_attempts(uses: UseCases, clock: Clock) -> None:
    for k, scores in enumerate([(10, 10), (10, 4), (9, 9)]):
        pid = await register(uses, clock(), user=f"u{k}", phone=f"09{k:08d}")
        for right in scores:
            await play(uses, clock, pid, right=right)
    assert await uses.standings.all_correct(now=clock()) == 2
    assert await uses.standings.all_correct(now=clock(), round_code="chinh") == 2
    assert await uses.standings.all_correct(now=clock(), round_code="luyen") == 0


async def _disqualify_scan(uses: UseCases, memory: Memory, clock: Clock, pid: int) -> int:
    """A too-fast flag on `pid`, stored as the integrity scan would; the review's id."""
    async with FakeUnitOfWork(memory) as uow:
        await uow.reviews.add(round_code="chinh", flags=[Flag(FlagKind.TOO_FAST, pid, None)], now=clock())
        await uow.commit()
    return (await uses.integrity.reviews("chinh"))[0].id


async def test_a_disqualified_participant_leaves_the_leaderboard_and_the_winners_until_cleared(
        contest: tuple[UseCases, Memory], clock: Clock) -> None:
    uses, memory = contest
    fast = await register(uses, clock(), user="f", phone="0911000004", name="Nhanh Như Chớp")
    await play(uses, clock, fast, right=10, seconds=1)
    others = [await register(uses, clock(), user=f"o{k}", phone=f"091300000{k}") for k in range(5)]
    for k, pid in enumerate(others):
        await play(uses, clock, pid, right=9 - k)
    review = await _disqualify_scan(uses, memory, clock, fast)
    organiser = await uses.staff.add(username="bantochuc", password="mật khẩu đủ dài 2024", role="organiser",
                                     by=ADMIN, now=clock())

    assert await uses.integrity.decide(review_id=review, status="disqualified", user_id=organiser.id, by=ADMIN,
                                       now=clock(), reason="Trả lời 10 câu trong 1 giây") == "chinh"
    ranked, _ = await uses.standings.leaderboard(round_code="chinh")
    assert [r.standing.participant_id for r in ranked] == others
    assert fast not in {w.ranked.standing.participant_id for w in winners(ranked, uses.live.runtime.contest.prizes)}
    assert await uses.integrity.disqualified("chinh") == {fast}
    decided = (await uses.integrity.reviews("chinh"))[0]
    assert (decided.status, decided.decided_by) == ("disqualified", "bantochuc")

    with pytest.raises(ReasonRequired):  # reinstating someone disqualified says why, too
        await uses.integrity.decide(review_id=review, status="cleared", user_id=organiser.id, by=ADMIN, now=clock())
    await uses.integrity.decide(review_id=review, status="cleared", user_id=organiser.id, by=ADMIN, now=clock(),
                                reason="Đã gọi điện xác minh: thí sinh thi thật")
    ranked, _ = await uses.standings.leaderboard(round_code="chinh")
    assert ranked[0].standing.participant_id == fast  # cleared: back in first place
    assert await uses.integrity.decide(review_id=10_000, status="cleared", user_id=organiser.id, by=ADMIN,
                                       now=clock()) is None

