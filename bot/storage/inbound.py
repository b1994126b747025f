"""Deliveries from a channel, recorded before they are acknowledged, and when each user last wrote.

A webhook answers 200 only once `InboundEvents.record` (or `claim`) has committed, and a redelivery
of the same event id records nothing: so each event is processed once and none is lost. A claim
names the worker with the event in hand; it renews the claim while it works, and another worker
takes over an unfinished event whose claim ran out (its worker died)."""
from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import tables as t
from bot.storage.engine import autocommit
from bot.storage.inbound_writes import Claim, Done, InboundWrites, Renew, Sent, claimed_for

_E = t.inbound_events.c
_A = t.accounts.c
MAX_TRIES = 5  # an update whose handling failed (or killed its worker) this often is given up, with an error log


@dataclass(frozen=True, slots=True)
class Recorded:
    event_id: str
    payload: dict[str, Any]
    received_at: datetime
    tries: int = 0  # how many times a worker took it (claim)


@dataclass(frozen=True, slots=True)
class Unsent:
    """A handled event whose replies were not all delivered (bot.channels.telegram.outbox reads `outbox`)."""

    event_id: str
    outbox: list[Any]


@dataclass(frozen=True, slots=True)
class Standing:
    """Where one recorded event is: finished or not, how often a worker took it, and whether replies it
    stored are still to be sent."""

    done: bool
    tries: int
    unsent: bool = False


class InboundEvents:
    def __init__(self, engine: AsyncEngine, channel: str, *, gather_s: float = 0.0) -> None:
        self.engine, self.channel = engine, channel
        self._writes = InboundWrites(engine, channel, gather_s=gather_s)  # claims, dones and sents, grouped

    async def record(self, event_id: str, payload: dict[str, Any], *, now: datetime) -> bool:
        """Store the event durably; False if it was recorded before (a redelivery)."""
        try:
            async with self.engine.begin() as conn:
                await conn.execute(insert(t.inbound_events).values(
                    channel=self.channel, event_id=event_id, received_at=now, payload=payload))
        except IntegrityError:
            return False
        return True

    async def done(self, event_id: str, *, now: datetime, outbox: list[Any] | None = None) -> None:
        """Mark the event processed and drop its body: the id still stops redeliveries, and a
        phone number shared in it is not kept beyond its use (an erasure could not find it here).
        `outbox`: the replies still to deliver, kept in the same statement until `sent`."""
        await self._writes.submit(Done(event_id, now, outbox))

    async def sent(self, event_ids: Collection[str]) -> None:
        """Their replies are delivered (or given up): nothing is left for another worker to send."""
        if event_ids:
            await self._writes.submit(Sent(event_ids))

    async def unsent(self, *, stale_before: datetime, limit: int = 200) -> list[Unsent]:
        """Handled events with replies left undelivered by a worker that stopped renewing its claim, oldest first."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(select(_E.event_id, _E.outbox).where(
                _E.channel == self.channel, _E.outbox.is_not(None), _E.processed_at.is_not(None),
                or_(_E.claimed_at.is_(None), _E.claimed_at < stale_before))
                .order_by(_E.received_at).limit(limit))
            return [Unsent(r.event_id, list(r.outbox or [])) for r in rows]

    async def take_unsent(self, event_id: str, *, worker: str, now: datetime, stale_before: datetime) -> bool:
        """Take over the undelivered replies of one event for `worker`; False if another worker was first."""
        async with autocommit(self.engine) as conn:
            moved = await conn.execute(update(t.inbound_events).where(
                _E.channel == self.channel, _E.event_id == event_id, _E.outbox.is_not(None),
                or_(_E.claimed_at.is_(None), _E.claimed_at < stale_before)).values(claimed_by=worker, claimed_at=now))
            return moved.rowcount == 1

    async def claim(self, events: Mapping[str, dict[str, Any]], *, worker: str, now: datetime,
                    stale_before: datetime, max_tries: int) -> set[str]:
        """Take `events` (id → body) for `worker`: new ones are recorded with their body; recorded, unfinished
        ones that nobody holds or whose claim was last renewed before `stale_before` are taken over, fewer
        than `max_tries` times each. The ids taken; the others are finished or in another worker's hand.
        Each statement stands alone (bot.storage.inbound_writes groups them with other updates' writes): a
        new event is recorded by one INSERT, a takeover is one conditional UPDATE, whichever worker is first."""
        if not events:
            return set()
        claim = Claim(events, worker, now, stale_before, max_tries)
        await self._writes.submit(claim)
        return claim.taken.result()

    async def renew(self, *, worker: str, now: datetime, keys: Collection[str]) -> int:
        """Say that `worker` still has these unfinished events, and undelivered replies, in hand; how many."""
        renew = Renew(worker, now, keys)
        await self._writes.submit(renew)  # with the round's other writes to these rows (bot.storage.inbound_writes)
        return renew.renewed.result()

    async def give_back(self, event_ids: Collection[str], *, worker: str) -> None:
        """Let go of unfinished events (or undelivered replies), so the next delivery or any worker's sweep
        takes them at once."""
        if not event_ids:
            return
        async with autocommit(self.engine) as conn:
            await conn.execute(update(t.inbound_events).where(
                *claimed_for(self.channel, worker), _E.event_id.in_(list(event_ids)))
                .values(claimed_by=None, claimed_at=None))

    async def release(self, *, worker: str) -> int:
        """Let go of every unfinished event (and undelivered replies) claimed for `worker`, held or not: at its
        stop, so another worker takes them at once, those passed to it and never received included. How many."""
        async with autocommit(self.engine) as conn:
            done = await conn.execute(update(t.inbound_events).where(*claimed_for(self.channel, worker))
                                      .values(claimed_by=None, claimed_at=None))
            return int(done.rowcount or 0)

    async def overdue(self, *, stale_before: datetime, limit: int = 200) -> list[Recorded]:
        """Unfinished events nobody holds, or whose claim was last renewed before `stale_before`, oldest first."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(select(_E.event_id, _E.payload, _E.received_at, _E.tries).where(
                _E.channel == self.channel, _E.processed_at.is_(None),
                or_(_E.claimed_at.is_(None), _E.claimed_at < stale_before))
                .order_by(_E.received_at).limit(limit))
            return [Recorded(r.event_id, dict(r.payload or {}), r.received_at, r.tries) for r in rows]

    async def standing(self, event_id: str) -> Standing | None:
        """Where the event is; None if it was never recorded (or was deleted after its retention period)."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(_E.processed_at, _E.tries, _E.outbox.is_not(None).label("unsent"))
                                      .where(_E.channel == self.channel, _E.event_id == event_id))).first()
            return None if row is None else Standing(row.processed_at is not None, row.tries, bool(row.unsent))

    async def hold(self, event_ids: Collection[str], *, now: datetime) -> int:
        """These unprocessed events are still in this worker's hand: their lease (received_at, see `lease`)
        starts again at `now`, so no other worker's sweep takes them meanwhile; how many were held."""
        if not event_ids:
            return 0
        async with autocommit(self.engine) as conn:
            done = await conn.execute(update(t.inbound_events).where(
                _E.channel == self.channel, _E.event_id.in_(sorted(event_ids)), _E.processed_at.is_(None))
                .values(received_at=now))
            return int(done.rowcount or 0)

    async def unprocessed(self, *, received_before: datetime, limit: int = 200) -> list[Recorded]:
        """Events acknowledged but never processed (the process stopped), oldest first."""
        async with self.engine.connect() as conn:
            rows = await conn.execute(select(_E.event_id, _E.payload, _E.received_at).where(
                _E.channel == self.channel, _E.processed_at.is_(None), _E.received_at < received_before)
                .order_by(_E.received_at).limit(limit))
            return [Recorded(r.event_id, dict(r.payload or {}), r.received_at) for r in rows]

    async def lease(self, event: Recorded, *, now: datetime) -> bool:
        """Take an unprocessed event for this worker: moving its received_at on means another
        worker's sweep leaves it alone until it is overdue again; only one of two takers wins."""
        async with self.engine.begin() as conn:
            done = await conn.execute(update(t.inbound_events).where(
                _E.channel == self.channel, _E.event_id == event.event_id, _E.processed_at.is_(None),
                _E.received_at == event.received_at).values(received_at=now))
            return done.rowcount == 1


class LastSeen:
    """accounts.last_seen_at: when a user of this channel last wrote to us (Zalo's reply window)."""

    def __init__(self, engine: AsyncEngine, channel: str) -> None:
        self.engine, self.channel = engine, channel

    async def touch(self, external_id: str, *, at: datetime) -> None:
        """Record an interaction at `at`; an older, late-processed event never moves it back."""
        async with self.engine.begin() as conn:
            await conn.execute(update(t.accounts).where(
                _A.channel == self.channel, _A.external_id == external_id,
                or_(_A.last_seen_at.is_(None), _A.last_seen_at < at)).values(last_seen_at=at))

    async def forget(self, external_id: str) -> None:
        """The user left (unfollowed): no reply window until they write again."""
        async with self.engine.begin() as conn:
            await conn.execute(update(t.accounts).where(
                _A.channel == self.channel, _A.external_id == external_id).values(last_seen_at=None))

    async def get(self, external_id: str) -> datetime | None:
        async with self.engine.connect() as conn:
            seen: datetime | None = (await conn.execute(select(func.max(_A.last_seen_at)).where(
                _A.channel == self.channel, _A.external_id == external_id))).scalar()
            return seen
