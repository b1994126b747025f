"""Organisers and admins in SQL: accounts, sessions, failed logins, integrity reviews.

Each method is its own short transaction: these are web requests and CLI commands,
not steps of a contest use case."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage import tables as t
from quiz.integrity import Flag

ROLES = ("organiser", "admin")
REVIEW_STATUSES = ("open", "cleared", "disqualified")
FAILURES_KEPT = timedelta(days=1)  # far longer than any lock-out window
_U, _S, _R = t.staff_users.c, t.staff_sessions.c, t.integrity_reviews.c


class UserExists(Exception):
    """That username is taken."""


@dataclass(frozen=True, slots=True)
class StaffUser:
    id: int
    username: str
    role: str
    password_hash: str
    created_at: datetime
    disabled_at: datetime | None

    @property
    def active(self) -> bool:
        return self.disabled_at is None


@dataclass(frozen=True, slots=True)
class StaffSession:
    user: StaffUser
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Review:
    id: int
    round_code: str
    participant_id: int
    attempt_id: int | None
    kind: str
    detail: dict[str, Any]
    status: str
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime


def _user(row: Any) -> StaffUser:
    return StaffUser(row.id, row.username, row.role, row.password_hash, row.created_at, row.disabled_at)


async def _round_ids(conn: AsyncConnection, contest: str) -> dict[str, int]:
    rows = await conn.execute(select(t.rounds.c.code, t.rounds.c.id).join(t.contests)
                              .where(t.contests.c.slug == contest))
    return {r.code: r.id for r in rows}


class StaffStore:
    """Staff accounts (shared by every contest in the database), their sessions and failed logins."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    # accounts
    async def add_user(self, *, username: str, password_hash: str, role: str, now: datetime) -> StaffUser:
        if role not in ROLES:
            raise ValueError(role)
        try:
            async with self._engine.begin() as conn:
                uid = (await conn.execute(insert(t.staff_users).values(
                    username=username, password_hash=password_hash, role=role, created_at=now)
                    .returning(_U.id))).scalar_one()
        except IntegrityError as exc:
            raise UserExists(username) from exc
        return StaffUser(uid, username, role, password_hash, now, None)

    async def user(self, username: str) -> StaffUser | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(t.staff_users).where(_U.username == username))).first()
        return _user(row) if row else None

    async def users(self) -> list[StaffUser]:
        async with self._engine.connect() as conn:
            return [_user(r) for r in await conn.execute(select(t.staff_users).order_by(_U.username))]

    async def disable_user(self, *, username: str, now: datetime) -> bool:
        """Disable the account and end its sessions; False if there is no such active user."""
        async with self._engine.begin() as conn:
            uid = (await conn.execute(select(_U.id).where(_U.username == username, _U.disabled_at.is_(None)))).scalar()
            if uid is None:
                return False
            await conn.execute(update(t.staff_users).where(_U.id == uid).values(disabled_at=now))
            await conn.execute(delete(t.staff_sessions).where(_S.user_id == uid))
        return True

    # sessions
    async def open_session(self, *, token_hash: str, user_id: int, csrf_token: str, now: datetime,
                           expires_at: datetime) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(t.staff_sessions).where(_S.expires_at <= now))
            await conn.execute(insert(t.staff_sessions).values(
                token_hash=token_hash, user_id=user_id, csrf_token=csrf_token, created_at=now, expires_at=expires_at))

    async def session(self, *, token_hash: str, now: datetime) -> StaffSession | None:
        """The live session with this token hash, of an account that is not disabled."""
        q = (select(t.staff_users, _S.csrf_token, _S.expires_at).join(t.staff_sessions, _S.user_id == _U.id)
             .where(_S.token_hash == token_hash, _S.expires_at > now, _U.disabled_at.is_(None)))
        async with self._engine.connect() as conn:
            row = (await conn.execute(q)).first()
        return StaffSession(_user(row), row.csrf_token, row.expires_at) if row else None

    async def close_session(self, *, token_hash: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(t.staff_sessions).where(_S.token_hash == token_hash))

    # failed logins
    async def record_failure(self, *, username: str, remote: str, now: datetime) -> None:
        """Note a failed login; failures older than a day are dropped, so guessing cannot fill the table."""
        f = t.login_failures.c
        async with self._engine.begin() as conn:
            await conn.execute(delete(t.login_failures).where(f.at < now - FAILURES_KEPT))
            await conn.execute(insert(t.login_failures).values(username=username[:64], remote=remote[:64], at=now))

    async def failures_since(self, *, username: str, since: datetime) -> tuple[int, datetime | None]:
        """How many failed logins for `username` since `since`, and the earliest of them."""
        f = t.login_failures.c
        q = select(func.count(), func.min(f.at)).where(f.username == username[:64], f.at > since)
        async with self._engine.connect() as conn:
            count, first = (await conn.execute(q)).one()
        return int(count), first

    async def clear_failures(self, *, username: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(t.login_failures).where(t.login_failures.c.username == username[:64]))


class ReviewStore:
    """The integrity review list of one contest's rounds."""

    def __init__(self, engine: AsyncEngine, *, contest: str) -> None:
        self._engine, self._contest = engine, contest

    async def add_flags(self, *, round_code: str, flags: Iterable[Flag], now: datetime) -> int:
        """Open a review for each new (participant, kind) in the round; decided ones stay decided."""
        async with self._engine.begin() as conn:
            rid = (await _round_ids(conn, self._contest))[round_code]
            known = {(r.participant_id, r.kind) for r in await conn.execute(
                select(_R.participant_id, _R.kind).where(_R.round_id == rid))}
            rows = [{"round_id": rid, "participant_id": f.participant_id, "attempt_id": f.attempt_id,
                     "kind": f.kind.value, "detail": dict(f.detail), "status": "open", "created_at": now}
                    for f in flags if (f.participant_id, f.kind.value) not in known]
            if rows:
                await conn.execute(insert(t.integrity_reviews), rows)
        return len(rows)

    async def reviews(self, *, round_code: str, statuses: Sequence[str] = REVIEW_STATUSES,
                      limit: int = 500) -> list[Review]:
        q = (select(t.integrity_reviews, _U.username).outerjoin(t.staff_users, _U.id == _R.decided_by)
             .where(_R.status.in_(list(statuses))).order_by(_R.id).limit(limit))
        async with self._engine.connect() as conn:
            rid = (await _round_ids(conn, self._contest)).get(round_code)
            if rid is None:
                return []
            rows = (await conn.execute(q.where(_R.round_id == rid))).all()
        return [Review(r.id, round_code, r.participant_id, r.attempt_id, r.kind, dict(r.detail), r.status,
                       r.username, r.decided_at, r.created_at) for r in rows]

    async def decide(self, *, review_id: int, status: str, user_id: int, now: datetime) -> str | None:
        """Set a review's status; the round code it belongs to, or None if there is no such review."""
        if status not in REVIEW_STATUSES:
            raise ValueError(status)
        async with self._engine.begin() as conn:
            rid = (await conn.execute(select(_R.round_id).where(_R.id == review_id))).scalar()
            if rid is None:
                return None
            await conn.execute(update(t.integrity_reviews).where(_R.id == review_id).values(
                status=status, decided_by=user_id if status != "open" else None,
                decided_at=now if status != "open" else None))
            codes = {v: k for k, v in (await _round_ids(conn, self._contest)).items()}
        return codes.get(rid)
