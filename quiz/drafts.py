"""Work an admin has checked but not yet confirmed (an import's dry run, a broadcast's preview).

Kept in storage, not in one worker's memory, so "Xuất bản" may reach any worker."""
from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Draft:
    token: str
    kind: str  # import | broadcast
    owner: str  # who may confirm it: "staff:7", "telegram:12345"
    payload: Mapping[str, Any]  # JSON-shaped
    expires_at: datetime

    def usable_by(self, owner: str, now: datetime) -> bool:
        return self.owner == owner and now < self.expires_at


def new_token() -> str:
    return secrets.token_urlsafe(16)


class Stale(LookupError):
    """The draft expired, belongs to someone else, or what it was checked against changed since."""
