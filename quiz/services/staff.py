"""Dashboard accounts: create, list, disable; signing in with a lock-out after repeated wrong passwords."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from quiz.ports import UowFactory
from quiz.staff import (
    FAILURES_KEPT,
    LOCK_AFTER,
    LOCK_WINDOW,
    SESSION_TTL,
    StaffSession,
    StaffUser,
    check_password,
    check_role,
    check_username,
    lock_wait,
)


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...
    def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether `password` matches; with no hash (unknown user), spend the same time and say no."""
        ...


@dataclass(frozen=True, slots=True)
class SignIn:
    """How a sign-in went: the user, or how many tries are left, or how long it stays locked."""

    user: StaffUser | None = None
    tries_left: int = 0
    locked_for: timedelta | None = None


class StaffAccounts:
    def __init__(self, *, uow: UowFactory, read: UowFactory, hasher: PasswordHasher) -> None:
        self._uow, self._read, self._hasher = uow, read, hasher

    async def add(self, *, username: str, password: str, role: str, now: datetime) -> StaffUser:
        """A new account; BadAccount if a rule is broken, UserExists if the name is taken."""
        name, role = check_username(username), check_role(role)
        password_hash = await asyncio.to_thread(self._hasher.hash, check_password(password))
        async with self._uow() as uow:
            user = await uow.staff.add_user(username=name, password_hash=password_hash, role=role, now=now)
            await uow.commit()
        return user

    async def users(self) -> list[StaffUser]:
        async with self._read() as uow:
            return await uow.staff.users()

    async def disable(self, *, username: str, now: datetime) -> bool:
        """Disable the account and end its sessions; False if there is no such active user."""
        async with self._uow() as uow:
            user = await uow.staff.user(username.strip().lower())
            if user is None or not user.active:
                return False
            await uow.staff.disable(user_id=user.id, now=now)
            await uow.staff.close_sessions(user_id=user.id)
            await uow.commit()
        return True

    async def sign_in(self, *, username: str, password: str, remote: str, now: datetime) -> SignIn:
        async with self._read() as uow:
            failures, first = await uow.staff.failures_since(username=username, since=now - LOCK_WINDOW)
            user = await uow.staff.user(username) if username else None
        wait = lock_wait(failures, first, now)
        if wait is not None:
            return SignIn(locked_for=wait)
        ok = await asyncio.to_thread(self._hasher.verify, user.password_hash if user else None, password)
        async with self._uow() as uow:
            if user is None or not user.active or not ok:
                await uow.staff.record_failure(username=username, remote=remote, now=now,
                                               keep_since=now - FAILURES_KEPT)
                await uow.commit()
                left = LOCK_AFTER - failures - 1
                return SignIn(tries_left=left) if left > 0 else SignIn(locked_for=(first or now) + LOCK_WINDOW - now)
            await uow.staff.clear_failures(username=username)
            await uow.commit()
        return SignIn(user=user)

    async def open_session(self, *, user: StaffUser, token_hash: str, csrf_token: str, now: datetime) -> datetime:
        """Open a server-side session; when it expires."""
        expires = now + SESSION_TTL
        async with self._uow() as uow:
            await uow.staff.open_session(token_hash=token_hash, user_id=user.id, csrf_token=csrf_token, now=now,
                                         expires_at=expires)
            await uow.commit()
        return expires

    async def session(self, *, token_hash: str, now: datetime) -> StaffSession | None:
        """The live session with this token hash, of an account that is not disabled."""
        async with self._read() as uow:
            return await uow.staff.session(token_hash=token_hash, now=now)

    async def close_session(self, *, token_hash: str) -> None:
        async with self._uow() as uow:
            await uow.staff.close_session(token_hash=token_hash)
            await uow.commit()
