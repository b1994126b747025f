"""One-time codes that prove a phone number: sent by SMS, typed back within minutes, a few tries each.

Sending is limited per number (nobody is flooded with texts) and per address (a script cannot send
texts to a list of numbers), counted in the database so every worker sees the same counts."""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

DIGITS = 6
CODE_TTL = timedelta(minutes=10)
MAX_CHECKS = 5  # wrong codes typed before the code is void
RESEND_AFTER = timedelta(seconds=60)  # one text a minute to a number …
PER_NUMBER = 5  # … five a day …
PER_ADDRESS = 10  # … and ten an hour from one browser address or chat account
NUMBER_WINDOW = timedelta(days=1)
ADDRESS_WINDOW = timedelta(hours=1)


class Purpose(StrEnum):
    REGISTER = "register"  # the citizen's own number, while registering
    RECOVER = "recover"  # a registered number, from a new browser
    GUARDIAN = "guardian"  # a parent's or guardian's number, for their consent
    PROVE = "prove"  # a registered number that was only typed, proven later


class SendRefused(Exception):
    """No code is sent: `reason` is too_soon, number_limit, address_limit or unavailable; `wait` says
    how long until another may be sent, where that is known."""

    def __init__(self, reason: str, wait: timedelta | None = None) -> None:
        super().__init__(reason)
        self.reason, self.wait = reason, wait


class Check(StrEnum):
    OK = "ok"
    WRONG = "wrong"  # tries are left
    USED_UP = "used_up"  # too many wrong codes: ask for a new one
    EXPIRED = "expired"
    NONE = "none"  # no code was sent for that number


@dataclass(frozen=True, slots=True)
class SentCode:
    id: int
    phone_key: str
    purpose: str
    code_hash: str
    created_at: datetime
    expires_at: datetime
    checks: int
    used_at: datetime | None


def new_code() -> str:
    return f"{secrets.randbelow(10 ** DIGITS):0{DIGITS}d}"


def code_hash(code: str, phone_key: str) -> str:
    """What storage keeps of a code: with the number's key mixed in, a code means nothing on another number."""
    return hashlib.sha256(f"{phone_key}:{code}".encode()).hexdigest()


def normal_code(text: str) -> str | None:
    """The digits of a typed code ("123 456", "１２３４５６"), or None when it is not one."""
    digits = "".join(ch for ch in text if not ch.isspace() and ch not in "-.")
    try:
        value = "".join(str(int(ch)) for ch in digits)  # full-width and other decimal digits, not "²"
    except ValueError:
        return None
    return value if len(value) == DIGITS else None


def may_send(to_number: Sequence[datetime], from_address: Sequence[datetime], now: datetime) -> None:
    """Raise SendRefused unless a code may be sent now, given when codes went to this number and from
    this address lately."""
    if to_number and now - max(to_number) < RESEND_AFTER:
        raise SendRefused("too_soon", RESEND_AFTER - (now - max(to_number)))
    if len([t for t in to_number if now - t < NUMBER_WINDOW]) >= PER_NUMBER:
        raise SendRefused("number_limit", NUMBER_WINDOW - (now - min(t for t in to_number if now - t < NUMBER_WINDOW)))
    if len([t for t in from_address if now - t < ADDRESS_WINDOW]) >= PER_ADDRESS:
        raise SendRefused("address_limit")


def check(sent: SentCode | None, typed: str, now: datetime) -> Check:
    """How a typed code compares with the latest code sent for the number and purpose."""
    if sent is None or sent.used_at is not None:
        return Check.NONE
    if now >= sent.expires_at:
        return Check.EXPIRED
    if sent.checks >= MAX_CHECKS:
        return Check.USED_UP
    code = normal_code(typed)
    if code is not None and secrets.compare_digest(code_hash(code, sent.phone_key), sent.code_hash):
        return Check.OK
    return Check.USED_UP if sent.checks + 1 >= MAX_CHECKS else Check.WRONG
