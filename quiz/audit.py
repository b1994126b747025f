"""The audit log: who did what to the contest's data, when — every change organisers and admins make,
and every read of personal data in bulk. Rows are only ever added."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor: str  # "staff:lan", "cli", "telegram:12345", "scheduler"
    action: str  # e.g. "questions.publish", "round.close", "review.decide", "export.leaderboard"
    target: str  # what it acted on: a set name, a round code, a review number, a username…
    detail: Mapping[str, object] = field(default_factory=dict)
    id: int = 0  # given by storage


def staff_actor(username: str) -> str:
    return f"staff:{username}"


CLI = "cli"  # someone at the server's command line
SCHEDULER = "scheduler"  # the service itself, on time
