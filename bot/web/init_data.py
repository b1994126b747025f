"""Who opened the Telegram Mini App: the `initData` Telegram hands the page, checked on the server.

Telegram signs initData with HMAC-SHA256 under a key that is itself the HMAC-SHA256 of the bot's token
keyed with "WebAppData"; the hash covers every other field, sorted by name, as `name=value` lines. Only
Telegram and this service know the token, so a genuine hash proves Telegram vouches for the user it
names. The page sends it with every request; its `auth_date` bounds how long one copy may be used."""
from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from bot.json_input import NotJson, loads

MAX_LENGTH = 4096  # characters; Telegram's initData is well under one kilobyte
MAX_FIELDS = 32
FUTURE_S = 60  # an auth_date this far ahead of our clock is still believed (clocks drift a little)
MAX_USER_ID = 2**53  # Telegram promises user ids fit in 52 bits
_HASH = re.compile(r"[0-9a-f]{64}")
_DIGITS = re.compile(r"[0-9]{1,12}")


class InitDataRefused(ValueError):
    """initData this service does not believe: `reason` is "malformed", "signature" or "expired"."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"Telegram initData refused: {reason}")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class MiniAppUser:
    """The Telegram user the Mini App was opened by, as Telegram signed it."""

    id: int
    language_code: str | None


def secret_key(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


class InitDataCheck:
    """Checks initData against one bot's token; `max_age_s` after its auth_date a copy is refused."""

    def __init__(self, bot_token: str, *, max_age_s: float, clock: Callable[[], float] = time.time) -> None:
        self._key, self.max_age_s, self.clock = secret_key(bot_token), max_age_s, clock

    def user(self, raw: str) -> MiniAppUser:
        """The user genuine, fresh initData names; InitDataRefused (and nothing else) for any other text."""
        fields = _fields(raw)
        given = fields.pop("hash", "")
        check = "\n".join(f"{name}={value}" for name, value in sorted(fields.items()))
        expected = hmac.new(self._key, check.encode(), hashlib.sha256).hexdigest()
        if not _HASH.fullmatch(given) or not hmac.compare_digest(given, expected):
            raise InitDataRefused("signature")
        auth_date = fields.get("auth_date", "")
        if not _DIGITS.fullmatch(auth_date):
            raise InitDataRefused("malformed")
        age = self.clock() - int(auth_date)
        if age > self.max_age_s or age < -FUTURE_S:
            raise InitDataRefused("expired")
        return _user(fields.get("user"))


def _fields(raw: object) -> dict[str, str]:
    if not isinstance(raw, str) or not raw or len(raw) > MAX_LENGTH or not raw.isascii():
        raise InitDataRefused("malformed")
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=True, errors="strict",
                          max_num_fields=MAX_FIELDS)
    except ValueError:  # a pair without "=", too many fields, or bytes that are not UTF-8
        raise InitDataRefused("malformed") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):  # a name given twice: which one was signed is anyone's guess
        raise InitDataRefused("malformed")
    return fields


def _user(text: str | None) -> MiniAppUser:
    """The `user` field: a JSON object whose `id` is a positive integer."""
    if text is None:
        raise InitDataRefused("malformed")
    try:
        user = loads(text.encode(), limit=4)
    except NotJson:
        raise InitDataRefused("malformed") from None
    user_id = user.get("id") if isinstance(user, dict) else None
    if type(user_id) is not int or not 0 < user_id < MAX_USER_ID:
        raise InitDataRefused("malformed")
    language = user.get("language_code")
    return MiniAppUser(user_id, language[:16] if isinstance(language, str) else None)
