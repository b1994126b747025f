"""Dashboard accounts: create, list, disable, enable, unlock, change a password; signing in with a lock-out
counted in the database, so that guesses sent in parallel cannot get past it. Every change, sign-in and
failed sign-in leaves a row in the audit log."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from quiz.audit import ANONYMOUS, Actor
from quiz.ports import UnitOfWork, UowFactory
from quiz.staff import (
    FAILURES_KEPT,
    LOCK_WINDOW,
    SESSION_TTL,
    StaffSession,
    StaffUser,
    check_password,
    check_role,
    check_username,
    lock_wait,
    locked_for,
    tries_left,
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


class NoSuchUser(LookupError):
    """No account has that username."""


def _name(username: str) -> str:
    return username.strip().lower()[:64]


class StaffAccounts:
    def __init__(self, *, uow: UowFactory, read: UowFactory, hasher: PasswordHasher) -> None:
        self._uow, self._read, self._hasher = uow, read, hasher

    async def add(self, *, username: str, password: str, role: str, by: Actor, now: datetime) -> StaffUser:
        """A new account; BadAccount if a rule is broken, UserExists if the name is taken."""
        name, role = check_username(username), check_role(role)
        password_hash = await asyncio.to_thread(self._hasher.hash, check_password(password, username=name))
        async with self._uow() as uow:
            user = await uow.staff.add_user(username=name, password_hash=password_hash, role=role, now=now)
            await uow.audit.add(by.entry(now, "staff.add", name, {"role": role}), contest_wide=False)
            await uow.commit()
        return user

    async def users(self) -> list[StaffUser]:
        async with self._read() as uow:
            return await uow.staff.users()

    async def _existing(self, uow: UnitOfWork, username: str) -> StaffUser:
        user = await uow.staff.user(_name(username))
        if user is None:
            raise NoSuchUser(_name(username))
        return user

    async def disable(self, *, username: str, by: Actor, now: datetime) -> bool:
        """Disable the account and end its sessions; False if it was disabled already. NoSuchUser."""
        return await self._switch(username, enabled=False, by=by, now=now)

    async def enable(self, *, username: str, by: Actor, now: datetime) -> bool:
        """Let a disabled account sign in again; False if it was not disabled. NoSuchUser."""
        return await self._switch(username, enabled=True, by=by, now=now)

    async def _switch(self, username: str, *, enabled: bool, by: Actor, now: datetime) -> bool:
        async with self._uow() as uow:
            user = await self._existing(uow, username)
            if user.active == enabled:
                return False
            if enabled:
                await uow.staff.enable(user_id=user.id)
            else:
                await uow.staff.disable(user_id=user.id, now=now)
                await uow.staff.close_sessions(user_id=user.id)
            await uow.audit.add(by.entry(now, "staff.enable" if enabled else "staff.disable", user.username),
                                contest_wide=False)
            await uow.commit()
        return True

    async def unlock(self, *, username: str, by: Actor, now: datetime) -> None:
        """Forget the account's failed sign-ins from every address, ending a lock-out. NoSuchUser."""
        async with self._uow() as uow:
            user = await self._existing(uow, username)
            await uow.staff.clear_failures(username=user.username)
            await uow.audit.add(by.entry(now, "staff.unlock", user.username), contest_wide=False)
            await uow.commit()

    async def set_password(self, *, username: str, password: str, by: Actor, now: datetime) -> None:
        """A new password (the same policy as a new account); every session of the account ends, and its
        failed sign-ins are forgotten. BadAccount, NoSuchUser."""
        async with self._read() as uow:
            name = (await self._existing(uow, username)).username
        password_hash = await asyncio.to_thread(self._hasher.hash, check_password(password, username=name))
        async with self._uow() as uow:
            user = await self._existing(uow, name)
            await uow.staff.set_password(user_id=user.id, password_hash=password_hash)
            await uow.staff.close_sessions(user_id=user.id)
            await uow.staff.clear_failures(username=user.username)
            await uow.audit.add(by.entry(now, "staff.password", user.username), contest_wide=False)
            await uow.commit()

    async def sign_in(self, *, username: str, password: str, remote: str, now: datetime) -> SignIn:
        """Check a password. The try is counted in the database before the password is looked at, under
        a lock per username-and-address and per address, so that of many tries sent at once only the
        first LOCK_AFTER are checked; the rest are refused unchecked, the right password among them.
        Refused tries are not counted: the lock-out ends LOCK_WINDOW after the first failure."""
        name = _name(username)
        async with self._uow() as uow:
            tries = await uow.staff.reserve_try(username=name, remote=remote, now=now, since=now - LOCK_WINDOW,
                                                keep_since=now - FAILURES_KEPT,
                                                checked=lambda tries: lock_wait(tries, now) is None)
            user = await uow.staff.user(name) if name else None
            wait = lock_wait(tries, now)
            await uow.commit()
        if wait is not None:
            return SignIn(locked_for=wait)
        ok = await asyncio.to_thread(self._hasher.verify, user.password_hash if user else None, password)
        if user is None or not user.active or not ok:
            left = tries_left(tries)
            async with self._uow() as uow:  # the failure that starts a lock-out says so
                # whoever typed it is unknown: the username tried is what it acted on
                await uow.audit.add(Actor(ANONYMOUS, remote).entry(
                    now, "staff.sign_in_failed" if left else "staff.locked", name, {"tries": tries.pair}),
                    contest_wide=False)
                await uow.commit()
            return SignIn(tries_left=left) if left > 0 else SignIn(locked_for=locked_for(tries, now))
        async with self._uow() as uow:
            await uow.staff.clear_failures(username=name, remote=remote)
            await uow.audit.add(Actor.staff(name, remote).entry(now, "staff.sign_in", name), contest_wide=False)
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
