"""Broadcasts in SQL: a delivery row is keyed (broadcast, account), so a second claim of the same
account fails on the primary key and two runners never message anyone twice. Never commits;
who receives a broadcast is the core's rule (quiz.broadcasts.audience)."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.storage import tables as t
from bot.storage.repositories import _Repo
from quiz.broadcasts import FAILED, INTERRUPTED, SENDING, SENT, SKIPPED, Broadcast, NewsChoice, Recipient
from quiz.people import PURPOSE_NEWS

_B, _D, _C, _A = t.broadcasts.c, t.broadcast_deliveries.c, t.consents.c, t.accounts.c
_COUNTER = {SENT: _B.sent, FAILED: _B.failed, SKIPPED: _B.skipped}
_UNFINISHED = ("pending", "running")


def _broadcast(row: Any) -> Broadcast:
    return Broadcast(row.id, row.kind, dict(row.body), row.status, row.total, row.sent, row.failed, row.skipped,
                     row.created_at, row.finished_at)


class SqlBroadcasts(_Repo):
    async def add(self, *, kind: str, body: Mapping[str, str], created_by: int | None, now: datetime) -> Broadcast:
        bid = (await self.conn.execute(insert(t.broadcasts).values(
            contest_id=self.scope.contest_id, kind=kind, body=dict(body), created_by=created_by, created_at=now,
            status="pending").returning(_B.id))).scalar_one()
        return Broadcast(bid, kind, dict(body), "pending", 0, 0, 0, 0, now, None)

    async def get(self, broadcast_id: int) -> Broadcast | None:
        row = (await self.conn.execute(select(t.broadcasts).where(
            _B.id == broadcast_id, _B.contest_id == self.scope.contest_id))).first()
        return _broadcast(row) if row else None

    async def recent(self, *, limit: int) -> list[Broadcast]:
        rows = await self.conn.execute(select(t.broadcasts).where(_B.contest_id == self.scope.contest_id)
                                       .order_by(_B.id.desc()).limit(limit))
        return [_broadcast(r) for r in rows]

    async def unfinished(self) -> list[int]:
        return list((await self.conn.execute(select(_B.id).where(
            _B.contest_id == self.scope.contest_id, _B.status.in_(_UNFINISHED)).order_by(_B.id))).scalars())

    async def accounts(self) -> list[Recipient]:
        rows = await self.conn.execute(select(_A.id, _A.channel, _A.external_id, _A.locale, _A.last_seen_at,
                                              _A.participant_id).where(_A.contest_id == self.scope.contest_id))
        return [Recipient(r.id, r.channel, r.external_id, r.locale, r.last_seen_at, r.participant_id) for r in rows]

    async def news_choices(self) -> list[NewsChoice]:
        rows = await self.conn.execute(select(_C.id, _C.account_id, _C.participant_id, _C.granted)
                                       .join(t.accounts, _A.id == _C.account_id)
                                       .where(_A.contest_id == self.scope.contest_id, _C.purpose == PURPOSE_NEWS))
        return [NewsChoice(r.id, r.account_id, r.participant_id, bool(r.granted)) for r in rows]

    async def reached(self, broadcast_id: int) -> set[int]:
        return set((await self.conn.execute(select(_D.account_id).where(_D.broadcast_id == broadcast_id))).scalars())

    async def begin(self, broadcast_id: int, *, outstanding: int) -> bool:
        recorded = (await self.conn.execute(select(func.count()).where(_D.broadcast_id == broadcast_id))).scalar_one()
        done = await self.conn.execute(update(t.broadcasts).where(_B.id == broadcast_id, _B.status.in_(_UNFINISHED))
                                       .values(status="running", total=int(recorded) + outstanding))
        return bool(done.rowcount)

    async def sweep(self, broadcast_id: int, *, now: datetime) -> int:
        swept = await self.conn.execute(update(t.broadcast_deliveries).where(
            _D.broadcast_id == broadcast_id, _D.status == SENDING).values(status=FAILED, detail=INTERRUPTED, at=now))
        if swept.rowcount:
            await self.conn.execute(update(t.broadcasts).where(_B.id == broadcast_id)
                                    .values(failed=_B.failed + swept.rowcount))
        return int(swept.rowcount)

    async def deliver(self, broadcast_id: int, account_id: int, *, status: str, detail: str | None,
                      now: datetime) -> bool:
        try:
            async with self.conn.begin_nested():
                await self.conn.execute(insert(t.broadcast_deliveries).values(
                    broadcast_id=broadcast_id, account_id=account_id, status=status,
                    detail=detail[:200] if detail else detail, at=now))
        except IntegrityError:
            return False
        if status in _COUNTER:
            await self.conn.execute(update(t.broadcasts).where(_B.id == broadcast_id)
                                    .values({_COUNTER[status]: _COUNTER[status] + 1}))
        return True

    async def settle(self, broadcast_id: int, account_id: int, *, status: str, detail: str | None,
                     now: datetime) -> None:
        done = await self.conn.execute(update(t.broadcast_deliveries).where(
            _D.broadcast_id == broadcast_id, _D.account_id == account_id, _D.status == SENDING)
            .values(status=status, detail=detail[:200] if detail else None, at=now))
        if done.rowcount:
            await self.conn.execute(update(t.broadcasts).where(_B.id == broadcast_id)
                                    .values({_COUNTER[status]: _COUNTER[status] + 1}))

    async def finish(self, broadcast_id: int, *, now: datetime) -> None:
        await self.conn.execute(update(t.broadcasts).where(_B.id == broadcast_id, _B.status.in_(_UNFINISHED))
                                .values(status="done", finished_at=now))

    async def cancel(self, broadcast_id: int, *, now: datetime) -> bool:
        done = await self.conn.execute(update(t.broadcasts).where(
            _B.id == broadcast_id, _B.contest_id == self.scope.contest_id, _B.status.in_(_UNFINISHED))
            .values(status="cancelled", finished_at=now))
        return bool(done.rowcount)

    async def reasons(self, broadcast_id: int) -> dict[str, int]:
        rows = await self.conn.execute(select(_D.detail, func.count()).where(
            _D.broadcast_id == broadcast_id, _D.status.in_((SKIPPED, FAILED))).group_by(_D.detail))
        return {str(r[0] or ""): int(r[1]) for r in rows}
