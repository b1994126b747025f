"""What can go wrong talking to Zalo."""
from __future__ import annotations

EXPIRED_TOKEN = frozenset({-216, -220})  # access token invalid / expired: refresh, then retry once
RATE_LIMITED = frozenset({-32})  # the app called too often: back off, then retry


class ZaloError(Exception):
    """Zalo's error code (0 when the call never got an answer) and message; `transient` ones may be retried."""

    def __init__(self, code: int, message: str, *, transient: bool = False) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.transient = code, message, transient


class ZaloConfigError(ValueError):
    """Zalo settings that cannot work; the message says which variable to fix."""
