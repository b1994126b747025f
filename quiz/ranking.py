"""Ranking within a round: which attempts count, the best attempt, winners, the prediction figure."""
from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from quiz.attempts import Attempt, handed_in
from quiz.identity import VerifiedRule, may_win, ranks
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
    verified: bool = True  # the participant's phone number is verified (quiz.identity)


@dataclass(frozen=True, slots=True)
class Entry:
    """An attempt as storage holds it, with what decides whether it takes part in the ranking."""

    participant_id: int
    attempt_id: int
    correct: int
    total: int
    started_at: datetime
    deadline: datetime
    finished_at: datetime | None  # None while the attempt is open
    prediction: int | None
    practice: bool
    erased: bool = False  # the participant erased their data
    disqualified: bool = False  # organisers disqualified the participant in this round
    verified: bool = True  # the participant's phone number is verified (quiz.identity)
    withdrawn: bool = False  # the participant withdrew their consent to take part


class Unranked(StrEnum):
    """Why a handed-in attempt takes no part in its round's ranking."""

    PRACTICE = "practice"
    ERASED = "erased"  # the participant erased their data
    WITHDRAWN = "withdrawn"  # … withdrew their consent to take part
    DISQUALIFIED = "disqualified"  # … was disqualified in this round by the organisers
    UNVERIFIED = "unverified"  # … has a typed number, and the contest ranks proven numbers only


def unranked(entry: Entry, rule: VerifiedRule = VerifiedRule.OPTIONAL) -> Unranked | None:
    """Why this attempt, once handed in, would not be ranked under the contest's `rule`; None if it would."""
    if entry.practice:
        return Unranked.PRACTICE
    if entry.erased:
        return Unranked.ERASED
    if entry.withdrawn:
        return Unranked.WITHDRAWN
    if entry.disqualified:
        return Unranked.DISQUALIFIED
    return None if ranks(rule, entry.verified) else Unranked.UNVERIFIED


def counts(entry: Entry, now: datetime | None = None, rule: VerifiedRule = VerifiedRule.OPTIONAL) -> bool:
    """Whether an attempt takes part in its round's ranking: handed in (finished, or past its deadline
    at `now`: an abandoned attempt ranks with what it had) and not `unranked`."""
    handed_in = entry.finished_at is not None or (now is not None and now >= entry.deadline)
    return handed_in and unranked(entry, rule) is None


def standing_of(entry: Entry) -> Standing:
    """The attempt as the ranking orders it: handed in at its finish (its deadline at the latest),
    its duration measured up to then."""
    end = handed_in(entry.finished_at, entry.deadline)
    return Standing(entry.participant_id, entry.attempt_id, entry.correct, entry.total,
                    int((end - entry.started_at).total_seconds() * 1000), entry.finished_at or entry.deadline,
                    entry.prediction, entry.verified)


def entry_of(attempt: Attempt, *, erased: bool = False, disqualified: bool = False) -> Entry:
    return Entry(attempt.participant_id, attempt.id, attempt.correct, len(attempt.paper), attempt.started_at,
                 attempt.deadline, attempt.finished_at, attempt.prediction, attempt.practice, erased, disqualified)


def standings(entries: Iterable[Entry], now: datetime | None = None,
              rule: VerifiedRule = VerifiedRule.OPTIONAL) -> list[Standing]:
    """The attempts of a round that count (at `now`, under the contest's `rule`), as the ranking sees them."""
    return [standing_of(e) for e in entries if counts(e, now, rule)]


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


def top(standings: Iterable[Standing], actual: int | None, n: int) -> list[Ranked]:
    """The first `n` of the strict ranking, without ordering everyone else (closing a round)."""
    best = heapq.nsmallest(n, best_per_participant(standings, actual), key=lambda s: rank_key(s, actual))
    return [Ranked(i, s) for i, s in enumerate(best, start=1)]


def all_correct(s: Standing) -> bool:
    """Every question of the paper answered correctly."""
    return bool(s.total) and s.correct == s.total


def all_correct_ids(standings: Iterable[Standing]) -> set[int]:
    """Participants with at least one counted attempt answering every question correctly."""
    return {s.participant_id for s in standings if all_correct(s)}


def all_correct_count(standings: Iterable[Standing]) -> int:
    """The prediction figure: how many participants answered every question of an attempt correctly."""
    return len(all_correct_ids(standings))


@dataclass(frozen=True, slots=True)
class Winner:
    prize: str
    ranked: Ranked


def winners(ranked: Sequence[Ranked], prizes: Prizes, rule: VerifiedRule = VerifiedRule.OPTIONAL) -> list[Winner]:
    """Assign the prize ladder down the strict ranking, passing over those the contest's `rule` does not
    let win (a typed number where a prize needs a verified one): they keep their rank, not a prize."""
    out: list[Winner] = []
    it = (r for r in ranked if may_win(rule, r.standing.verified))
    for prize, count in prizes.ladder():
        for _ in range(count):
            r = next(it, None)
            if r is None:
                return out
            out.append(Winner(prize, r))
    return out
