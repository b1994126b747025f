"""Attempts: drawing a paper, the deadline, answers, scoring and attempt caps."""
from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from quiz.model import Question, Round
from quiz.quotas import choose
from quiz.validity import usable


class DrawError(ValueError):
    """The question set cannot fill a paper with the round's settings."""


@dataclass(frozen=True, slots=True)
class PaperItem:
    """One position of a paper: a question and the order its options are shown in."""

    question_id: str
    order: tuple[int, ...]  # shown position -> index in Question.options

    def shown_correct(self, question: Question) -> int:
        return self.order.index(question.correct)


def draw_paper(
    questions: Sequence[Question], *, count: int, quotas: Mapping[str, int], rng: random.Random,
    levels: Mapping[str, int] | None = None,
) -> tuple[PaperItem, ...]:
    """Draw `count` distinct questions honouring topic quotas (and difficulty quotas, `levels`), shuffle
    them and their options."""
    if count > len(questions):
        raise DrawError(f"need {count} questions, the set has {len(questions)}")
    if sum(quotas.values()) > count:
        raise DrawError("topic quotas add up to more than the questions per attempt")
    chosen: list[Question] = []
    if levels:
        both = choose(questions, count=count, topics=quotas, levels=levels, rng=rng)
        if both is None:
            raise DrawError("the set cannot meet the topic and difficulty quotas together")
        chosen = both
    for topic, n in sorted(quotas.items()) if not levels else ():
        pool = [q for q in questions if q.topic == topic]
        if len(pool) < n:
            raise DrawError(f"topic {topic!r} has {len(pool)} questions, quota is {n}")
        chosen += rng.sample(pool, n)
    taken = {q.id for q in chosen}
    rest = [q for q in questions if q.id not in taken]
    chosen += rng.sample(rest, count - len(chosen))
    rng.shuffle(chosen)
    items = []
    for q in chosen:
        order = list(range(len(q.options)))
        rng.shuffle(order)
        items.append(PaperItem(q.id, tuple(order)))
    return tuple(items)


def paper_for(round_: Round, questions: Sequence[Question], *, start: datetime, tz: tzinfo,
              rng: random.Random) -> tuple[PaperItem, ...]:
    """A paper for an attempt starting at `start`: only questions right until its deadline, with the
    round's topic and difficulty quotas."""
    return draw_paper(usable(questions, start, start + round_.time_limit, tz), count=round_.questions_per_attempt,
                      quotas=round_.topic_quotas, levels=round_.difficulty_quotas, rng=rng)


class AttemptStatus(StrEnum):
    OPEN = "open"
    FINISHED = "finished"


def takes_answers(status: AttemptStatus, deadline: datetime, at: datetime) -> bool:
    """An attempt takes answers while open and before its stored deadline."""
    return status is AttemptStatus.OPEN and at < deadline


def handed_in(finished_at: datetime | None, deadline: datetime) -> datetime:
    """When an attempt counts as handed in: when it finished, at its deadline at the latest."""
    return min(finished_at or deadline, deadline)


@dataclass(frozen=True, slots=True)
class Attempt:
    id: int
    participant_id: int
    round_code: str
    set_name: str
    set_version: int
    paper: tuple[PaperItem, ...]
    started_at: datetime
    deadline: datetime
    practice: bool = False
    status: AttemptStatus = AttemptStatus.OPEN
    finished_at: datetime | None = None
    correct: int = 0
    prediction: int | None = None

    def expired(self, now: datetime) -> bool:
        """Open but past its stored deadline: to be closed with the answers it has."""
        return self.status is AttemptStatus.OPEN and now >= self.deadline

    def accepting(self, now: datetime) -> bool:
        return takes_answers(self.status, self.deadline, now)

    def time_left(self, now: datetime) -> timedelta:
        return max(self.deadline - now, timedelta(0))

    def duration(self) -> timedelta:
        """From the start until it was handed in: what the ranking and the citizen's result show."""
        return handed_in(self.finished_at, self.deadline) - self.started_at


@dataclass(frozen=True, slots=True)
class NewAttempt:
    """An attempt about to be stored: its frozen paper, deadline and place in the participant's quota."""

    participant_id: int
    round_code: str
    set_name: str
    set_version: int
    paper: tuple[PaperItem, ...]
    started_at: datetime
    deadline: datetime
    practice: bool
    seq: int
    day: date


class AttemptRace(Exception):
    """Another request started an attempt at the same moment; retry reads it. `in_round`: the attempts the
    losing start had counted in the round (when it knows)."""

    def __init__(self, in_round: int = 0) -> None:
        super().__init__(in_round)
        self.in_round = in_round


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    ALREADY_ANSWERED = "already_answered"
    NOT_YOURS = "not_yours"
    NO_SUCH_QUESTION = "no_such_question"
    NO_SUCH_OPTION = "no_such_option"
    TIME_UP = "time_up"
    FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class Written:
    """What writing one answer found where it was written: whether this answer was stored; every answer the
    attempt holds after it (position → choice), so the next question needs no second read; and whether the
    citizen's account was no longer as the caller saw it (`moved`: nothing was written)."""

    stored: bool
    answers: Mapping[int, int] | None = None
    moved: bool = False


class AccountMoved(Exception):
    """The chat account changed since the caller read it (another worker linked, unlinked or switched its
    language): nothing was stored; read the account again and handle the event again."""


def check_answer(
    attempt: Attempt, *, participant_id: int, position: int, choice: int, now: datetime
) -> Verdict:
    """Whether an answer may be stored; the one-answer-per-position rule is the database's."""
    if attempt.participant_id != participant_id:
        return Verdict.NOT_YOURS
    if attempt.status is AttemptStatus.FINISHED:
        return Verdict.FINISHED
    if now >= attempt.deadline:
        return Verdict.TIME_UP
    if not 0 <= position < len(attempt.paper):
        return Verdict.NO_SUCH_QUESTION
    if not 0 <= choice < len(attempt.paper[position].order):
        return Verdict.NO_SUCH_OPTION
    return Verdict.ACCEPTED


def is_correct(item: PaperItem, question: Question, choice: int) -> bool:
    """Whether the option shown at `choice` is the question's correct one."""
    return item.order[choice] == question.correct


def score(
    paper: Sequence[PaperItem], answers: Mapping[int, int], questions: Mapping[str, Question]
) -> int:
    """Correct answers of a paper, given chosen shown positions by question position."""
    return sum(
        1
        for pos, choice in answers.items()
        if 0 <= pos < len(paper) and is_correct(paper[pos], questions[paper[pos].question_id], choice)
    )


class CapReached(Exception):
    """No attempt left in this round or today."""

    def __init__(self, *, per: str, limit: int) -> None:
        super().__init__(f"{limit} attempts per {per}")
        self.per = per
        self.limit = limit


def check_cap(round_: Round, *, in_round: int, today: int) -> None:
    """Raise CapReached when the round's attempt cap forbids another attempt."""
    if round_.practice:
        return
    if round_.attempts_per_round is not None and in_round >= round_.attempts_per_round:
        raise CapReached(per="round", limit=round_.attempts_per_round)
    if round_.attempts_per_day is not None and today >= round_.attempts_per_day:
        raise CapReached(per="day", limit=round_.attempts_per_day)


def local_day(moment: datetime, tz: tzinfo) -> date:
    """The calendar day of `moment` in the contest's time zone."""
    return moment.astimezone(tz).date()


def day_start(day: date, tz: tzinfo) -> datetime:
    """The first moment of `day` in the contest's time zone (the end of a day is the next one's start)."""
    return datetime.combine(day, time(), tzinfo=tz)
