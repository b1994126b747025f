"""One number, one person across erasure; numbers proven, released, withdrawn; guardians, one-time codes,
notices; and what the daily sweep deletes."""
from __future__ import annotations

from datetime import timedelta

import pytest

from quiz.identity import Guardian
from quiz.people import PURPOSE_NEWS, PhoneTaken
from quiz.ports import UowFactory
from quiz.verification import SentCode

from .conftest import ON_EVERY_BACKEND
from .make import T0, account, new_attempt, person

pytestmark = ON_EVERY_BACKEND


async def test_registrations_of_one_number_share_a_quota_through_erasure(uow: UowFactory) -> None:
    first = await person(uow, "0912345678")
    async with uow() as w:
        await w.attempts.add(new_attempt(first))
        await w.participants.anonymise([first], now=T0)  # the phone key stays
        await w.commit()
    again = await person(uow, "0912345678")
    other = await person(uow, "0987654321")
    async with uow() as w:
        assert await w.participants.same_person(again) == sorted([first, again])
        assert await w.participants.same_person(other) == [other]
        assert await w.attempts.counts(participant_id=again, round_code="chinh", day=T0.date()) == (1, 1)
        assert await w.attempts.counts(participant_id=other, round_code="chinh", day=T0.date()) == (0, 0)
        assert (await w.participants.holder("0912345678")).id == again  # type: ignore[union-attr]
        await w.participants.anonymise([first], now=T0, keep_key=False)  # the contest's data is gone
        await w.commit()
    async with uow() as w:
        assert await w.participants.same_person(again) == [again]
        assert await w.attempts.counts(participant_id=again, round_code="chinh", day=T0.date()) == (0, 0)
        assert await w.participants.registered_before(T0 + timedelta(seconds=1)) == sorted([again, other])


async def test_a_number_is_proven_released_and_consent_withdrawn(uow: UowFactory) -> None:
    pid = await person(uow, "0912345678")
    async with uow() as w:
        await w.participants.set_phone_verified(participant_id=pid, source="zalo")
        await w.attempts.add(new_attempt(pid))
        await w.commit()
        assert (await w.participants.get(pid)).phone_verified_by == "zalo"  # type: ignore[union-attr]
        await w.participants.release_phone(participant_id=pid)
        await w.participants.withdraw(participant_id=pid, now=T0)
        await w.commit()
    async with uow() as w:
        released = await w.participants.get(pid)
        assert released is not None and (released.phone, released.phone_verified_by, released.withdrawn) == \
            (None, None, True)
        assert await w.participants.holder("0912345678") is None and await w.participants.same_person(pid) == [pid]
        assert await w.attempts.counts(participant_id=pid, round_code="chinh", day=T0.date()) == (1, 1)  # its own


async def test_a_typed_number_is_replaced_by_a_proven_one_that_no_one_holds(uow: UowFactory) -> None:
    typed, holder = await person(uow, "0912345678"), await person(uow, "0911111111")
    erased = await person(uow, "0977777777")  # erased once: its key stays, so the quota follows the number
    async with uow() as w:
        await w.participants.anonymise([erased], now=T0)
        await w.commit()
    async with uow() as w:
        with pytest.raises(PhoneTaken):  # another registration holds it
            await w.participants.replace_phone(participant_id=typed, phone="0911111111", phone_key="key-0911111111",
                                               source="telegram")
        assert await w.participants.replace_phone(participant_id=typed, phone="0977777777",
                                                  phone_key="key-0977777777", source="telegram")
        await w.commit()
    async with uow() as w:
        now = await w.participants.get(typed)
        assert now is not None and (now.phone, now.phone_verified_by) == ("0977777777", "telegram")
        assert await w.participants.holder("0912345678") is None  # the typed number is free again
        assert await w.participants.same_person(typed) == sorted([typed, erased])  # one person, one quota
        assert (await w.participants.get(holder)).phone == "0911111111"  # type: ignore[union-attr]
        # proven now: replaced no more
        assert not await w.participants.replace_phone(participant_id=typed, phone="0966666666",
                                                      phone_key="key-0966666666", source="zalo")
        assert not await w.participants.replace_phone(participant_id=erased, phone="0966666666",
                                                      phone_key="key-0966666666", source="zalo")
        await w.commit()
    async with uow() as w:
        assert await w.participants.holder("0966666666") is None


async def test_a_guardian_is_kept_replaced_and_removed(uow: UowFactory) -> None:
    pid = await person(uow)
    async with uow() as w:
        await w.guardians.put(participant_id=pid, guardian=Guardian("Trần Văn Bố", "0977000111", "declared"), now=T0)
        await w.guardians.put(participant_id=pid, guardian=Guardian("Lê Thị Mẹ", "0977000222", "code"), now=T0)
        await w.commit()
    async with uow() as w:
        assert await w.guardians.get(pid) == Guardian("Lê Thị Mẹ", "0977000222", "code")
        await w.guardians.remove([pid])
        await w.commit()
        assert await w.guardians.get(pid) is None


async def test_the_contests_data_of_many_goes_at_once_and_no_one_elses(uow: UowFactory) -> None:
    """The hourly sweep after the contest's data period (quiz.services.housekeeping) deletes a batch of
    registrations at once: names, numbers and their keys, guardians, the chat accounts' links."""
    ids = [await person(uow, phone) for phone in ("0912000001", "0912000002", "0912000003")]
    accounts = [await account(uow, external_id=str(2000 + k)) for k in range(3)]
    async with uow() as w:
        for acc, pid in zip(accounts, ids, strict=True):
            await w.accounts.link(account_id=acc.id, participant_id=pid)
            await w.guardians.put(participant_id=pid, guardian=Guardian("Trần Văn Bố", "0977000111", "declared"),
                                  now=T0)
        await w.participants.anonymise([ids[1]], now=T0)  # erased by its owner before: its number's key kept
        await w.commit()
    gone, kept = ids[:2], ids[2]
    async with uow() as w:
        assert [a.id for a in await w.accounts.of_participants(gone)] == [a.id for a in accounts[:2]]
        await w.guardians.remove(gone)
        await w.participants.anonymise(gone, now=T0 + timedelta(days=1), keep_key=False)
        await w.accounts.forget_participants(gone)
        await w.commit()
    async with uow() as w:
        for pid in gone:
            erased = await w.participants.get(pid)
            assert erased is not None and erased.erased and (erased.full_name, erased.phone) == ("—", None)
            assert await w.guardians.get(pid) is None
        assert await w.accounts.of_participants(gone) == []
        untouched = await w.participants.get(kept)
        assert untouched is not None and (untouched.full_name, untouched.phone) == ("Nguyễn Văn An", "0912000003")
        assert await w.guardians.get(kept) is not None
        assert [a.id for a in await w.accounts.of_participant(kept)] == [accounts[2].id]
        # nothing of theirs is left for a later sweep to delete
        assert await w.participants.registered_before(T0 + timedelta(days=2)) == [kept]


async def test_codes_are_found_by_number_and_address_counted_and_used_once(uow: UowFactory) -> None:
    async with uow() as w:
        for minutes, key, address in ((0, "k1", "10.0.0.1"), (2, "k1", "10.0.0.2"), (3, "k2", "10.0.0.1")):
            await w.phone_codes.add(phone_key=key, purpose="register", code_hash=f"h{minutes}", address=address,
                                    now=T0 + timedelta(minutes=minutes), expires_at=T0 + timedelta(minutes=10))
        await w.commit()
    async with uow() as w:
        assert len(await w.phone_codes.sent_times(since=T0, phone_key="k1")) == 2
        assert len(await w.phone_codes.sent_times(since=T0 + timedelta(minutes=1), phone_key="k1")) == 1
        assert len(await w.phone_codes.sent_times(since=T0, address="10.0.0.1")) == 2
        latest = await w.phone_codes.latest(phone_key="k1", purpose="register")
        assert latest is not None and latest.code_hash == "h2" and latest.checks == 0
        assert await w.phone_codes.latest(phone_key="k1", purpose="recover") is None
        await w.phone_codes.count_check(latest.id)
        assert await w.phone_codes.use(code_id=latest.id, now=T0) and not await w.phone_codes.use(code_id=latest.id,
                                                                                                   now=T0)
        await w.commit()
        assert await w.phone_codes.latest(phone_key="k1", purpose="register") == SentCode(
            latest.id, "k1", "register", "h2", T0 + timedelta(minutes=2), T0 + timedelta(minutes=10), 1, T0)


async def test_a_notice_waits_for_its_account_and_is_shown_once(uow: UowFactory) -> None:
    acc = await account(uow)
    async with uow() as w:
        await w.notices.add(account_id=acc.id, kind="phone_taken_over", now=T0)
        await w.commit()
    async with uow() as w:
        pending = await w.notices.pending(acc.id)
        assert [k for _i, k in pending] == ["phone_taken_over"]
        await w.notices.shown(ids=[i for i, _k in pending], now=T0)
        await w.commit()
        assert await w.notices.pending(acc.id) == []


async def test_the_sweep_deletes_spent_codes_and_idle_accounts_with_what_names_them(uow: UowFactory) -> None:
    idle = await account(uow, "telegram", "idle")
    registered = await account(uow, "telegram", "registered")
    pid = await person(uow)
    async with uow() as w:
        await w.accounts.link(account_id=registered.id, participant_id=pid)
        await w.consents.record(account_id=idle.id, purpose=PURPOSE_NEWS, granted=True, text_version="v", now=T0)
        await w.notices.add(account_id=idle.id, kind="phone_taken_over", now=T0)
        await w.phone_codes.add(phone_key="k", purpose="register", code_hash="h", address="a", now=T0,
                                expires_at=T0 + timedelta(minutes=10))
        await w.commit()
    later = T0 + timedelta(days=1)
    async with uow() as w:
        assert await w.housekeeping.phone_codes(expired_before=T0) == 0
        assert await w.housekeeping.phone_codes(expired_before=later) == 1
        assert await w.housekeeping.idle_accounts(seen_before=T0) == 0  # consented at T0: not idle before it
        assert await w.housekeeping.idle_accounts(seen_before=later) == 1  # the registered one stays
        await w.commit()
    async with uow() as w:
        assert await w.accounts.get(idle.id) is None and await w.accounts.get(registered.id) is not None
        assert await w.notices.pending(idle.id) == []
