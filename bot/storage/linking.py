"""Link codes and accounts joining a participant; the schema's unique keys keep both honest."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.storage import tables as t
from bot.storage.repositories import _Repo
from quiz.people import Account, AccountTaken, LinkCode

_L = t.link_codes.c
_A = t.accounts.c


class SqlLinks(_Repo):
    async def add(self, link: LinkCode) -> bool:
        try:
            async with self.conn.begin_nested():
                await self.conn.execute(insert(t.link_codes).values(
                    code=link.code, participant_id=link.participant_id, created_at=link.created_at,
                    expires_at=link.expires_at))
        except IntegrityError:  # the code is someone else's (live or spent): draw again
            return False
        return True

    async def get(self, code: str) -> LinkCode | None:
        r = (await self.conn.execute(select(t.link_codes).where(_L.code == code))).first()
        return LinkCode(r.code, r.participant_id, r.created_at, r.expires_at, r.used_at) if r else None

    async def use(self, *, code: str, now: datetime) -> bool:
        """Spend the code; only one of two racing uses gets True."""
        done = await self.conn.execute(update(t.link_codes).where(
            _L.code == code, _L.used_at.is_(None), _L.expires_at > now).values(used_at=now))
        return done.rowcount == 1

    async def revoke(self, *, participant_id: int, now: datetime) -> None:
        await self.conn.execute(update(t.link_codes).where(
            _L.participant_id == participant_id, _L.used_at.is_(None)).values(used_at=now))

    async def account_on(self, *, participant_id: int, channel: str) -> Account | None:
        r = (await self.conn.execute(select(t.accounts).where(
            _A.participant_id == participant_id, _A.channel == channel))).first()
        return Account(r.id, r.channel, r.external_id, r.participant_id, r.locale) if r else None

    async def attach(self, *, account_id: int, participant_id: int) -> bool:
        """Point a participant-less account at the participant; False if it has one by now,
        AccountTaken if the participant has another account on that channel."""
        try:
            async with self.conn.begin_nested():
                done = await self.conn.execute(update(t.accounts).where(
                    _A.id == account_id, _A.participant_id.is_(None)).values(participant_id=participant_id))
        except IntegrityError as exc:  # unique (participant_id, channel): a racing link won
            raise AccountTaken(str(account_id)) from exc
        return done.rowcount == 1
