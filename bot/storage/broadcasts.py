"""Broadcasts in SQL: who may receive one, and each delivery claimed before it is sent.

A delivery row is keyed (broadcast, account): a second claim of the same account fails on the
primary key, so two runners (a restarted service, the CLI) never message anyone twice.
Each method is its own short transaction."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage import tables as t

KINDS = ("tip", "announcement")
CHANNEL_PREFERENCE = ("telegram", "zalo")  # one account per person: the first of these they have
SENDING, SENT, FAILED, SKIPPED = "sending", "sent", "failed", "skipped"
INTERRUPTED = "interrupted"  # a claim found on resume: maybe delivered, so never sent again
_B, _D = t.broadcasts.c, t.broadcast_deliveries.c
_COUNTER = {SENT: _B.sent, FAILED: _B.failed, SKIPPED: _B.skipped}


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    kind: str
    body: Mapping[str, str]  # text per locale; "vi" always
    status: str  # pending | running | done | cancelled
    total: int
    sent: int
    failed: int
    skipped: int
    created_at: datetime
    finished_at: datetime | None

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.skipped

    @property
    def finished(self) -> bool:
        return self.status in ("done", "cancelled")


@dataclass(frozen=True, slots=True)
class Recipient:
    account_id: int
    channel: str
    external_id: str
    locale: str | None
    last_seen_at: datetime | None  # Zalo's 48-hour window counts from here


def _broadcast(row: Any) -> Broadcast:
    return Broadcast(row.id, row.kind, dict(row.body), row.status, row.total, row.sent, row.failed, row.skipped,
                     row.created_at, row.finished_at)


def _rank(channel: str) -> int:
    return CHANNEL_PREFERENCE.index(channel) if channel in CHANNEL_PREFERENCE else len(CHANNEL_PREFERENCE)


class BroadcastStore:
    def __init__(self, engine: AsyncEngine, *, contest: str) -> None:
        self._engine, self._contest = engine, contest
        self._contest_id: int | None = None

    async def _cid(self) -> int:
        if self._contest_id is None:
            async with self._engine.connect() as conn:
                self._contest_id = (await conn.execute(
                    select(t.contests.c.id).where(t.contests.c.slug == self._contest))).scalar_one()
        return self._contest_id

    async def create(self, *, kind: str, body: Mapping[str, str], created_by: int | None, now: datetime) -> Broadcast:
        if kind not in KINDS or not body.get("vi"):
            raise ValueError("a broadcast needs a known kind and Vietnamese text")
        cid = await self._cid()
        async with self._engine.begin() as conn:
            bid = (await conn.execute(insert(t.broadcasts).values(
                contest_id=cid, kind=kind, body=dict(body), created_by=created_by, created_at=now, status="pending")
                .returning(_B.id))).scalar_one()
        return Broadcast(bid, kind, dict(body), "pending", 0, 0, 0, 0, now, None)

    async def get(self, broadcast_id: int) -> Broadcast | None:
        cid = await self._cid()
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(t.broadcasts).where(_B.id == broadcast_id, _B.contest_id == cid))).first()
        return _broadcast(row) if row else None

    async def recent(self, *, limit: int = 20) -> list[Broadcast]:
        cid = await self._cid()
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(t.broadcasts).where(_B.contest_id == cid).order_by(_B.id.desc())
                                      .limit(limit))
            return [_broadcast(r) for r in rows]

    async def unfinished(self) -> list[int]:
        cid = await self._cid()
        async with self._engine.connect() as conn:
            return list((await conn.execute(select(_B.id).where(
                _B.contest_id == cid, _B.status.in_(("pending", "running"))).order_by(_B.id))).scalars())

    async def outstanding(self, broadcast_id: int | None) -> list[Recipient]:
        """Accounts to reach, in account order: the latest 'news' consent of the account or of its
        participant is granted; one account per person; nobody who already has a delivery row.
        With no broadcast: everyone a new one would reach."""
        cid = await self._cid()
        c, a = t.consents.c, t.accounts.c
        async with self._engine.connect() as conn:
            consents = await conn.execute(select(c.id, c.account_id, c.participant_id, c.granted)
                                          .join(t.accounts, a.id == c.account_id)
                                          .where(a.contest_id == cid, c.purpose == "news").order_by(c.id))
            by_account: dict[int, tuple[int, bool]] = {}
            by_person: dict[int, tuple[int, bool]] = {}
            for r in consents:
                by_account[r.account_id] = (r.id, r.granted)
                if r.participant_id is not None:
                    by_person[r.participant_id] = (r.id, r.granted)
            accounts = (await conn.execute(select(a.id, a.channel, a.external_id, a.participant_id, a.locale,
                                                  a.last_seen_at).where(a.contest_id == cid).order_by(a.id))).all()
            done = set((await conn.execute(select(_D.account_id).where(_D.broadcast_id == broadcast_id))).scalars()) \
                if broadcast_id is not None else set()
        people: dict[object, list[Any]] = defaultdict(list)
        for acc in accounts:
            latest = max((x for x in (by_account.get(acc.id), by_person.get(acc.participant_id)) if x),
                         default=None)  # tuples: the highest consent id is the latest decision
            if latest is not None and latest[1]:
                people[acc.participant_id if acc.participant_id is not None else ("account", acc.id)].append(acc)
        chosen = []
        for group in people.values():
            if any(acc.id in done for acc in group):
                continue  # already reached (or tried) on one of their accounts
            acc = min(group, key=lambda x: (_rank(x.channel), x.id))
            chosen.append(Recipient(acc.id, acc.channel, acc.external_id, acc.locale, acc.last_seen_at))
        return sorted(chosen, key=lambda r: r.account_id)

    async def begin(self, broadcast_id: int, *, outstanding: int, now: datetime) -> bool:
        """Mark the broadcast running with its total; False if it was cancelled or finished meanwhile."""
        async with self._engine.begin() as conn:
            recorded = (await conn.execute(select(func.count()).where(_D.broadcast_id == broadcast_id))).scalar_one()
            done = await conn.execute(update(t.broadcasts).where(
                _B.id == broadcast_id, _B.status.in_(("pending", "running")))
                .values(status="running", total=int(recorded) + outstanding))
            return bool(done.rowcount)

    async def sweep(self, broadcast_id: int, *, now: datetime) -> int:
        """Claims left by a runner that stopped between sending and recording: failed, never resent."""
        async with self._engine.begin() as conn:
            swept = await conn.execute(update(t.broadcast_deliveries).where(
                _D.broadcast_id == broadcast_id, _D.status == SENDING).values(status=FAILED, detail=INTERRUPTED, at=now))
            if swept.rowcount:
                await conn.execute(update(t.broadcasts).where(_B.id == broadcast_id)
                                   .values(failed=_B.failed + swept.rowcount))
            return int(swept.rowcount)

    async def claim(self, broadcast_id: int, account_id: int, *, now: datetime) -> bool:
        """Take the right to message this account once; False if anyone took it before."""
        return await self._insert(broadcast_id, account_id, SENDING, None, now)

    async def settle(self, broadcast_id: int, account_id: int, *, status: str, detail: str | None,
                     now: datetime) -> None:
        """Record how a claimed delivery went, and count it."""
        async with self._engine.begin() as conn:
            done = await conn.execute(update(t.broadcast_deliveries).where(
                _D.broadcast_id == broadcast_id, _D.account_id == account_id, _D.status == SENDING)
                .values(status=status, detail=detail[:200] if detail else None, at=now))
            if done.rowcount:
                await conn.execute(update(t.broadcasts).where(_B.id == broadcast_id)
                                   .values({_COUNTER[status]: _COUNTER[status] + 1}))

    async def skip(self, broadcast_id: int, account_id: int, *, reason: str, now: datetime) -> bool:
        return await self._insert(broadcast_id, account_id, SKIPPED, reason, now)

    async def _insert(self, broadcast_id: int, account_id: int, status: str, detail: str | None,
                      now: datetime) -> bool:
        try:
            async with self._engine.begin() as conn:
                await conn.execute(insert(t.broadcast_deliveries).values(
                    broadcast_id=broadcast_id, account_id=account_id, status=status, detail=detail, at=now))
                if status in _COUNTER:
                    await conn.execute(update(t.broadcasts).where(_B.id == broadcast_id)
                                       .values({_COUNTER[status]: _COUNTER[status] + 1}))
        except IntegrityError:
            return False
        return True

    async def finish(self, broadcast_id: int, *, now: datetime) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(update(t.broadcasts).where(_B.id == broadcast_id, _B.status.in_(("pending", "running")))
                               .values(status="done", finished_at=now))

    async def cancel(self, broadcast_id: int, *, now: datetime) -> bool:
        """Stop sending; deliveries already made stay recorded."""
        cid = await self._cid()
        async with self._engine.begin() as conn:
            done = await conn.execute(update(t.broadcasts).where(
                _B.id == broadcast_id, _B.contest_id == cid, _B.status.in_(("pending", "running")))
                .values(status="cancelled", finished_at=now))
            return bool(done.rowcount)

    async def reasons(self, broadcast_id: int) -> dict[str, int]:
        """How many deliveries were skipped or failed, by reason ("zalo_window", "blocked"…)."""
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(_D.detail, func.count()).where(
                _D.broadcast_id == broadcast_id, _D.status.in_((SKIPPED, FAILED))).group_by(_D.detail))
            return {str(r[0] or ""): int(r[1]) for r in rows}
