"""Deliveries from a channel, recorded before they are acknowledged, and when each user last wrote.

A webhook answers 200 only once `InboundEvents.record` has committed, and a redelivery of
the same event id records nothing: so each event is processed once and none is lost."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, null, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import tables as t

_E = t.inbound_events.c
_A = t.accounts.c


@dataclass(frozen=True, slots=True)
class Recorded:
    event_id: str
    payload: dict[str, Any]
    received_at: datetime


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

    async def release(self, event_id: str) -> None:
        """Forget an event whose handling failed, so that the platform's redelivery is handled."""
        async with self.engine.begin() as conn:
            await conn.execute(delete(t.inbound_events).where(
                _E.channel == self.channel, _E.event_id == event_id, _E.processed_at.is_(None)))

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
