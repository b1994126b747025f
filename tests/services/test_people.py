"""Registering, changing unit and erasing one's data: what the participant and the unit figures show."""
from __future__ import annotations

import pytest

from conftest import Clock
from fakes import Memory
from quiz.people import PhoneTaken
from quiz.services import UseCases

from .citizens import play, register


async def test_a_phone_number_registers_one_participant_only(contest: tuple[UseCases, Memory], clock: Clock) -> None:
    uses, memory = contest
    await register(uses, clock(), user="a", phone="0912345678")
    with pytest.raises(PhoneTaken):
        await register(uses, clock(), user="b", phone="0912345678", name="Trần Thị Bình")
    assert await uses.people.holder("0912345678") is not None
    second = await uses.people.account(channel="console", external_id="b", locale="vi", now=clock())
    assert second.participant_id is None and len(memory.participants) == 1  # the refused one left nothing
    assert {s.code: s.participants for s in await uses.standings.unit_stats()}["T"] == 1


async def test_changing_unit_moves_the_participant_count(uses: UseCases, clock: Clock) -> None:
    pid = await register(uses, clock(), user="a", phone="0912345678", unit="T-A-1")
    await uses.people.change_unit(participant_id=pid, unit_code="T-B-1")
    by_code = {s.code: s.participants for s in await uses.standings.unit_stats()}
    assert (by_code["T-A-1"], by_code["T-B-1"], by_code["T"]) == (0, 1, 1)
    assert (await uses.people.participant(pid)).unit_code == "T-B-1"  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        await uses.people.change_unit(participant_id=pid, unit_code="KHONG-CO")


async def test_erasing_anonymises_the_participant_but_unit_counts_stay(uses: UseCases, clock: Clock) -> None:
    pid = await register(uses, clock(), user="a", phone="0912345678")
    await play(uses, clock, pid, right=10)
    assert len((await uses.standings.leaderboard(round_code="chinh"))[0]) == 1
    await uses.people.erase(participant_id=pid, now=clock())
    person = await uses.people.participant(pid)
    assert person is not None and person.erased and person.phone is None and person.full_name != "Nguyễn Văn An"
    assert await uses.people.holder("0912345678") is None
    account = await uses.people.account(channel="console", external_id="a", locale="vi", now=clock())
    assert account.participant_id is None  # the chat may register anew
    ranked, _ = await uses.standings.leaderboard(round_code="chinh")
    assert len(ranked) == 0
    by_code = {s.code: s for s in await uses.standings.unit_stats()}
    assert by_code["T-A-1"].participants == 1 and by_code["T"].attempts == 1
