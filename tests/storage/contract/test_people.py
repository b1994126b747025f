"""Accounts, participants, consents, link codes and unit counters: what the use cases rely on."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.storage.stats import SqlStatistics
from quiz.people import PURPOSE_CONTEST, PURPOSE_NEWS, Account, AccountTaken, LinkCode, PhoneTaken
from quiz.ports import UowFactory

from .conftest import ON_EVERY_BACKEND
from .make import T0, account, person

pytestmark = ON_EVERY_BACKEND


async def test_a_chat_account_is_made_once_per_channel_and_chat(uow: UowFactory) -> None:
    first = await account(uow, "telegram", "1001")
    again = await account(uow, "telegram", "1001")
    elsewhere = await account(uow, "zalo", "1001")
    assert again == first and elsewhere.id != first.id
    async with uow() as w:
        assert await w.accounts.find(channel="telegram", external_id="1001") == first
        assert await w.accounts.find(channel="web", external_id="1001") is None
        assert (first.participant_id, first.locale) == (None, "vi")


async def test_an_account_keeps_its_language_and_forgets_an_erased_participant(uow: UowFactory) -> None:
    pid = await person(uow)
    telegram, web = await account(uow, "telegram"), await account(uow, "web", "browser-1")
    async with uow() as w:
        await w.accounts.set_locale(account_id=telegram.id, locale="en")
        for acc in (telegram, web):
            await w.accounts.link(account_id=acc.id, participant_id=pid)
        await w.commit()
        assert await w.accounts.get(telegram.id) == Account(telegram.id, "telegram", "1001", pid, "en")
        await w.accounts.forget_participants([pid])
        await w.commit()
        assert [(await w.accounts.get(a.id)).participant_id for a in (telegram, web)] == [None, None]  # type: ignore[union-attr]
        assert await w.accounts.get(10_000) is None


async def test_a_phone_number_registers_one_participant_and_the_refusal_spoils_nothing(uow: UowFactory) -> None:
    first = await person(uow, "0912345678")
    async with uow() as w:
        with pytest.raises(PhoneTaken):
            await w.participants.add(full_name="Trần Thị Bình", birth_year=1985, phone="0912345678",
                                     unit_code="T-B-1", referral=None, now=T0, phone_key="key-0912345678")
        other = await w.participants.add(full_name="Trần Thị Bình", birth_year=1985, phone="0987654321",
                                         unit_code="T-B-1", referral="CLB", now=T0, phone_key="key-0987654321")
        await w.commit()
    async with uow() as w:
        assert await w.participants.phone_taken("0912345678") and not await w.participants.phone_taken("0900000000")
        assert await w.participants.get(other.id) == other
        assert (await w.participants.get(first)).full_name == "Nguyễn Văn An"  # type: ignore[union-attr]


async def test_erasing_leaves_a_nameless_participant_and_frees_the_phone(uow: UowFactory) -> None:
    pid = await person(uow, "0912345678")
    async with uow() as w:
        await w.participants.anonymise([pid], now=T0)
        await w.commit()
    async with uow() as w:
        erased = await w.participants.get(pid)
        assert erased is not None and erased.erased and erased.unit_code == "T-A-1"
        assert (erased.full_name, erased.birth_year, erased.phone, erased.referral) == ("—", None, None, None)
        assert not await w.participants.phone_taken("0912345678")
        await w.participants.add(full_name="Nguyễn Văn An", birth_year=1990, phone="0912345678", unit_code="T-A-1",
                                 referral=None, now=T0, phone_key="key-0912345678")  # the same person again


async def test_participants_change_unit_and_are_named_by_id(uow: UowFactory) -> None:
    a, b = await person(uow, "0911111111"), await person(uow, "0922222222")
    async with uow() as w:
        await w.participants.set_unit(participant_id=b, unit_code="T-B-1")
        await w.commit()
        names = await w.participants.names([a, b, 10_000])
        assert sorted(names) == [a, b] and names[b].unit_code == "T-B-1" and names[a].unit_code == "T-A-1"
        assert await w.participants.names([]) == {}


async def test_the_latest_choice_per_purpose_counts_and_follows_the_registration(uow: UowFactory) -> None:
    acc = await account(uow)
    async with uow() as w:
        await w.consents.record(account_id=acc.id, purpose=PURPOSE_CONTEST, granted=True, text_version="v1", now=T0)
        await w.consents.record(account_id=acc.id, purpose=PURPOSE_NEWS, granted=True, text_version="v1", now=T0)
        await w.consents.record(account_id=acc.id, purpose=PURPOSE_NEWS, granted=False, text_version="v1",
                                now=T0 + timedelta(minutes=1))
        await w.commit()
    pid = await person(uow)
    async with uow() as w:
        latest = await w.consents.latest(account_id=acc.id)
        assert {p: c.granted for p, c in latest.items()} == {PURPOSE_CONTEST: True, PURPOSE_NEWS: False}
        assert latest[PURPOSE_NEWS].at == T0 + timedelta(minutes=1)
        assert await w.consents.of_participant(participant_id=pid) == []
        await w.consents.attach(account_id=acc.id, participant_id=pid)
        await w.accounts.link(account_id=acc.id, participant_id=pid)
        await w.consents.record(account_id=acc.id, purpose=PURPOSE_NEWS, granted=True, text_version="v2", now=T0)
        await w.commit()
    async with uow() as w:  # choices made before and after registering, in the order made
        assert [(c.purpose, c.granted) for c in await w.consents.of_participant(participant_id=pid)] == [
            (PURPOSE_CONTEST, True), (PURPOSE_NEWS, True), (PURPOSE_NEWS, False), (PURPOSE_NEWS, True)]


def _code(participant_id: int, code: str = "ABCD2345", minutes: int = 10) -> LinkCode:
    return LinkCode(code, participant_id, T0, T0 + timedelta(minutes=minutes))


async def test_a_link_code_is_given_out_once_and_spent_once(uow: UowFactory) -> None:
    pid, other = await person(uow, "0911111111"), await person(uow, "0922222222")
    async with uow() as w:
        assert await w.links.add(_code(pid))
        assert not await w.links.add(_code(other))  # the code is someone else's: draw again
        await w.commit()
    async with uow() as w:
        assert await w.links.use(code="ABCD2345", now=T0 + timedelta(minutes=1))
        assert not await w.links.use(code="ABCD2345", now=T0 + timedelta(minutes=2))
        await w.commit()
    async with uow() as w:
        assert await w.links.get("ABCD2345") == LinkCode("ABCD2345", pid, T0, T0 + timedelta(minutes=10),
                                                          T0 + timedelta(minutes=1))
        assert not await w.links.use(code="ABCD2345", now=T0 + timedelta(minutes=3))
        assert await w.links.get("ZZZZ9999") is None and not await w.links.use(code="ZZZZ9999", now=T0)


async def test_an_expired_or_revoked_code_cannot_be_spent(uow: UowFactory) -> None:
    pid = await person(uow)
    async with uow() as w:
        for code in ("AAAA2222", "BBBB3333", "CCCC4444"):
            await w.links.add(_code(pid, code))
        assert await w.links.use(code="AAAA2222", now=T0)
        assert not await w.links.use(code="BBBB3333", now=T0 + timedelta(minutes=10))  # expired on the minute
        await w.links.revoke(participant_id=pid, now=T0 + timedelta(minutes=5))
        await w.commit()
    async with uow() as w:
        assert not await w.links.use(code="CCCC4444", now=T0 + timedelta(minutes=6))
        assert (await w.links.get("AAAA2222")).used_at == T0  # type: ignore[union-attr]  # spent, not revoked
        assert (await w.links.get("CCCC4444")).used_at == T0 + timedelta(minutes=5)  # type: ignore[union-attr]


async def test_a_participant_has_one_account_per_channel(uow: UowFactory) -> None:
    pid, other = await person(uow, "0911111111"), await person(uow, "0922222222")
    telegram, second, web = (await account(uow, "telegram", "1"), await account(uow, "telegram", "2"),
                             await account(uow, "web", "b1"))
    async with uow() as w:
        assert await w.links.attach(account_id=telegram.id, participant_id=pid)
        with pytest.raises(AccountTaken):
            await w.links.attach(account_id=second.id, participant_id=pid)
        assert await w.links.attach(account_id=web.id, participant_id=pid)  # the refusal spoiled nothing
        assert not await w.links.attach(account_id=telegram.id, participant_id=other)  # it has a participant
        await w.commit()
    async with uow() as w:
        assert (await w.links.account_on(participant_id=pid, channel="telegram")) == (
            Account(telegram.id, "telegram", "1", pid, "vi"))
        assert (await w.links.account_on(participant_id=pid, channel="zalo")) is None
        assert (await w.accounts.get(second.id)).participant_id is None  # type: ignore[union-attr]


async def test_unit_counters_add_up_per_unit(uow: UowFactory) -> None:
    async with uow() as w:
        await w.counters.bump(unit_code="T-A-1", participants=1)
        await w.counters.bump(unit_code="T-A-1", participants=1, attempts=3)
        await w.counters.bump(unit_code="T-B-1", attempts=2)
        await w.commit()
    async with uow() as w:
        await w.counters.bump(unit_code="T-A-1", participants=-1)  # someone moved away
        await w.commit()
        assert await w.counters.all() == ({"T-A-1": 1, "T-B-1": 0}, {"T-A-1": 3, "T-B-1": 2})


async def test_a_units_citizens_starting_at_once_are_all_counted(uow: UowFactory) -> None:
    """Fifty attempts started together in one unit, each in its own transaction: every one is counted
    (on PostgreSQL they commit side by side, spread over the unit's counter rows)."""
    async def start() -> None:
        async with uow() as w:
            await w.counters.bump(unit_code="T-A-1", attempts=1)
            await w.commit()

    await asyncio.gather(*(start() for _ in range(50)))
    async with uow() as w:
        assert await w.counters.all() == ({"T-A-1": 0}, {"T-A-1": 50})


async def test_a_search_by_name_finds_every_match_however_many_pages_it_reads(
        uow: UowFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Accents and case folded; erased participants are not found. Pages of two names on SQL, so the
    scan reads several (the first and the last registration match, a page boundary falls between)."""
    monkeypatch.setattr(SqlStatistics, "NAME_PAGE", 2)
    names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "NGUYỄN văn AN", "Phạm Thu", "nguyen van an"]
    async with uow() as w:
        ids = [(await w.participants.add(full_name=name, birth_year=1990, phone=f"09123456{i:02d}",
                                         unit_code="T-A-1", referral=None, now=T0, phone_key=f"key-{i}")).id
               for i, name in enumerate(names)]
        await w.participants.anonymise([ids[3]], now=T0)
        await w.commit()
    async with uow() as w:
        assert await w.stats.find("Nguyễn Văn  an", by_phone=False) == {ids[0], ids[5]}
        assert await w.stats.find("thu", by_phone=False) == {ids[4]}
        assert await w.stats.find("Hoàng", by_phone=False) == set()
