"""The audit log: who did what to the contest's data, when — every change organisers and admins make,
and every read of personal data in bulk. Rows are only ever added."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from quiz.attempts import day_start


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor: str  # "staff:lan", "cli", "telegram:12345", "scheduler"
    action: str  # e.g. "questions.publish", "round.close", "review.decide", "export.leaderboard"
    target: str  # what it acted on: a set name, a round code, a review number, a username…
    detail: Mapping[str, object] = field(default_factory=dict)  # counts, before and after
    origin: str = ""  # where from: the client's address as the trusted proxy saw it, or "cli"
    id: int = 0  # given by storage


@dataclass(frozen=True, slots=True)
class Actor:
    """Who does something, and from where, as the audit log records it."""

    name: str  # "staff:lan", "cli", "telegram:12345", "scheduler"
    origin: str = ""  # the client's address as the trusted proxy saw it; "" where there is none

    @classmethod
    def staff(cls, username: str, address: str) -> Actor:
        return cls(f"staff:{username}", address)

    def entry(self, at: datetime, action: str, target: str, detail: Mapping[str, object] | None = None) -> AuditEntry:
        return AuditEntry(at, self.name, action, target, dict(detail or {}), self.origin)


ANONYMOUS = "anonymous"  # someone not signed in (a failed sign-in)
CLI = Actor("cli", "cli")  # someone at the server's command line
SCHEDULER = Actor("scheduler", "scheduler")  # the service itself, on time


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which entries to show: each field narrows; empty fields do not."""

    actor: str = ""  # a part of who ("lan" finds "staff:lan")
    action: str = ""  # an action or its family: "round" finds "round.close", "round.open"…
    target: str = ""  # a part of what it acted on
    since: datetime | None = None  # at or after
    until: datetime | None = None  # before

    @classmethod
    def of_days(cls, *, actor: str = "", action: str = "", target: str = "", first: date | None = None,
                last: date | None = None, tz: tzinfo) -> AuditFilter:
        """The entries from the start of day `first` to the end of day `last`, in the contest's zone."""
        return cls(actor.strip(), action.strip(), target.strip(), day_start(first, tz) if first else None,
                   day_start(last + timedelta(days=1), tz) if last else None)

    def admits(self, entry: AuditEntry) -> bool:
        """The rule itself, as storage applies it in its query."""
        return (self.actor.lower() in entry.actor.lower() and self.target.lower() in entry.target.lower()
                and (not self.action or entry.action == self.action or entry.action.startswith(f"{self.action}."))
                and (self.since is None or entry.at >= self.since) and (self.until is None or entry.at < self.until))


ACTION_FAMILIES = ("questions", "round", "review", "broadcast", "export", "staff", "participant", "contest")

EVERYTHING = AuditFilter()  # the filter that admits every entry
