"""Updates arriving together share one round of the inbound events' writes: each new update is recorded once
(for the first caller listing it), one left by a dead worker is taken over, one already in a live worker's
hand is not, the updates handled are finished with their replies kept, and delivered replies are cleared —
and on PostgreSQL the everyday part of the round is one statement."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from bot.storage import tables as t
from bot.storage.engine import make_engine
from bot.storage.inbound import InboundEvents
from bot.storage.migrate import upgrade_async
from roundtrips import RoundTrips

_E = t.inbound_events.c
T0 = datetime(2024, 6, 20, 1, 30, tzinfo=UTC)
LEASE = timedelta(seconds=30)
REPLY = [{"method": "editMessageText", "text": "Câu 2/10"}]


def recorded(key: str, worker: str, *, claimed_at: datetime, done: bool = False,
             outbox: list[dict[str, str]] | None = None) -> dict[str, object]:
    return {"channel": "telegram", "event_id": key, "received_at": T0, "payload": None if done else {"update_id": 1},
            "processed_at": T0 if done else None, "outbox": outbox, "claimed_by": worker, "claimed_at": claimed_at,
            "tries": 1}


async def test_updates_arriving_together_are_claimed_finished_and_cleared_in_one_round(db_url: str) -> None:
    engine = make_engine(db_url)
    inbound = InboundEvents(engine, "telegram")
    now = T0 + timedelta(minutes=5)
    try:
        await upgrade_async(engine)
        async with engine.begin() as conn:
            await conn.execute(insert(t.inbound_events), [
                recorded("in-my-hand", "w-me", claimed_at=now),  # handled now: its "done" joins the round
                recorded("delivered", "w-me", claimed_at=now, done=True, outbox=REPLY),  # its replies went out
                recorded("dead-workers", "w-dead", claimed_at=now - 2 * LEASE),  # to be taken over
                recorded("live-workers", "w-other", claimed_at=now),  # held by a live worker: not taken
            ])

        def claim(*keys: str) -> asyncio.Future[set[str]]:
            return asyncio.ensure_future(inbound.claim({k: {"update_id": k} for k in keys}, worker="w-me", now=now,
                                                       stale_before=now - LEASE, max_tries=5))

        counter = RoundTrips(engine)
        with counter.counting() as counts:
            first, second, over, live, _done, _sent = await asyncio.gather(
                claim("new-1", "both"), claim("both", "new-2"), claim("dead-workers"), claim("live-workers"),
                inbound.done("in-my-hand", now=now, outbox=REPLY), inbound.sent(["delivered"]))
        counter.close()

        assert (first, second, over, live) == ({"new-1", "both"}, {"new-2"}, {"dead-workers"}, set())
        async with engine.connect() as conn:
            rows = {r.event_id: r for r in await conn.execute(select(t.inbound_events))}
        assert {k for k, r in rows.items() if r.claimed_by == "w-me" and r.processed_at is None} == {
            "new-1", "both", "new-2", "dead-workers"}
        assert rows["both"].payload == {"update_id": "both"}  # the first caller's body
        assert rows["dead-workers"].tries == 2 and rows["live-workers"].claimed_by == "w-other"
        assert rows["in-my-hand"].processed_at == now and rows["in-my-hand"].payload is None
        assert rows["in-my-hand"].outbox == REPLY  # kept until sent
        assert rows["delivered"].outbox is None
        if db_url.startswith("postgresql"):  # the new, the done and the sent in one; a takeover try each (3)
            assert (counts.statements, counts.transactions) == (4, 0)
        else:  # one write transaction, the takeovers' in a second one
            assert counts.transactions == 2
    finally:
        await engine.dispose()


async def test_claims_arriving_within_the_gathering_time_share_one_transaction(db_url: str) -> None:
    """The webhook's intake on SQLite lets claims gather (bot.channels.telegram.intake_process): a claim made
    while the first one's round is gathering goes out with it; both callers learn their update is theirs."""
    engine = make_engine(db_url)
    inbound = InboundEvents(engine, "telegram", gather_s=0.3)
    now = T0 + timedelta(minutes=5)
    try:
        await upgrade_async(engine)

        async def claim(key: str, *, after: float = 0.0) -> set[str]:
            await asyncio.sleep(after)
            return await inbound.claim({key: {"update_id": key}}, worker="w-me", now=now, stale_before=now - LEASE,
                                       max_tries=5)

        counter = RoundTrips(engine)
        with counter.counting() as counts:
            first, second = await asyncio.gather(claim("first"), claim("second", after=0.05))
        counter.close()
        assert (first, second) == ({"first"}, {"second"})
        assert counts.transactions + counts.autocommits == 1
    finally:
        await engine.dispose()


async def test_a_caller_that_stops_waiting_leaves_the_others_of_its_round_answered(db_url: str) -> None:
    """A claim cancelled while its round is under way (a request cut off, a stop) is still written, and every
    other caller of that round, and of the rounds after it, hears that its update is stored."""
    engine = make_engine(db_url)
    inbound = InboundEvents(engine, "telegram", gather_s=0.2)
    now = T0 + timedelta(minutes=5)
    try:
        await upgrade_async(engine)

        def claim(key: str) -> asyncio.Task[set[str]]:
            return asyncio.ensure_future(inbound.claim({key: {"update_id": key}}, worker="w-me", now=now,
                                                       stale_before=now - LEASE, max_tries=5))

        given_up, waiting = claim("given-up"), claim("waiting")
        renewal = asyncio.ensure_future(inbound.renew(worker="w-me", now=now, keys=["given-up"]))
        await asyncio.sleep(0.05)
        given_up.cancel()
        assert await asyncio.wait_for(waiting, 20) == {"waiting"}
        assert await asyncio.wait_for(renewal, 20) >= 0
        assert await asyncio.wait_for(claim("later"), 20) == {"later"}
        async with engine.connect() as conn:
            keys = set((await conn.execute(select(t.inbound_events.c.event_id))).scalars())
        assert keys == {"given-up", "waiting", "later"}
    finally:
        await engine.dispose()
