"""Organisers and admins in SQL: accounts, sessions, failed sign-ins. Never commits."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.storage import tables as t
from bot.storage.repositories import _Repo
from quiz.staff import StaffSession, StaffUser, Tries, UserExists

_U, _S, _F = t.staff_users.c, t.staff_sessions.c, t.login_failures.c


def _user(row: Any) -> StaffUser:
    return StaffUser(row.id, row.username, row.role, row.password_hash, row.created_at, row.disabled_at)


class SqlStaff(_Repo):
    async def add_user(self, *, username: str, password_hash: str, role: str, now: datetime) -> StaffUser:
        try:
            async with self.conn.begin_nested():
                uid = (await self.conn.execute(insert(t.staff_users).values(
                    username=username, password_hash=password_hash, role=role, created_at=now)
                    .returning(_U.id))).scalar_one()
        except IntegrityError as exc:
            raise UserExists(username) from exc
        return StaffUser(uid, username, role, password_hash, now, None)

    async def user(self, username: str) -> StaffUser | None:
        row = (await self.conn.execute(select(t.staff_users).where(_U.username == username[:64]))).first()
        return _user(row) if row else None

    async def users(self) -> list[StaffUser]:
        return [_user(r) for r in await self.conn.execute(select(t.staff_users).order_by(_U.username))]

    async def disable(self, *, user_id: int, now: datetime) -> None:
        await self.conn.execute(update(t.staff_users).where(_U.id == user_id).values(disabled_at=now))

    async def open_session(self, *, token_hash: str, user_id: int, csrf_token: str, now: datetime,
                           expires_at: datetime) -> None:
        await self.conn.execute(delete(t.staff_sessions).where(_S.expires_at <= now))
        await self.conn.execute(insert(t.staff_sessions).values(
            token_hash=token_hash, user_id=user_id, csrf_token=csrf_token, created_at=now, expires_at=expires_at))

    async def session(self, *, token_hash: str, now: datetime) -> StaffSession | None:
        q = (select(t.staff_users, _S.csrf_token, _S.expires_at).join(t.staff_sessions, _S.user_id == _U.id)
             .where(_S.token_hash == token_hash, _S.expires_at > now, _U.disabled_at.is_(None)))
        row = (await self.conn.execute(q)).first()
        return StaffSession(_user(row), row.csrf_token, row.expires_at) if row else None

    async def close_session(self, *, token_hash: str) -> None:
        await self.conn.execute(delete(t.staff_sessions).where(_S.token_hash == token_hash))

    async def close_sessions(self, *, user_id: int) -> None:
        await self.conn.execute(delete(t.staff_sessions).where(_S.user_id == user_id))

    async def enable(self, *, user_id: int) -> None:
        await self.conn.execute(update(t.staff_users).where(_U.id == user_id).values(disabled_at=None))

    async def set_password(self, *, user_id: int, password_hash: str) -> None:
        await self.conn.execute(update(t.staff_users).where(_U.id == user_id).values(password_hash=password_hash))

    async def reserve_try(self, *, username: str, remote: str, now: datetime, since: datetime,
                          keep_since: datetime, checked: Callable[[Tries], bool]) -> Tries:
        name, where = username[:64], remote[:64]
        if self.conn.dialect.name == "postgresql":  # SQLite's writer holds the whole database already
            # the address's lock first, then the pair's, in every try: two tries never wait on each other
            for key in (f"signin:{where}", f"signin:{name}|{where}"):
                await self.conn.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))
        await self.conn.execute(delete(t.login_failures).where(_F.at < keep_since))
        pair, first = (await self.conn.execute(select(func.count(), func.min(_F.at)).where(
            _F.username == name, _F.remote == where, _F.at > since))).one()
        address = (await self.conn.execute(select(func.count()).where(_F.remote == where, _F.at > since))).scalar_one()
        tries = Tries(int(pair) + 1, int(address) + 1, first or now)
        if checked(tries):
            await self.conn.execute(insert(t.login_failures).values(username=name, remote=where, at=now))
        return tries

    async def clear_failures(self, *, username: str, remote: str | None = None) -> None:
        q = delete(t.login_failures).where(_F.username == username[:64])
        await self.conn.execute(q if remote is None else q.where(_F.remote == remote[:64]))
