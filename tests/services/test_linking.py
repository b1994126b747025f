"""One contestant across channels: a code shown on one channel links an account on another, once, in time,
and never a second account on the same channel."""
from __future__ import annotations

import pytest

from conftest import Clock
from quiz.linking import LinkRefused, Refusal, shown
from quiz.services import UseCases

from .citizens import register


async def _code(uses: UseCases, clock: Clock, pid: int) -> str:
    """The code as "My data → Link accounts" shows it."""
    return shown((await uses.people.issue_link_code(participant_id=pid, now=clock())).code)


async def _account(uses: UseCases, clock: Clock, channel: str, external_id: str) -> int:
    return (await uses.people.account(channel=channel, external_id=external_id, locale="vi", now=clock())).id


async def _refusal(uses: UseCases, clock: Clock, account_id: int, code: str) -> Refusal:
    with pytest.raises(LinkRefused) as refused:
        await uses.people.link_target(account_id=account_id, code=code, now=clock())
    return refused.value.refusal


async def test_a_code_links_once_and_not_after_ten_minutes(uses: UseCases, clock: Clock) -> None:
    pid = await register(uses, clock(), user="1001", phone="0912345678", channel="telegram")
    code = await _code(uses, clock, pid)
    first, second = await _account(uses, clock, "web", "b1"), await _account(uses, clock, "web", "b2")
    assert (await uses.people.link_target(account_id=first, code=code.lower(), now=clock())).id == pid
    assert (await uses.people.link_account(account_id=first, code=code, now=clock())).id == pid
    assert await _refusal(uses, clock, second, code) is Refusal.INVALID  # spent

    late = await _code(uses, clock, pid)
    clock.advance(minutes=10, seconds=1)
    zalo = await _account(uses, clock, "zalo", "z1")
    assert await _refusal(uses, clock, zalo, late) is Refusal.INVALID  # expired
    with pytest.raises(LinkRefused):
        await uses.people.link_account(account_id=zalo, code=late, now=clock())
    zalo_account = await uses.people.account(channel="zalo", external_id="z1", locale="vi", now=clock())
    web = await uses.people.account(channel="web", external_id="b1", locale="vi", now=clock())
    assert zalo_account.participant_id is None and web.participant_id == pid
    assert (await uses.people.consents(account_id=first))["contest"]  # linking took the registration's consent


async def test_a_new_code_replaces_the_one_shown_before(uses: UseCases, clock: Clock) -> None:
    pid = await register(uses, clock(), user="1001", phone="0912345678", channel="telegram")
    old, new = await _code(uses, clock, pid), await _code(uses, clock, pid)
    web = await _account(uses, clock, "web", "b1")
    assert await _refusal(uses, clock, web, old) is Refusal.INVALID
    assert (await uses.people.link_account(account_id=web, code=new, now=clock())).id == pid


async def test_a_second_account_on_the_same_channel_is_refused_and_the_code_kept(uses: UseCases, clock: Clock) -> None:
    pid = await register(uses, clock(), user="1001", phone="0912345678", channel="telegram")
    code = await _code(uses, clock, pid)
    other = await _account(uses, clock, "telegram", "2002")
    with pytest.raises(LinkRefused) as refused:
        await uses.people.link_account(account_id=other, code=code, now=clock())
    assert (refused.value.refusal, refused.value.channel) == (Refusal.CHANNEL_TAKEN, "telegram")
    assert (await uses.people.account(channel="telegram", external_id="2002", locale="vi",
                                      now=clock())).participant_id is None
    web = await _account(uses, clock, "web", "b1")
    assert (await uses.people.link_account(account_id=web, code=code, now=clock())).id == pid  # not spent


async def test_an_account_with_a_registration_of_its_own_cannot_be_linked(uses: UseCases, clock: Clock) -> None:
    pid = await register(uses, clock(), user="1001", phone="0912345678", channel="telegram")
    await register(uses, clock(), user="b1", phone="0987654321", channel="web", name="Trần Thị Bình")
    code = await _code(uses, clock, pid)
    assert await _refusal(uses, clock, await _account(uses, clock, "web", "b1"), code) is Refusal.OWN
    assert await _refusal(uses, clock, await _account(uses, clock, "telegram", "1001"), code) is Refusal.ALREADY


async def test_an_erased_participant_cannot_be_linked_any_more(uses: UseCases, clock: Clock) -> None:
    pid = await register(uses, clock(), user="1001", phone="0912345678", channel="telegram")
    code = await _code(uses, clock, pid)
    await uses.people.erase(participant_id=pid, now=clock())
    assert await _refusal(uses, clock, await _account(uses, clock, "web", "b1"), code) is Refusal.INVALID
