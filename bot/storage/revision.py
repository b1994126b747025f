"""The contest's revision: bumped in the same transaction as the change workers must follow."""
from __future__ import annotations

from sqlalchemy import select, update

from bot.storage import tables as t
from bot.storage.repositories import _Repo

_C = t.contests.c


class SqlRevision(_Repo):
    async def current(self) -> int:
        return int((await self.conn.execute(select(_C.revision).where(_C.id == self.scope.contest_id))).scalar_one())

    async def bump(self) -> int:
        await self.conn.execute(update(t.contests).where(_C.id == self.scope.contest_id)
                                .values(revision=_C.revision + 1))
        return await self.current()
