"""Guardians, one-time phone codes, notices owed to citizens, and the deletion of what is kept no longer.
Never commits."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, or_, select, update

from bot.storage import tables as t
from bot.storage.repositories import _Repo
from quiz.identity import Guardian
from quiz.verification import SentCode

_G, _C, _N, _A = t.guardians.c, t.phone_codes.c, t.notices.c, t.accounts.c
_PENDING = select(_N.id, _N.kind).where(_N.account_id == bindparam("id"), _N.shown_at.is_(None)).order_by(_N.id)


class SqlGuardians(_Repo):
    async def put(self, *, participant_id: int, guardian: Guardian, now: datetime) -> None:
        await self.conn.execute(delete(t.guardians).where(_G.participant_id == participant_id))
        await self.conn.execute(insert(t.guardians).values(
            participant_id=participant_id, full_name=guardian.full_name, phone=guardian.phone,
            confirmed_by=guardian.confirmed_by, confirmed_at=now))

    async def get(self, participant_id: int) -> Guardian | None:
        row = (await self.conn.execute(select(t.guardians).where(_G.participant_id == participant_id))).first()
        return Guardian(row.full_name, row.phone, row.confirmed_by) if row else None

    async def remove(self, participant_ids: Sequence[int]) -> None:
        await self.conn.execute(delete(t.guardians).where(_G.participant_id.in_(list(participant_ids))))


class SqlPhoneCodes(_Repo):
    async def sent_times(self, *, since: datetime, phone_key: str | None = None,
                         address: str | None = None) -> list[datetime]:
        q = select(_C.created_at).where(_C.contest_id == self.scope.contest_id, _C.created_at >= since)
        if phone_key is not None:
            q = q.where(_C.phone_key == phone_key)
        if address is not None:
            q = q.where(_C.address == address[:64])
        return [r.created_at for r in await self.conn.execute(q)]

    async def add(self, *, phone_key: str, purpose: str, code_hash: str, address: str, now: datetime,
                  expires_at: datetime) -> None:
        await self.conn.execute(insert(t.phone_codes).values(
            contest_id=self.scope.contest_id, phone_key=phone_key, purpose=purpose, code_hash=code_hash,
            address=address[:64], created_at=now, expires_at=expires_at))

    async def latest(self, *, phone_key: str, purpose: str) -> SentCode | None:
        row = (await self.conn.execute(select(t.phone_codes).where(
            _C.contest_id == self.scope.contest_id, _C.phone_key == phone_key, _C.purpose == purpose)
            .order_by(_C.id.desc()).limit(1))).first()
        return SentCode(row.id, row.phone_key, row.purpose, row.code_hash, row.created_at, row.expires_at,
                        row.checks, row.used_at) if row else None

    async def count_check(self, code_id: int) -> None:
        await self.conn.execute(update(t.phone_codes).where(_C.id == code_id).values(checks=_C.checks + 1))

    async def use(self, *, code_id: int, now: datetime) -> bool:
        done = await self.conn.execute(update(t.phone_codes).where(_C.id == code_id, _C.used_at.is_(None))
                                       .values(used_at=now))
        return done.rowcount == 1


class SqlNotices(_Repo):
    async def add(self, *, account_id: int, kind: str, now: datetime) -> None:
        await self.conn.execute(insert(t.notices).values(account_id=account_id, kind=kind, created_at=now))

    async def pending(self, account_id: int) -> list[tuple[int, str]]:
        rows = await self.conn.execute(_PENDING, {"id": account_id})  # on every press
        return [(r.id, r.kind) for r in rows]

    async def shown(self, *, ids: Sequence[int], now: datetime) -> None:
        if ids:
            await self.conn.execute(update(t.notices).where(_N.id.in_(list(ids))).values(shown_at=now))


class SqlHousekeeping(_Repo):
    async def processed_events(self, *, before: datetime) -> int:
        e = t.inbound_events.c  # events belong to the channel, not one contest: any worker may sweep them
        done = await self.conn.execute(delete(t.inbound_events).where(e.processed_at.is_not(None),
                                                                      e.processed_at < before))
        return int(done.rowcount or 0)

    async def link_codes(self, *, expired_before: datetime) -> int:
        mine = select(t.participants.c.id).where(t.participants.c.contest_id == self.scope.contest_id)
        done = await self.conn.execute(delete(t.link_codes).where(
            t.link_codes.c.expires_at < expired_before, t.link_codes.c.participant_id.in_(mine)))
        return int(done.rowcount or 0)

    async def phone_codes(self, *, expired_before: datetime) -> int:
        done = await self.conn.execute(delete(t.phone_codes).where(_C.contest_id == self.scope.contest_id,
                                                                   _C.expires_at < expired_before))
        return int(done.rowcount or 0)

    async def idle_accounts(self, *, seen_before: datetime) -> int:
        consented = select(t.consents.c.account_id).where(t.consents.c.at >= seen_before)
        idle = select(_A.id).where(
            _A.contest_id == self.scope.contest_id, _A.participant_id.is_(None), _A.created_at < seen_before,
            or_(_A.last_seen_at.is_(None), _A.last_seen_at < seen_before), _A.id.not_in(consented))
        ids = [r.id for r in await self.conn.execute(idle)]
        for start in range(0, len(ids), 500):
            batch = ids[start:start + 500]
            for table in (t.consents, t.notices, t.broadcast_deliveries):  # what names the account goes with it
                await self.conn.execute(delete(table).where(table.c.account_id.in_(batch)))
            await self.conn.execute(delete(t.accounts).where(_A.id.in_(batch)))
        return len(ids)
