"""Broadcasts: nobody is messaged twice, every delivery is counted, and a broadcast ends once."""
from __future__ import annotations

from datetime import timedelta

from quiz.broadcasts import FAILED, INTERRUPTED, SENDING, SENT, SKIPPED, Broadcast, NewsChoice, Recipient
from quiz.people import PURPOSE_CONTEST, PURPOSE_NEWS
from quiz.ports import UowFactory

from .conftest import ON_EVERY_BACKEND
from .make import T0, account, person, staff_user

pytestmark = ON_EVERY_BACKEND
BODY = {"vi": "Vòng 2 mở lúc 8 giờ.", "en": "Round 2 opens at 8."}


async def _broadcast(uow: UowFactory, kind: str = "announcement") -> Broadcast:
    user = await staff_user(uow, f"btc.{kind}")
    async with uow() as w:
        made = await w.broadcasts.add(kind=kind, body=BODY, created_by=user.id, now=T0)
        await w.commit()
    return made


async def test_a_delivery_is_recorded_once_per_account_and_counted(uow: UowFactory) -> None:
    b = await _broadcast(uow)
    ids = [(await account(uow, "telegram", str(n))).id for n in range(4)]
    async with uow() as w:
        assert await w.broadcasts.deliver(b.id, ids[0], status=SENT, detail=None, now=T0)
        assert not await w.broadcasts.deliver(b.id, ids[0], status=FAILED, detail="blocked", now=T0)
        assert await w.broadcasts.deliver(b.id, ids[1], status=SKIPPED, detail="window_closed", now=T0)
        assert await w.broadcasts.deliver(b.id, ids[2], status=FAILED, detail="blocked", now=T0)
        assert await w.broadcasts.deliver(b.id, ids[3], status=SENDING, detail=None, now=T0)  # a claim
        await w.commit()
    async with uow() as w:
        assert await w.broadcasts.reached(b.id) == set(ids)
        counted = await w.broadcasts.get(b.id)
        assert counted is not None and (counted.sent, counted.failed, counted.skipped) == (1, 1, 1)
        assert await w.broadcasts.reasons(b.id) == {"window_closed": 1, "blocked": 1}


async def test_a_claim_is_settled_once_or_swept_as_interrupted(uow: UowFactory) -> None:
    b = await _broadcast(uow)
    ids = [(await account(uow, "zalo", str(n))).id for n in range(3)]
    async with uow() as w:
        for account_id in ids:
            await w.broadcasts.deliver(b.id, account_id, status=SENDING, detail=None, now=T0)
        await w.broadcasts.settle(b.id, ids[0], status=SENT, detail=None, now=T0)
        await w.broadcasts.settle(b.id, ids[0], status=FAILED, detail="late", now=T0)  # settled already
        await w.broadcasts.settle(b.id, ids[1], status=FAILED, detail="x" * 300, now=T0)
        await w.commit()
    async with uow() as w:
        assert await w.broadcasts.sweep(b.id, now=T0 + timedelta(minutes=5)) == 1
        assert await w.broadcasts.sweep(b.id, now=T0 + timedelta(minutes=6)) == 0
        await w.commit()
    async with uow() as w:
        counted = await w.broadcasts.get(b.id)
        assert counted is not None and (counted.sent, counted.failed, counted.skipped) == (1, 2, 0)
        assert await w.broadcasts.reasons(b.id) == {"x" * 200: 1, INTERRUPTED: 1}  # a long reason is cut


async def test_a_broadcast_runs_until_it_is_finished_or_cancelled(uow: UowFactory) -> None:
    tip, news = await _broadcast(uow, "tip"), await _broadcast(uow)
    acc = await account(uow)
    async with uow() as w:
        await w.broadcasts.deliver(tip.id, acc.id, status=SENT, detail=None, now=T0)
        assert await w.broadcasts.begin(tip.id, outstanding=4)
        await w.commit()
    async with uow() as w:
        running = await w.broadcasts.get(tip.id)
        assert running is not None and (running.status, running.total, running.finished) == ("running", 5, False)
        assert await w.broadcasts.unfinished() == [tip.id, news.id]
        await w.broadcasts.finish(tip.id, now=T0 + timedelta(hours=1))
        assert await w.broadcasts.cancel(news.id, now=T0 + timedelta(hours=2))
        await w.commit()
    async with uow() as w:
        assert not await w.broadcasts.begin(tip.id, outstanding=1) and not await w.broadcasts.begin(news.id,
                                                                                                    outstanding=1)
        assert not await w.broadcasts.cancel(tip.id, now=T0) and not await w.broadcasts.cancel(news.id, now=T0)
        await w.broadcasts.finish(news.id, now=T0 + timedelta(hours=3))  # a cancelled one stays cancelled
        await w.commit()
        assert [(b.id, b.status, b.finished_at) for b in await w.broadcasts.recent(limit=5)] == [
            (news.id, "cancelled", T0 + timedelta(hours=2)), (tip.id, "done", T0 + timedelta(hours=1))]
        assert await w.broadcasts.unfinished() == [] and len(await w.broadcasts.recent(limit=1)) == 1
        assert (await w.broadcasts.get(tip.id)).body == BODY  # type: ignore[union-attr]
        assert await w.broadcasts.get(10_000) is None


async def test_the_audience_is_read_as_every_account_and_every_news_choice(uow: UowFactory) -> None:
    pid = await person(uow)
    telegram, web = await account(uow, "telegram", "1001"), await account(uow, "web", "b1")
    async with uow() as w:
        await w.accounts.link(account_id=telegram.id, participant_id=pid)
        await w.consents.record(account_id=web.id, purpose=PURPOSE_NEWS, granted=True, text_version="v1", now=T0)
        await w.consents.record(account_id=telegram.id, purpose=PURPOSE_CONTEST, granted=True, text_version="v1",
                                now=T0)
        await w.consents.record(account_id=telegram.id, purpose=PURPOSE_NEWS, granted=False, text_version="v1",
                                now=T0)
        await w.commit()
    async with uow() as w:
        assert sorted(await w.broadcasts.accounts(), key=lambda r: r.account_id) == [
            Recipient(telegram.id, "telegram", "1001", "vi", None, pid), Recipient(web.id, "web", "b1", "vi", None)]
        choices = await w.broadcasts.news_choices()
    assert [(c.account_id, c.participant_id, c.granted) for c in sorted(choices, key=lambda c: c.id)] == [
        (web.id, None, True), (telegram.id, pid, False)]
    assert all(isinstance(c, NewsChoice) for c in choices)
