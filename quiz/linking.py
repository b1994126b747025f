"""One contestant across channels: one-time link codes and when a code may link an account."""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from enum import Enum

from quiz.people import Account, LinkCode

# Crockford's base 32: no I, L, O or U, so a code read aloud or copied by hand survives.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8  # 32**8 ≈ 10**12 codes: guessing a live one is hopeless
CODE_TTL = timedelta(minutes=10)
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-.·_]+")


class Refusal(Enum):
    """Why a code cannot link this account."""

    INVALID = "invalid"  # unknown, already used, expired, or its participant erased
    ALREADY = "already"  # this account already belongs to that participant
    OWN = "own"  # this account registered a participant of its own
    CHANNEL_TAKEN = "channel_taken"  # the participant already has an account on this channel


class LinkRefused(Exception):
    """The code cannot link this account; `refusal` says why."""

    def __init__(self, refusal: Refusal, *, channel: str | None = None) -> None:
        super().__init__(refusal.value)
        self.refusal, self.channel = refusal, channel


def new_code(choice: Callable[[Sequence[str]], str] = secrets.choice) -> str:
    """A fresh random code (unpredictable: drawn with `secrets`)."""
    return "".join(choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str | None:
    """The code in `text` as stored ("abcd-efgh", "ABCD EFGH" → "ABCDEFGH"), or None if it cannot be one."""
    raw = _SEPARATORS.sub("", text).upper().translate(_READ_AS)
    if len(raw) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in raw):
        return None
    return raw


def shown(code: str) -> str:
    """A code as people read it: two groups of four."""
    return f"{code[:4]}-{code[4:]}"


def refusal(link: LinkCode | None, *, account: Account | None, now: datetime) -> Refusal | None:
    """Why `link` cannot join `account` to its participant, as far as the code and account tell; None if it can."""
    if link is None or account is None or link.used_at is not None or now >= link.expires_at:
        return Refusal.INVALID
    if account.participant_id == link.participant_id:
        return Refusal.ALREADY
    if account.participant_id is not None:
        return Refusal.OWN
    return None
