"""Ranking within a round, the best attempt, winners, the prediction figure."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from quiz.model import Prizes


@dataclass(frozen=True, slots=True)
class Standing:
    """A participant's finished attempt as the ranking sees it."""

    participant_id: int
    attempt_id: int
    correct: int
    total: int
    duration_ms: int
    submitted_at: datetime
    prediction: int | None = None


@dataclass(frozen=True, slots=True)
class Ranked:
    rank: int
    standing: Standing


_NO_PREDICTION = float("inf")


def rank_key(s: Standing, actual: int | None) -> tuple[int, float, int, datetime, int]:
    """More correct; then prediction closest to `actual`; then shorter; then earlier."""
    miss = _NO_PREDICTION if actual is None or s.prediction is None else abs(s.prediction - actual)
    return (-s.correct, miss, s.duration_ms, s.submitted_at, s.attempt_id)


def best_per_participant(standings: Iterable[Standing], actual: int | None) -> list[Standing]:
    """Each participant's best attempt by the ranking order."""
    best: dict[int, Standing] = {}
    for s in standings:
        held = best.get(s.participant_id)
        if held is None or rank_key(s, actual) < rank_key(held, actual):
            best[s.participant_id] = s
    return list(best.values())


def rank(standings: Iterable[Standing], actual: int | None) -> list[Ranked]:
    """Strict ranks 1..n over participants' best attempts."""
    best = sorted(best_per_participant(standings, actual), key=lambda s: rank_key(s, actual))
    return [Ranked(i, s) for i, s in enumerate(best, start=1)]


def all_correct_count(standings: Iterable[Standing]) -> int:
    """Participants with at least one attempt answering every question correctly."""
    return len({s.participant_id for s in standings if s.total and s.correct == s.total})


@dataclass(frozen=True, slots=True)
class Winner:
    prize: str
    ranked: Ranked


def winners(ranked: Sequence[Ranked], prizes: Prizes) -> list[Winner]:
    """Assign the prize ladder down the strict ranking."""
    out: list[Winner] = []
    it = iter(ranked)
    for prize, count in prizes.ladder():
        for _ in range(count):
            r = next(it, None)
            if r is None:
                return out
            out.append(Winner(prize, r))
    return out
