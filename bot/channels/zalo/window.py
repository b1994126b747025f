"""Zalo's reply window: an OA may message a user only within 48 hours of the user's last interaction.

The broadcast feature asks `can_message(account, now)` before each Zalo delivery and counts
those outside the window as skipped (its report should say that Zalo users are reached only
inside the window). Any row with `channel` and `last_seen_at` will do, e.g. a row of the
accounts table."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

CHANNEL = "zalo"
REPLY_WINDOW = timedelta(hours=48)


class Reachable(Protocol):
    @property
    def channel(self) -> str: ...

    @property
    def last_seen_at(self) -> datetime | None: ...


def within_window(last_seen_at: datetime | None, now: datetime) -> bool:
    """True while a Zalo user who last wrote at `last_seen_at` may still be messaged."""
    return last_seen_at is not None and now - last_seen_at < REPLY_WINDOW


def can_message(account: Reachable, now: datetime) -> bool:
    """Whether the platform lets us message this account now: always on other channels,
    on Zalo only within 48 hours of the user's last interaction."""
    return account.channel != CHANNEL or within_window(account.last_seen_at, now)
