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

from sqlalchemy import func, insert, null, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage import tables as t

_E = t.inbound_events.c
_A = t.accounts.c


@dataclass(frozen=True, slots=True)
class Recorded:
    event_id: str
    payload: dict[str, Any]
    received_at: datetime
    tries: int = 0  # how many times a worker took it (claim)


@dataclass(frozen=True, slots=True)
class Standing:
    """Where one recorded event is: finished or not, and how often a worker took it."""

    done: bool
    tries: int


class InboundEvents:
    def __init__(self, engine: AsyncEngine, channel: str) -> None:
        self.engine, self.channel = engine, channel

    async def record(self, event_id: str, payload: dict[str, Any], *, now: datetime) -> bool:
        """Store the event durably; False if it was recorded before (a redelivery)."""
        try:
            async with self.engine.begin() as conn:
                await conn.execute(insert(t.inbound_events).values(
                    channel=self.channel, event_id=event_id, received_at=now, payload=payload))
        except IntegrityError:
            return False
        return True

    async def done(self, event_id: str, *, now: datetime) -> None:
        """Mark the event processed and drop its body: the id still stops redeliveries, and a
        phone number shared in it is not kept beyond its use (an erasure could not find it here)."""
        async with self.engine.begin() as conn:
            await conn.execute(update(t.inbound_events).where(
                _E.channel == self.channel, _E.event_id == event_id).values(processed_at=now, payload=null()))

    async def claim(self, events: Mapping[str, dict[str, Any]], *, worker: str, now: datetime,
                    stale_before: datetime, max_tries: int) -> set[str]:
        """Take `events` (id → body) for `worker` in one transaction: new ones are recorded with their body;
        recorded, unfinished ones that nobody holds or whose claim was last renewed before `stale_before`
        are taken over, fewer than `max_tries` times each. The ids taken; the others are finished or in
        another worker's hand."""
        if not events:
            return set()
        rows = [{"channel": self.channel, "event_id": key, "received_at": now, "payload": body,
                 "claimed_by": worker, "claimed_at": now, "tries": 1} for key, body in events.items()]
        async with self.engine.begin() as conn:
            taken = set((await conn.execute(_insert_new(conn, rows).returning(_E.event_id))).scalars())
            for key in events.keys() - taken:
                moved = await conn.execute(update(t.inbound_events).where(
                    _E.channel == self.channel, _E.event_id == key, _E.processed_at.is_(None), _E.tries < max_tries,
                    or_(_E.claimed_at.is_(None), _E.claimed_at < stale_before))
                    .values(claimed_by=worker, claimed_at=now, tries=_E.tries + 1, payload=events[key]))
                if moved.rowcount == 1:
                    taken.add(key)
        return taken

    async def renew(self, *, worker: str, now: datetime) -> int:
        """Say that `worker` still has its unfinished events in hand; how many it holds."""
        async with self.engine.begin() as conn:
            done = await conn.execute(update(t.inbound_events).where(
                _E.channel == self.channel, _E.processed_at.is_(None), _E.claimed_by == worker)
                .values(claimed_at=now))
            return int(done.rowcount or 0)

    async def give_back(self, event_ids: Collection[str], *, worker: str) -> None:
        """Let go of unfinished events, so the next delivery or any worker's sweep takes them at once."""
        if not event_ids:
            return
        async with self.engine.begin() as conn:
            await conn.execute(update(t.inbound_events).where(
                _E.channel == self.channel, _E.event_id.in_(list(event_ids)), _E.processed_at.is_(None),
                _E.claimed_by == worker).values(claimed_by=None, claimed_at=None))

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
            row = (await conn.execute(select(_E.processed_at, _E.tries).where(
                _E.channel == self.channel, _E.event_id == event_id))).first()
            return None if row is None else Standing(row.processed_at is not None, row.tries)

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


def _insert_new(conn: AsyncConnection, rows: list[dict[str, Any]]) -> Any:
    """INSERT … ON CONFLICT DO NOTHING: a row already recorded stays as it is (and is not returned)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(t.inbound_events).values(rows).on_conflict_do_nothing()


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
