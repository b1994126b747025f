"""When a citizen may see a finished paper with its keys and explanations.

A ranked paper stays closed while anyone could still answer those questions for a ranking: until its
round is over (closed, or past its closing time by one time limit) and no ranked round still running
or still to come draws from the same question set. Practice never ranks, so its keys show at once."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from quiz.attempts import Attempt, AttemptStatus
from quiz.rounds import RoundState


def over(state: RoundState, now: datetime) -> bool:
    """Nobody can answer in this round any more: it was closed, or every attempt begun in time has run out."""
    r = state.round
    return state.closed or (r.closes is not None and now >= r.closes + r.time_limit)


def may_review(attempt: Attempt, rounds: Sequence[RoundState], *, now: datetime) -> bool:
    """Whether `attempt`'s paper may be shown with the keys to the one who took it."""
    if attempt.status is not AttemptStatus.FINISHED:
        return False
    if attempt.practice:
        return True
    own = next((s for s in rounds if s.round.code == attempt.round_code), None)
    if own is None or not over(own, now):
        return False
    return not any(s.round.ranked and s.round.question_set == attempt.set_name and not over(s, now) for s in rounds)
