"""Dashboard accounts, their sessions and failed sign-ins; drafts waiting for an admin's word."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from quiz.drafts import Draft
from quiz.ports import UowFactory
from quiz.staff import StaffUser, Tries, UserExists

from .conftest import ON_EVERY_BACKEND
from .make import T0, staff_user

pytestmark = ON_EVERY_BACKEND
HOUR = timedelta(hours=1)


async def test_a_username_is_taken_once_and_the_refusal_spoils_nothing(uow: UowFactory) -> None:
    binh = await staff_user(uow, "btc.binh")
    async with uow() as w:
        with pytest.raises(UserExists):
            await w.staff.add_user(username="btc.binh", password_hash="plain:y", role="admin", now=T0)
        an = await w.staff.add_user(username="btc.an", password_hash="plain:z", role="admin", now=T0)
        await w.commit()
    async with uow() as w:
        assert an == StaffUser(an.id, "btc.an", "admin", "plain:z", T0, None)
        assert await w.staff.users() == [an, binh]
        assert await w.staff.user("btc.binh") == binh and await w.staff.user("btc.chi") is None


async def test_a_session_lasts_until_it_expires_is_closed_or_its_account_is_disabled(uow: UowFactory) -> None:
    an, binh = await staff_user(uow, "btc.an"), await staff_user(uow, "btc.binh")
    async with uow() as w:
        for token, user in (("t-an-1", an), ("t-an-2", an), ("t-binh", binh)):
            await w.staff.open_session(token_hash=token, user_id=user.id, csrf_token=f"csrf-{token}", now=T0,
                                       expires_at=T0 + HOUR)
        await w.commit()
    async with uow() as w:
        held = await w.staff.session(token_hash="t-an-1", now=T0 + HOUR / 2)
        assert held is not None and (held.user, held.csrf_token, held.expires_at) == (an, "csrf-t-an-1", T0 + HOUR)
        assert await w.staff.session(token_hash="t-an-1", now=T0 + HOUR) is None  # expired on the minute
        await w.staff.close_session(token_hash="t-an-1")
        await w.staff.disable(user_id=binh.id, now=T0)
        await w.commit()
    async with uow() as w:
        assert await w.staff.session(token_hash="t-an-1", now=T0) is None
        assert await w.staff.session(token_hash="t-an-2", now=T0) is not None
        assert await w.staff.session(token_hash="t-binh", now=T0) is None
        assert (await w.staff.user("btc.binh")).disabled_at == T0  # type: ignore[union-attr]
        await w.staff.close_sessions(user_id=an.id)
        assert await w.staff.session(token_hash="t-an-2", now=T0) is None


async def test_an_account_enabled_again_is_active_with_its_new_password(uow: UowFactory) -> None:
    an = await staff_user(uow)
    async with uow() as w:
        await w.staff.disable(user_id=an.id, now=T0)
        await w.staff.open_session(token_hash="t-an", user_id=an.id, csrf_token="c", now=T0, expires_at=T0 + HOUR)
        assert await w.staff.session(token_hash="t-an", now=T0) is None
        await w.staff.enable(user_id=an.id)
        await w.staff.set_password(user_id=an.id, password_hash="plain:mới")
        await w.commit()
    async with uow() as w:
        user = await w.staff.user("btc.an")
        assert user is not None and (user.active, user.disabled_at, user.password_hash) == (True, None, "plain:mới")
        assert await w.staff.session(token_hash="t-an", now=T0) is not None

async def test_an_expired_session_is_dropped_when_another_opens(uow: UowFactory) -> None:
    an = await staff_user(uow)
    async with uow() as w:
        await w.staff.open_session(token_hash="old", user_id=an.id, csrf_token="c1", now=T0, expires_at=T0 + HOUR)
        await w.staff.open_session(token_hash="new", user_id=an.id, csrf_token="c2", now=T0 + 2 * HOUR,
                                   expires_at=T0 + 3 * HOUR)
        await w.commit()
    async with uow() as w:  # the token could come back only if it were still stored
        await w.staff.open_session(token_hash="old", user_id=an.id, csrf_token="c3", now=T0, expires_at=T0 + HOUR)
        assert (await w.staff.session(token_hash="old", now=T0)).csrf_token == "c3"  # type: ignore[union-attr]


def _checked_up_to(n: int) -> Callable[[Tries], bool]:
    return lambda tries: tries.pair <= n


async def test_each_try_counts_those_before_it_and_only_checked_tries_are_kept(uow: UowFactory) -> None:
    async def reserve(name: str, remote: str, minutes: float, *, since: datetime = T0 - HOUR,
                      keep_since: datetime = T0 - HOUR, limit: int = 3) -> Tries:
        async with uow() as w:
            tries = await w.staff.reserve_try(username=name, remote=remote, now=T0 + timedelta(minutes=minutes),
                                              since=since, keep_since=keep_since, checked=_checked_up_to(limit))
            await w.commit()
        return tries

    assert [await reserve("btc.an", "10.0.0.1", m) for m in (0, 1, 2)] == [
        Tries(1, 1, T0), Tries(2, 2, T0), Tries(3, 3, T0)]
    assert await reserve("btc.an", "10.0.0.1", 3) == Tries(4, 4, T0)  # over the limit: refused, not kept
    assert await reserve("btc.an", "10.0.0.1", 4) == Tries(4, 4, T0)
    assert await reserve("btc.binh", "10.0.0.1", 5) == Tries(1, 4, T0 + timedelta(minutes=5))  # same address
    assert await reserve("btc.an", "10.0.0.2", 6) == Tries(1, 1, T0 + timedelta(minutes=6))  # another address
    assert await reserve("btc.an", "10.0.0.1", 7, since=T0) == Tries(3, 4, T0 + timedelta(minutes=1))  # window
    # failures older than keep_since are gone for good
    assert await reserve("btc.an", "10.0.0.1", 8, keep_since=T0 + timedelta(minutes=2)) == \
        Tries(3, 4, T0 + timedelta(minutes=2))
    async with uow() as w:
        await w.staff.clear_failures(username="btc.an", remote="10.0.0.1")
        await w.commit()
    assert await reserve("btc.an", "10.0.0.1", 9) == Tries(1, 2, T0 + timedelta(minutes=9))  # binh's stays
    assert await reserve("btc.an", "10.0.0.2", 10) == Tries(2, 2, T0 + timedelta(minutes=6))
    async with uow() as w:
        await w.staff.clear_failures(username="btc.an")  # every address: an admin's unlock
        await w.commit()
    assert await reserve("btc.an", "10.0.0.2", 11) == Tries(1, 1, T0 + timedelta(minutes=11))


def _draft(token: str, *, expires_in: timedelta = HOUR, owner: str = "staff:1") -> Draft:
    return Draft(token, "import", owner, {"name": "cau-hoi.xlsx", "plan": {"questions": [1, 2]}}, T0 + expires_in)


async def test_a_draft_is_taken_once(uow: UowFactory) -> None:
    async with uow() as w:
        await w.drafts.put(_draft("tok-1"), now=T0)
        await w.commit()
    async with uow() as w:
        assert await w.drafts.get("tok-1") == _draft("tok-1")
        assert await w.drafts.take("tok-1") == _draft("tok-1")
        assert await w.drafts.take("tok-1") is None
        await w.commit()
        assert await w.drafts.get("tok-1") is None and await w.drafts.take("khong-co") is None


async def test_keeping_a_draft_drops_expired_ones_and_replaces_its_token(uow: UowFactory) -> None:
    async with uow() as w:
        await w.drafts.put(_draft("short", expires_in=timedelta(minutes=5)), now=T0)
        await w.drafts.put(_draft("long"), now=T0)
        await w.drafts.put(_draft("long", owner="staff:2"), now=T0 + timedelta(minutes=5))
        await w.commit()
    async with uow() as w:
        assert await w.drafts.get("short") is None
        assert (await w.drafts.get("long")).owner == "staff:2"  # type: ignore[union-attr]
