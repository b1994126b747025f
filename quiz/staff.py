"""Organisers and admins of the dashboard: roles, who may do what, and when signing in is refused."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

ROLES = ("organiser", "admin")  # each role may do everything the ones before it may
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD = 10
LOCK_AFTER = 5  # wrong passwords …
LOCK_WINDOW = timedelta(minutes=15)  # … within this long lock the username for the rest of it
FAILURES_KEPT = timedelta(days=1)  # far longer than any lock-out window
SESSION_TTL = timedelta(hours=8)


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


class UserExists(Exception):
    """That username is taken."""


class BadAccount(ValueError):
    """A username, role or password that cannot be used; the message says which rule."""


def may(role: str, needed: str) -> bool:
    """Whether someone holding `role` may do what `needed` may."""
    return role in ROLES and needed in ROLES and ROLES.index(role) >= ROLES.index(needed)


def check_username(name: str) -> str:
    name = name.strip().lower()
    if not USERNAME.fullmatch(name):
        raise BadAccount("username: 3–64 characters of a-z 0-9 . _ -")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise BadAccount(f"role: {' or '.join(ROLES)}")
    return role


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise BadAccount(f"a password needs at least {MIN_PASSWORD} characters")
    return password


def lock_wait(failures: int, first: datetime | None, now: datetime) -> timedelta | None:
    """How long sign-in stays refused after `failures` wrong passwords since the window began; None if open."""
    if failures < LOCK_AFTER:
        return None
    return (first + LOCK_WINDOW - now) if first else LOCK_WINDOW
