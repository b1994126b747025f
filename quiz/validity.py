"""Validity windows: a question is right from its `valid_from` day to its `valid_until` day (contest
time, both included). A paper takes only questions right for the whole attempt, and a round must find
enough of them at every moment it is open: the fewest are at its start and wherever one stops."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from quiz.model import Question, Round
from quiz.quotas import can_fill


def valid_during(q: Question, start: datetime, end: datetime, tz: tzinfo) -> bool:
    """Whether `q` is right on every day from `start` to `end` (an attempt: its start and deadline)."""
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    return (q.valid_from is None or q.valid_from <= first) and (q.valid_until is None or last <= q.valid_until)


def usable(questions: Sequence[Question], start: datetime, end: datetime, tz: tzinfo) -> list[Question]:
    """The questions a paper drawn at `start` and due at `end` may take."""
    return [q for q in questions if valid_during(q, start, end, tz)]


def _midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz)


def pools(questions: Sequence[Question], *, opens: datetime | None, closes: datetime | None, length: timedelta,
          tz: tzinfo, now: datetime | None = None) -> list[tuple[datetime | None, list[Question]]]:
    """What a round can draw from at the moments it has the fewest questions: (moment, usable questions).
    The moments are its start (`now` if later) and every moment a question stops being usable before it
    closes. A round with no start and no `now` is checked against the set as it will stay; a set with no
    dates is one pool, moment None."""
    if not any(q.valid_from or q.valid_until for q in questions):
        return [(None, list(questions))]
    drops = sorted({_midnight(q.valid_until + timedelta(days=1), tz) - length for q in questions if q.valid_until})
    start = max(m for m in (opens, now) if m is not None) if opens or now else None
    if start is None:
        starts = [_midnight(q.valid_from, tz) for q in questions if q.valid_from]
        start = max([*starts, *drops])
        moments = [start]
    elif closes is not None and start >= closes:
        return []  # the round is over: nothing more will be drawn
    else:
        moments = [start, *(d for d in drops if start < d and (closes is None or d < closes))]
    return [(m, usable(questions, m, m + length, tz)) for m in moments]


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A round that cannot draw a paper: from `moment` on (None: ever), `have` questions usable, `need` asked."""

    moment: datetime | None
    have: int
    need: int


def shortfall(r: Round, questions: Sequence[Question], *, tz: tzinfo, now: datetime | None = None) -> Shortfall | None:
    """The first moment the round could not fill a paper with its quotas from the questions right for a
    whole attempt; None when it always can."""
    for moment, pool in pools(questions, opens=r.opens, closes=r.closes, length=r.time_limit, tz=tz, now=now):
        if not can_fill(pool, count=r.questions_per_attempt, topics=r.topic_quotas, levels=r.difficulty_quotas):
            return Shortfall(moment, len(pool), r.questions_per_attempt)
    return None
