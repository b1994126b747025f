"""The audit log in SQL. Rows are only added: the database itself refuses UPDATE and DELETE on it."""
from __future__ import annotations

from sqlalchemy import func, insert, or_, select

from bot.storage import tables as t
from bot.storage.repositories import _Repo
from quiz.audit import EVERYTHING, AuditEntry, AuditFilter

_L = t.audit_log.c


class SqlAudit(_Repo):
    async def add(self, entry: AuditEntry, *, contest_wide: bool = True) -> None:
        await self.conn.execute(insert(t.audit_log).values(
            contest_id=self.scope.contest_id if contest_wide and self.scope.contest_id else None, at=entry.at,
            actor=entry.actor[:64], origin=entry.origin[:64], action=entry.action[:48], target=entry.target[:200],
            detail=dict(entry.detail)))

    async def recent(self, *, limit: int, before: int | None = None,
                     where: AuditFilter = EVERYTHING) -> list[AuditEntry]:
        q = select(t.audit_log).where((_L.contest_id == self.scope.contest_id) | _L.contest_id.is_(None))
        if before is not None:
            q = q.where(_L.id < before)
        if where.actor:
            q = q.where(func.lower(_L.actor).contains(where.actor.lower(), autoescape=True))
        if where.target:
            q = q.where(func.lower(_L.target).contains(where.target.lower(), autoescape=True))
        if where.action:
            q = q.where(or_(_L.action == where.action, _L.action.startswith(f"{where.action}.", autoescape=True)))
        if where.since is not None:
            q = q.where(_L.at >= where.since)
        if where.until is not None:
            q = q.where(_L.at < where.until)
        rows = await self.conn.execute(q.order_by(_L.id.desc()).limit(limit))
        return [AuditEntry(r.at, r.actor, r.action, r.target, dict(r.detail), r.origin, r.id) for r in rows]
