"""Where a contest stands at a moment: before its first ranked round, during one, between two, or over.

Every surface that says so to a citizen (the welcome, "Thi ngay", the leaderboard) asks this one function."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from quiz.model import Round


class Stage(StrEnum):
    UPCOMING = "upcoming"  # no ranked round has opened yet
    RUNNING = "running"  # a ranked round is open
    BETWEEN = "between"  # one has closed, another is still to open
    OVER = "over"  # every ranked round has closed
    PRACTICE_ONLY = "practice_only"  # the contest has no ranked round at all


@dataclass(frozen=True, slots=True)
class Season:
    stage: Stage
    running: Round | None = None  # the ranked round open now (the one that opened last)
    next: Round | None = None  # the next ranked round to open
    last: Round | None = None  # the ranked round that closed last
    practice: Round | None = None  # a practice round open now

    @property
    def ended(self) -> datetime | None:
        """When the contest ended, once it is over."""
        return self.last.closes if self.stage is Stage.OVER and self.last is not None else None


def has_closed(r: Round, now: datetime) -> bool:
    return r.closes is not None and now >= r.closes


def has_opened(r: Round, now: datetime) -> bool:
    return r.opens is None or now >= r.opens


def season(rounds: Sequence[Round], now: datetime) -> Season:
    """The contest's stage at `now`, with the rounds a citizen is told about."""
    ranked = [r for r in rounds if r.ranked]
    practice = next((r for r in rounds if r.practice and r.is_open(now)), None)
    if not ranked:
        return Season(Stage.PRACTICE_ONLY, practice=practice)
    running = [r for r in ranked if r.is_open(now)]
    upcoming = sorted((r for r in ranked if not has_opened(r, now)), key=lambda r: r.opens or now)
    closed = sorted((r for r in ranked if has_closed(r, now)), key=lambda r: r.closes or now)
    coming = upcoming[0] if upcoming else None
    last = closed[-1] if closed else None
    if running:
        latest = max(running, key=lambda r: (r.opens is not None, r.opens or now))
        return Season(Stage.RUNNING, running=latest, next=coming, last=last, practice=practice)
    if last is None:
        return Season(Stage.UPCOMING, next=coming, practice=practice)
    if coming is not None:
        return Season(Stage.BETWEEN, next=coming, last=last, practice=practice)
    return Season(Stage.OVER, last=last, practice=practice)
