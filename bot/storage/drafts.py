"""Drafts in SQL: dry runs and previews any worker can confirm. Never commits."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select

from bot.storage import tables as t
from bot.storage.repositories import _Repo
from quiz.drafts import Draft

_D = t.drafts.c


class SqlDrafts(_Repo):
    async def put(self, draft: Draft, *, now: datetime) -> None:
        await self.conn.execute(delete(t.drafts).where((_D.expires_at <= now) | (_D.token == draft.token)))
        await self.conn.execute(insert(t.drafts).values(
            token=draft.token, contest_id=self.scope.contest_id, kind=draft.kind, owner=draft.owner[:64],
            payload=dict(draft.payload), expires_at=draft.expires_at))

    async def get(self, token: str) -> Draft | None:
        r = (await self.conn.execute(select(t.drafts).where(
            _D.token == token[:64], _D.contest_id == self.scope.contest_id))).first()
        return Draft(r.token, r.kind, r.owner, dict(r.payload), r.expires_at) if r else None

    async def take(self, token: str) -> Draft | None:
        found = await self.get(token)
        if found is None:
            return None
        done = await self.conn.execute(delete(t.drafts).where(_D.token == found.token))
        return found if done.rowcount == 1 else None
