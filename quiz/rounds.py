"""Rounds: settings checked by the contest pack's own rules, when a round is due to close, what closing
freezes, and which round every surface shows by default."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from quiz.identity import VerifiedRule
from quiz.model import Localized, Prizes, QuestionSet, Round
from quiz.pack import TIME_FORMAT, parse_round, round_fit_problems
from quiz.problems import Invalid
from quiz.ranking import Ranked, winners

# What an admin may set, named as in a pack's `rounds:` entries.
SETTINGS = frozenset({"title", "question_set", "questions_per_attempt", "time_limit_minutes", "opens", "closes",
                      "attempts_per_round", "attempts_per_day", "practice", "prediction", "topic_quotas",
                      "difficulty_quotas"})


class RoundRefused(Exception):
    """A change the round's state forbids; `message_id` says why in the catalogs."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason, self.params = reason, params

    @property
    def message_id(self) -> str:
        return f"rounds.refused.{self.reason}"


@dataclass(frozen=True, slots=True)
class RoundState:
    """A round's settings with what closing it fixed: when, and the actual prediction figure."""

    round: Round
    closed_at: datetime | None = None
    figure: int | None = None

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


@dataclass(frozen=True, slots=True)
class FrozenWinner:
    """A prize as published when the round closed; later erasures and regrades leave it as it is."""

    rank: int
    prize: str
    participant_id: int
    attempt_id: int
    correct: int
    total: int
    duration_ms: int
    prediction: int | None


@dataclass(frozen=True, slots=True)
class Closing:
    round_code: str
    figure: int
    winners: tuple[FrozenWinner, ...]
    stopped: int = 0  # attempts still open that the close ended
    already: bool = False  # the round had been closed before


def settings_of(r: Round, tz: ZoneInfo) -> dict[str, Any]:
    """A round in its pack form, so that a change is checked exactly as a pack is."""
    def when(moment: datetime | None) -> str | None:
        return moment.astimezone(tz).strftime(TIME_FORMAT) if moment else None

    return {"code": r.code, "title": dict(r.title), "question_set": r.question_set,
            "questions_per_attempt": r.questions_per_attempt,
            "time_limit_minutes": int(r.time_limit.total_seconds() // 60), "opens": when(r.opens),
            "closes": when(r.closes), "attempts_per_round": r.attempts_per_round,
            "attempts_per_day": r.attempts_per_day, "practice": r.practice, "prediction": r.prediction,
            "topic_quotas": dict(r.topic_quotas), "difficulty_quotas": dict(r.difficulty_quotas)}


def changed_round(current: Round | None, changes: Mapping[str, Any], *, code: str, tz: ZoneInfo,
                  sets: Mapping[str, QuestionSet], topics: Mapping[str, Localized]) -> Round:
    """`current` (or a new round) with `changes` applied; Invalid lists every rule broken."""
    unknown = sorted(set(changes) - SETTINGS)
    if unknown:
        raise RoundRefused("unknown_setting", keys=", ".join(unknown))
    raw = {**(settings_of(current, tz) if current else {}), **changes, "code": code}
    for key in ("questions_per_attempt", "time_limit_minutes"):  # left empty: reported as missing
        if raw.get(key) is None:
            raw.pop(key, None)
    new, problems = parse_round(raw, tz=tz, file="")
    if new is not None:
        problems += round_fit_problems(new, sets=sets, topics=topics, file="", tz=tz)
    if new is None or problems:
        raise Invalid(problems)
    return new


LOCKED = ("question_set", "questions_per_attempt", "time_limit", "attempts_per_round", "attempts_per_day",
          "topic_quotas", "difficulty_quotas", "practice", "prediction")  # what decides a paper and a rank


def locked_settings(before: Round, after: Round) -> list[str]:
    """The settings a change moves that are fixed once anyone has taken the round."""
    return [name for name in LOCKED if getattr(before, name) != getattr(after, name)]


def due_to_close(state: RoundState, now: datetime) -> bool:
    """Past its closing time by one time limit, so an attempt begun just before it kept its full time."""
    r = state.round
    return not state.closed and r.closes is not None and now >= r.closes + r.time_limit


def frozen_winners(ranked: Sequence[Ranked], prizes: Prizes,
                   rule: VerifiedRule = VerifiedRule.OPTIONAL) -> list[FrozenWinner]:
    out = []
    for w in winners(ranked, prizes, rule):
        s = w.ranked.standing
        out.append(FrozenWinner(w.ranked.rank, w.prize, s.participant_id, s.attempt_id, s.correct, s.total,
                                s.duration_ms, s.prediction))
    return out


def default_round(rounds: Sequence[Round], now: datetime) -> Round | None:
    """The ranked round shown when none is asked for (citizens' leaderboard, every dashboard page,
    exports): the open one that opened last; else the last one that has opened; else the first to come."""
    ranked = [r for r in rounds if r.ranked]
    open_now = [r for r in ranked if r.is_open(now)]
    started = [r for r in ranked if r.opens is None or r.opens <= now]
    if open_now or started:
        return (open_now or started)[-1]
    return ranked[0] if ranked else None
