"""Repositories of citizens over one connection and transaction; they never commit.

The statements every press or answer runs are built once, with bound parameters (`_FIND_ACCOUNT`,
`_bump_shard`, ...): building a SELECT and its cache key costs more CPU than running it through
asyncpg, and they run hundreds of times a second."""
from __future__ import annotations

import functools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Insert

from bot.storage import tables as t
from quiz.people import Account, Consent, Participant, PhoneTaken


@dataclass(slots=True)
class ContestScope:
    """Ids of one contest's rows, so the core can speak in round codes and set names."""

    contest_id: int
    tz: str = "Asia/Ho_Chi_Minh"
    round_ids: dict[str, int] = field(default_factory=dict)
    set_ids: dict[tuple[str, int], int] = field(default_factory=dict)

    def round_code(self, round_id: int) -> str:
        return next(code for code, rid in self.round_ids.items() if rid == round_id)

    def set_key(self, set_id: int) -> tuple[str, int]:
        return next(key for key, sid in self.set_ids.items() if sid == set_id)


class _Repo:
    def __init__(self, conn: AsyncConnection, scope: ContestScope) -> None:
        self.conn, self.scope = conn, scope


def _account(row: object) -> Account:
    return Account(row.id, row.channel, row.external_id, row.participant_id, row.locale)  # type: ignore[attr-defined]


_FIND_ACCOUNT = select(t.accounts).where(t.accounts.c.contest_id == bindparam("cid"),
                                          t.accounts.c.channel == bindparam("channel"),
                                          t.accounts.c.external_id == bindparam("xid"))
_ACCOUNT = select(t.accounts).where(t.accounts.c.id == bindparam("id"))


class SqlAccounts(_Repo):
    async def find(self, *, channel: str, external_id: str) -> Account | None:
        row = (await self.conn.execute(_FIND_ACCOUNT, {"cid": self.scope.contest_id, "channel": channel,
                                                       "xid": external_id})).first()
        return _account(row) if row else None

    async def get_or_create(self, *, channel: str, external_id: str, locale: str | None, now: datetime) -> Account:
        found = await self.find(channel=channel, external_id=external_id)
        if found is not None:
            return found
        try:
            async with self.conn.begin_nested():
                await self.conn.execute(insert(t.accounts).values(
                    contest_id=self.scope.contest_id, channel=channel, external_id=external_id,
                    locale=locale, created_at=now))
        except IntegrityError:
            pass  # created by a concurrent delivery: read it below
        created = await self.find(channel=channel, external_id=external_id)
        assert created is not None
        return created

    async def get(self, account_id: int) -> Account | None:
        row = (await self.conn.execute(_ACCOUNT, {"id": account_id})).first()
        return _account(row) if row else None

    async def set_locale(self, *, account_id: int, locale: str) -> None:
        await self.conn.execute(update(t.accounts).where(t.accounts.c.id == account_id).values(locale=locale))

    async def link(self, *, account_id: int, participant_id: int | None) -> None:
        await self.conn.execute(update(t.accounts).where(t.accounts.c.id == account_id)
                                .values(participant_id=participant_id))

    async def forget_participants(self, participant_ids: Sequence[int]) -> None:
        await self.conn.execute(update(t.accounts).where(t.accounts.c.participant_id.in_(list(participant_ids)))
                                .values(participant_id=None))

    async def of_participants(self, participant_ids: Sequence[int]) -> list[Account]:
        rows = await self.conn.execute(select(t.accounts).where(t.accounts.c.participant_id.in_(list(participant_ids)))
                                       .order_by(t.accounts.c.id))
        return [_account(r) for r in rows]

    async def of_participant(self, participant_id: int) -> list[Account]:
        return await self.of_participants([participant_id])


def _participant(row: object) -> Participant:
    r = row
    return Participant(r.id, r.full_name, r.birth_year, r.phone, r.unit_code, r.referral,  # type: ignore[attr-defined]
                       r.registered_at, r.erased_at is not None, r.phone_verified_by,  # type: ignore[attr-defined]
                       r.withdrawn_at is not None)  # type: ignore[attr-defined]


_P = t.participants.c
_PARTICIPANT = select(t.participants).where(_P.id == bindparam("id"))
SAME_PERSON = select(_P.id).where(  # the registrations sharing the participant's phone key, erased ones too
    _P.contest_id == bindparam("cid"), _P.phone_key.is_not(None),
    _P.phone_key == select(_P.phone_key).where(_P.id == bindparam("id")).scalar_subquery())


class SqlParticipants(_Repo):
    async def add(self, *, full_name: str, birth_year: int, phone: str, unit_code: str,
                  referral: str | None, now: datetime, phone_key: str,
                  phone_verified_by: str | None = None) -> Participant:
        try:
            async with self.conn.begin_nested():
                pid = (await self.conn.execute(insert(t.participants).values(
                    contest_id=self.scope.contest_id, full_name=full_name, birth_year=birth_year, phone=phone,
                    unit_code=unit_code, referral=referral, registered_at=now, phone_key=phone_key,
                    phone_verified_by=phone_verified_by).returning(_P.id))).scalar_one()
        except IntegrityError as exc:
            raise PhoneTaken(phone) from exc
        return Participant(pid, full_name, birth_year, phone, unit_code, referral, now, False, phone_verified_by)

    async def get(self, participant_id: int) -> Participant | None:
        row = (await self.conn.execute(_PARTICIPANT, {"id": participant_id})).first()
        return _participant(row) if row else None

    async def phone_taken(self, phone: str) -> bool:
        q = select(t.participants.c.id).where(t.participants.c.contest_id == self.scope.contest_id,
                                              t.participants.c.phone == phone)
        return (await self.conn.execute(q)).first() is not None

    async def holder(self, phone: str) -> Participant | None:
        row = (await self.conn.execute(select(t.participants).where(
            _P.contest_id == self.scope.contest_id, _P.phone == phone))).first()
        return _participant(row) if row else None

    async def same_person(self, participant_id: int) -> list[int]:
        rows = await self.conn.execute(SAME_PERSON, {"cid": self.scope.contest_id, "id": participant_id})
        return sorted({participant_id, *(r.id for r in rows)})

    async def release_phone(self, *, participant_id: int) -> None:
        await self.conn.execute(update(t.participants).where(_P.id == participant_id).values(
            phone=None, phone_key=None, phone_verified_by=None))

    async def set_phone_verified(self, *, participant_id: int, source: str) -> None:
        await self.conn.execute(update(t.participants).where(_P.id == participant_id, _P.phone.is_not(None))
                                .values(phone_verified_by=source))

    async def replace_phone(self, *, participant_id: int, phone: str, phone_key: str, source: str) -> bool:
        try:
            async with self.conn.begin_nested():
                done = await self.conn.execute(update(t.participants).where(
                    _P.id == participant_id, _P.phone.is_not(None), _P.phone_verified_by.is_(None),
                    _P.erased_at.is_(None)).values(phone=phone, phone_key=phone_key, phone_verified_by=source))
        except IntegrityError as exc:
            raise PhoneTaken(phone) from exc
        return bool(done.rowcount)

    async def withdraw(self, *, participant_id: int, now: datetime) -> None:
        await self.conn.execute(update(t.participants).where(_P.id == participant_id, _P.withdrawn_at.is_(None))
                                .values(withdrawn_at=now))

    async def anonymise(self, participant_ids: Sequence[int], *, now: datetime, keep_key: bool = True) -> None:
        values: dict[str, object] = {"full_name": "—", "birth_year": None, "phone": None, "referral": None,
                                     "phone_verified_by": None,
                                     "erased_at": func.coalesce(_P.erased_at, literal(now, t.UtcDateTime()))}
        if not keep_key:
            values["phone_key"] = None
        await self.conn.execute(update(t.participants).where(_P.id.in_(list(participant_ids))).values(**values))

    async def registered_before(self, moment: datetime) -> list[int]:
        rows = await self.conn.execute(select(_P.id).where(
            _P.contest_id == self.scope.contest_id, _P.registered_at < moment,
            (_P.erased_at.is_(None)) | (_P.phone_key.is_not(None))).order_by(_P.id))
        return [r.id for r in rows]

    async def set_unit(self, *, participant_id: int, unit_code: str) -> None:
        await self.conn.execute(update(t.participants).where(t.participants.c.id == participant_id)
                                .values(unit_code=unit_code))

    async def names(self, ids: Sequence[int]) -> Mapping[int, Participant]:
        if not ids:
            return {}
        rows = await self.conn.execute(select(t.participants).where(t.participants.c.id.in_(list(ids))))
        return {r.id: _participant(r) for r in rows}


class SqlConsents(_Repo):
    async def record(self, *, account_id: int, purpose: str, granted: bool, text_version: str, now: datetime) -> None:
        acc = (await self.conn.execute(select(t.accounts.c.participant_id)
                                       .where(t.accounts.c.id == account_id))).first()
        await self.conn.execute(insert(t.consents).values(
            account_id=account_id, participant_id=acc.participant_id if acc else None, purpose=purpose,
            granted=granted, text_version=text_version, at=now))

    async def latest(self, *, account_id: int) -> Mapping[str, Consent]:
        rows = await self.conn.execute(select(t.consents).where(t.consents.c.account_id == account_id)
                                       .order_by(t.consents.c.id))
        return {r.purpose: Consent(r.purpose, r.granted, r.text_version, r.at) for r in rows}

    async def attach(self, *, account_id: int, participant_id: int) -> None:
        await self.conn.execute(update(t.consents).where(t.consents.c.account_id == account_id)
                                .values(participant_id=participant_id))

    async def of_participant(self, *, participant_id: int) -> list[Consent]:
        rows = await self.conn.execute(select(t.consents).where(t.consents.c.participant_id == participant_id)
                                       .order_by(t.consents.c.id))
        return [Consent(r.purpose, r.granted, r.text_version, r.at) for r in rows]


@functools.cache
def _bump_shard(dialect: str) -> Insert:
    """Add to one shard's counts, creating the row on the first bump."""
    c = t.unit_counters.c
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(t.unit_counters)
    return stmt.on_conflict_do_update(
        index_elements=[c.contest_id, c.unit_code, c.shard],
        set_={"participants": c.participants + stmt.excluded.participants,
              "attempts": c.attempts + stmt.excluded.attempts})


class SqlUnitCounters(_Repo):
    """Participants and attempts per unit, each unit's spread over SHARDS rows: a bump takes the row lock
    of one shard until its transaction commits, so a unit's citizens starting at once no longer queue on
    one row (migration 0014)."""

    SHARDS = 16

    async def bump(self, *, unit_code: str, participants: int = 0, attempts: int = 0) -> None:
        await self.conn.execute(_bump_shard(self.conn.dialect.name), {
            "contest_id": self.scope.contest_id, "unit_code": unit_code, "shard": random.randrange(self.SHARDS),
            "participants": participants, "attempts": attempts})

    async def all(self) -> tuple[Mapping[str, int], Mapping[str, int]]:
        c = t.unit_counters.c
        rows = (await self.conn.execute(
            select(c.unit_code, func.sum(c.participants).label("participants"),
                   func.sum(c.attempts).label("attempts"))
            .where(c.contest_id == self.scope.contest_id).group_by(c.unit_code))).all()
        return {r.unit_code: int(r.participants) for r in rows}, {r.unit_code: int(r.attempts) for r in rows}
