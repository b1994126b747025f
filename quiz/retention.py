"""How long what citizens leave behind is kept, and when it goes (Decree 13/2023/NĐ-CP: no longer than
the purpose needs). A daily job deletes what is due, on every worker alike; running twice deletes nothing
more."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from quiz.model import Contest


@dataclass(frozen=True, slots=True)
class Periods:
    """Settings (RETENTION_*); the contest's own `data_kept_days` says how long after its end."""

    processed_events: timedelta = timedelta(days=7)  # a redelivered update is recognised this long
    link_codes: timedelta = timedelta(days=1)  # after they expired
    phone_codes: timedelta = timedelta(days=1)  # after they expired
    idle_accounts: timedelta = timedelta(days=180)  # chat accounts never registered (or erased), not seen since


DEFAULT = Periods()


def contest_end(contest: Contest) -> datetime | None:
    """When the last round closes; None while a round has no closing time (the contest runs on)."""
    closes = [r.closes for r in contest.rounds if not r.practice]
    if not closes or any(c is None for c in closes):
        return None
    return max(c for c in closes if c is not None)


def data_deleted_at(contest: Contest) -> datetime | None:
    """When every participant's personal data (and what erasure kept: the phone's keyed hash) is deleted."""
    end = contest_end(contest)
    return None if end is None else end + timedelta(days=contest.data_kept_days)


def deletion_cutoff(contest: Contest, now: datetime) -> datetime | None:
    """Participants registered before this moment have their personal data deleted now: none while the
    contest runs or its data period lasts; from then on, everyone registered `data_kept_days` ago or more
    (so that someone who registered after the end, for practice, keeps theirs as long)."""
    deadline = data_deleted_at(contest)
    if deadline is None or now < deadline:
        return None
    return now - timedelta(days=contest.data_kept_days)


@dataclass(frozen=True, slots=True)
class Swept:
    """What one run deleted, for the log (counts only)."""

    events: int = 0
    link_codes: int = 0
    phone_codes: int = 0
    accounts: int = 0
    participants: int = 0

    def __bool__(self) -> bool:
        return any((self.events, self.link_codes, self.phone_codes, self.accounts, self.participants))
