"""The audit trail as organisers read it, and the bulk reads of personal data that go into it.

Changes are written by the use case that makes them, in the same unit of work; this one records the
reads that change nothing (an export with names and phones) and pages through the log."""
from __future__ import annotations

from datetime import datetime

from quiz.audit import EVERYTHING, Actor, AuditEntry, AuditFilter
from quiz.ports import UowFactory

PAGE = 100  # entries per page of the dashboard


class AuditTrail:
    def __init__(self, *, uow: UowFactory, read: UowFactory) -> None:
        self._uow, self._read = uow, read

    async def exported(self, *, what: str, target: str, phones: bool, by: Actor, now: datetime) -> None:
        """Someone is about to download personal data in bulk (`what`: leaderboard, winners, audit…):
        written before the first byte leaves, so an interrupted download is on record too."""
        async with self._uow() as uow:
            await uow.audit.add(by.entry(now, f"export.{what}", target, {"phones": phones}))
            await uow.commit()

    async def entries(self, *, where: AuditFilter = EVERYTHING, limit: int = PAGE,
                      before: int | None = None) -> list[AuditEntry]:
        """Newest first; the next page starts `before` the last id of this one."""
        async with self._read() as uow:
            return await uow.audit.recent(limit=limit, before=before, where=where)

    async def all_entries(self, *, where: AuditFilter = EVERYTHING) -> list[list[AuditEntry]]:
        """Every entry `where` admits, newest first, in pages (for an export of the log)."""
        pages: list[list[AuditEntry]] = []
        before: int | None = None
        while batch := await self.entries(where=where, limit=1000, before=before):
            pages.append(batch)
            before = batch[-1].id
        return pages
