"""Group commit for the inbound events' own writes: every claim, "done" and "sent" waiting goes out in one
round, a few statements whatever the number of updates (one INSERT for all new events, one UPDATE for
every update handled, one for every update whose replies were delivered, and the worker's renewal of its
claims), so a busy webhook spends a fraction of a round trip per update on them, SQLite takes its write
lock once per round, and a worker's writes to its own events never wait for each other.

Each caller is released once its round is durable. The statements are those one update would send
alone, so claiming stays what bot.storage.inbound says: a new event is taken by the first claim that
lists it; a recorded one by the one conditional UPDATE that finds it free or stale."""
from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Update, bindparam, null, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage import tables as t
from bot.storage.engine import autocommit

_E = t.inbound_events.c


def _future() -> asyncio.Future[Any]:
    return asyncio.get_running_loop().create_future()


@dataclass(slots=True)
class Claim:
    events: Mapping[str, dict[str, Any]]
    worker: str
    now: datetime
    stale_before: datetime
    max_tries: int
    taken: asyncio.Future[set[str]] = field(default_factory=_future)


@dataclass(slots=True)
class Done:
    event_id: str
    now: datetime
    outbox: list[Any] | None
    written: asyncio.Future[None] = field(default_factory=_future)


@dataclass(slots=True)
class Sent:
    event_ids: Collection[str]
    written: asyncio.Future[None] = field(default_factory=_future)


@dataclass(slots=True)
class Renew:
    worker: str
    now: datetime
    renewed: asyncio.Future[int] = field(default_factory=_future)


Job = Claim | Done | Sent | Renew


class InboundWrites:
    """Writes of one channel's inbound events, grouped: `submit` returns once the job's round is durable."""

    def __init__(self, engine: AsyncEngine, channel: str) -> None:
        self.engine, self.channel = engine, channel
        self._jobs: list[Job] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, job: Job) -> None:
        self._jobs.append(job)
        if self._writer is None or self._writer.done():  # started on demand: no task is left behind idle
            self._writer = asyncio.get_running_loop().create_task(self._write_all(), name="inbound-writes")
        await _waiting(job)

    async def _write_all(self) -> None:
        while self._jobs:
            jobs, self._jobs = self._jobs, []
            try:  # on PostgreSQL each statement commits alone (no BEGIN, no COMMIT); on SQLite one transaction
                async with autocommit(self.engine) as conn:
                    taken = await self._claims(conn, [j for j in jobs if isinstance(j, Claim)])
                    await self._dones(conn, [j for j in jobs if isinstance(j, Done)])
                    await self._sents(conn, [j for j in jobs if isinstance(j, Sent)])
                    renewed = await self._renews(conn, [j for j in jobs if isinstance(j, Renew)])
            except BaseException as exc:  # nothing of this round is known to be durable: every caller hears so
                for job in jobs:
                    waiting = _waiting(job)
                    if not waiting.done():
                        waiting.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise
                continue
            for job in jobs:
                if isinstance(job, Claim):
                    job.taken.set_result(taken[id(job)])
                elif isinstance(job, Renew):
                    job.renewed.set_result(renewed[id(job)])
                elif not job.written.done():
                    job.written.set_result(None)

    async def _claims(self, conn: AsyncConnection, claims: list[Claim]) -> dict[int, set[str]]:
        """New events recorded by one INSERT (each taken by the first claim listing it); a recorded,
        unfinished one taken over by one conditional UPDATE each (rare: a redelivery, a sweep)."""
        taken: dict[int, set[str]] = {id(c): set() for c in claims}
        rows = [{"channel": self.channel, "event_id": key, "received_at": c.now, "payload": body,
                 "claimed_by": c.worker, "claimed_at": c.now, "tries": 1}
                for c in claims for key, body in c.events.items()]
        if not rows:
            return taken
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        # executemany with RETURNING: SQLAlchemy sends it as one multi-row INSERT ("insertmanyvalues"), compiled
        # once and cached; .values(rows) would be compiled again for every round (it has no cache key)
        new = set((await conn.execute(dialect.insert(t.inbound_events).on_conflict_do_nothing()
                                      .returning(_E.event_id), rows)).scalars())
        for c in claims:
            for key in c.events:
                if key in new:
                    new.discard(key)  # the first claim that listed it (the INSERT kept the first row)
                    taken[id(c)].add(key)
                    continue
                moved = await conn.execute(update(t.inbound_events).where(
                    _E.channel == self.channel, _E.event_id == key, _E.processed_at.is_(None),
                    _E.tries < c.max_tries, or_(_E.claimed_at.is_(None), _E.claimed_at < c.stale_before))
                    .values(claimed_by=c.worker, claimed_at=c.now, tries=_E.tries + 1, payload=c.events[key]))
                if moved.rowcount == 1:
                    taken[id(c)].add(key)
        return taken

    async def _dones(self, conn: AsyncConnection, dones: list[Done]) -> None:
        """Processed, body dropped, replies still to send kept: one statement for every update done."""
        if dones:
            await conn.execute(
                update(t.inbound_events).where(_E.channel == self.channel, _E.event_id == bindparam("key"))
                .values(processed_at=bindparam("at"), payload=null(), outbox=bindparam("out", type_=_E.outbox.type)),
                [{"key": d.event_id, "at": d.now, "out": d.outbox or None} for d in dones])

    async def _renews(self, conn: AsyncConnection, renews: list[Renew]) -> dict[int, int]:
        """The workers' unfinished events, and undelivered replies, claimed again as of now: how many each.
        In the round, not beside it: on PostgreSQL a renewal on a connection of its own locked the rows in
        the table's order while the round's "done" rows, the same ones, were locked in the round's order,
        and one of the two was cancelled as a deadlock (seen with two workers under load)."""
        renewed: dict[int, int] = {}
        for r in renews:
            done = await conn.execute(renewal(self.channel, r.worker, r.now))
            renewed[id(r)] = int(done.rowcount or 0)
        return renewed

    async def _sents(self, conn: AsyncConnection, sents: list[Sent]) -> None:
        keys = sorted({key for s in sents for key in s.event_ids})
        if keys:
            await conn.execute(update(t.inbound_events).where(
                _E.channel == self.channel, _E.event_id.in_(keys), _E.outbox.is_not(None)).values(outbox=null()))


def renewal(channel: str, worker: str, now: datetime) -> Update:
    """The worker's unfinished events and undelivered replies claimed again as of `now`. Its condition is the
    predicate of the index ix_inbound_events_held, word for word, so the rows in hand are found through it."""
    return update(t.inbound_events).where(
        _E.channel == channel, or_(_E.processed_at.is_(None), _E.outbox.is_not(None)),
        _E.claimed_by == worker).values(claimed_at=now)


def _waiting(job: Job) -> asyncio.Future[Any]:
    """What the job's caller waits for."""
    if isinstance(job, Claim):
        return job.taken
    return job.renewed if isinstance(job, Renew) else job.written
