"""Organisers and admins of the dashboard: roles, who may do what, and when signing in is refused."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib.resources import files

ROLES = ("organiser", "admin")  # each role may do everything the ones before it may
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD = 12
LOCK_AFTER = 5  # sign-ins to one username from one address …
LOCK_AFTER_ADDRESS = 20  # … or to any usernames from one address …
LOCK_WINDOW = timedelta(minutes=15)  # … within this long are refused, unchecked, for the rest of it
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
    """A username, role or password that cannot be used. `rule` names the rule (username, role, short,
    guessable) for pages to say it in their language; the message says it in English for the CLI."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


def may(role: str, needed: str) -> bool:
    """Whether someone holding `role` may do what `needed` may."""
    return role in ROLES and needed in ROLES and ROLES.index(role) >= ROLES.index(needed)


def check_username(name: str) -> str:
    name = name.strip().lower()
    if not USERNAME.fullmatch(name):
        raise BadAccount("username", "username: 3–64 characters of a-z 0-9 . _ -")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise BadAccount("role", f"role: {' or '.join(ROLES)}")
    return role


@cache
def common_passwords() -> frozenset[str]:
    """The commonest passwords, shipped with the project (quiz/data/common_passwords.txt)."""
    text = files("quiz").joinpath("data/common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def check_password(password: str, *, username: str = "") -> str:
    """At least MIN_PASSWORD characters (a passphrase of a few words is the easy way), and none that
    guessing tries first: a common password (with digits or signs around it), the username, a few characters
    repeated, digits with hardly a letter."""
    folded = password.strip().lower()
    if len(password) < MIN_PASSWORD:
        raise BadAccount("short", f"a password needs at least {MIN_PASSWORD} characters (a few words make a good one)")
    core = folded.strip("0123456789!@#$%^&*()_-+=.,;: ")  # "matkhau@2024" is "matkhau" to a guesser
    repeated = any(folded == (folded[:k] * len(folded))[:len(folded)] for k in range(1, 5))  # "abcabcabcabc"
    if folded in common_passwords() or core in common_passwords() or repeated or len(set(core)) <= 3 \
            or (username and username.lower() in folded):
        raise BadAccount("guessable",
                         "this password is among the first that guessing tries: choose a few words of your own")
    return password


@dataclass(frozen=True, slots=True)
class Tries:
    """Sign-ins counted in the window, this one included: to the username from this address, and from
    this address to any username; and when the first of the pair's was."""

    pair: int
    address: int
    first: datetime | None


def lock_wait(tries: Tries, now: datetime) -> timedelta | None:
    """How long sign-in stays refused, unchecked; None if this try may be checked."""
    if tries.pair <= LOCK_AFTER and tries.address <= LOCK_AFTER_ADDRESS:
        return None
    return locked_for(tries, now)


def tries_left(tries: Tries) -> int:
    """How many more wrong passwords this username-and-address may send before the lock-out."""
    return max(0, min(LOCK_AFTER - tries.pair, LOCK_AFTER_ADDRESS - tries.address))


def locked_for(tries: Tries, now: datetime) -> timedelta:
    """How long the lock-out that these tries start lasts (a minute at least)."""
    return max((tries.first + LOCK_WINDOW - now) if tries.first else LOCK_WINDOW, timedelta(minutes=1))
