"""Who a broadcast goes to: each person once, on their preferred channel, by their latest news choice."""
from __future__ import annotations

import pytest

from conftest import Clock
from publishing import ADMIN
from quiz.broadcasts import BadBroadcast
from quiz.people import PURPOSE_NEWS
from quiz.services import UseCases

from .citizens import register


async def _citizen(uses: UseCases, clock: Clock, channel: str, external_id: str, *, news: bool | None) -> int:
    """A chat account that answered the news question (or not, with news=None); its id."""
    account = await uses.people.account(channel=channel, external_id=external_id, locale="vi", now=clock())
    if news is not None:
        await uses.people.consent(account_id=account.id, purpose=PURPOSE_NEWS, granted=news, now=clock())
    return account.id


async def _link(uses: UseCases, clock: Clock, participant_id: int, account_id: int) -> None:
    code = await uses.people.issue_link_code(participant_id=participant_id, now=clock())
    await uses.people.link_account(account_id=account_id, code=code.code, now=clock())


async def _audience(uses: UseCases, broadcast_id: int | None = None) -> list[tuple[str, str]]:
    """Whom a new broadcast would reach; or whom that broadcast still has to."""
    return [(r.channel, r.external_id) for r in await uses.broadcasts.recipients(broadcast_id)]


async def test_a_withdrawal_on_one_account_stops_news_to_the_same_person_everywhere(
        uses: UseCases, clock: Clock) -> None:
    telegram = await _citizen(uses, clock, "telegram", "201", news=True)
    pid = await register(uses, clock(), user="201", phone="0912345678", channel="telegram")
    zalo = await _citizen(uses, clock, "zalo", "zalo-201", news=None)
    assert await _audience(uses) == [("telegram", "201")]
    await _link(uses, clock, pid, zalo)
    clock.advance(minutes=1)
    await uses.people.consent(account_id=zalo, purpose=PURPOSE_NEWS, granted=False, now=clock())
    assert await _audience(uses) == []
    await uses.people.consent(account_id=telegram, purpose=PURPOSE_NEWS, granted=True, now=clock())
    assert await _audience(uses) == [("telegram", "201")]  # the latest choice, wherever it was made


async def test_one_person_with_telegram_and_zalo_gets_it_once_on_telegram(uses: UseCases, clock: Clock) -> None:
    await _citizen(uses, clock, "zalo", "zalo-301", news=True)
    pid = await register(uses, clock(), user="zalo-301", phone="0912345678", channel="zalo")
    await _link(uses, clock, pid, await _citizen(uses, clock, "telegram", "301", news=None))
    await _citizen(uses, clock, "zalo", "zalo-302", news=True)  # someone else, on Zalo only
    assert await _audience(uses) == [("telegram", "301"), ("zalo", "zalo-302")]

    b = await uses.broadcasts.create(kind="tip", text_vi="Mẹo: bật xác thực hai lớp.", by=ADMIN, now=clock())
    telegram = next(r.account_id for r in await uses.broadcasts.recipients(b.id) if r.channel == "telegram")
    assert await uses.broadcasts.claim(b.id, telegram, now=clock())
    assert await _audience(uses, b.id) == [("zalo", "zalo-302")]  # reached once, on neither account again


@pytest.mark.parametrize("text_vi, kind", [("   ", "tip"), ("x" * 3001, "tip"), ("Mẹo.", "spam")])
async def test_empty_overlong_or_unknown_broadcasts_are_refused(uses: UseCases, clock: Clock, text_vi: str,
                                                                 kind: str) -> None:
    with pytest.raises(BadBroadcast):
        await uses.broadcasts.create(kind=kind, text_vi=text_vi, by=ADMIN, now=clock())
    assert await uses.broadcasts.recent() == []
