"""Where a contest stands, and when a finished paper may be shown with its keys: one rule each."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from quiz.attempts import Attempt, AttemptStatus, PaperItem
from quiz.model import Round
from quiz.review import may_review
from quiz.rounds import RoundState
from quiz.season import Stage, season


def at(day: int, hour: int = 0) -> datetime:
    return datetime(2024, 6, day, hour, tzinfo=UTC)


def week(code: str, opens: datetime | None, closes: datetime | None, *, practice: bool = False,
         question_set: str = "bo") -> Round:
    return Round(code, {"vi": code}, question_set, 10, timedelta(minutes=15), opens=opens, closes=closes,
                 practice=practice)


PRACTICE = week("thu", None, None, practice=True)
WEEKS = (PRACTICE, week("t1", at(10), at(15)), week("t2", at(17), at(22)))


def test_before_the_first_round_the_contest_is_upcoming_with_its_first_round() -> None:
    now = season(WEEKS, at(5))
    assert now.stage is Stage.UPCOMING and now.next == WEEKS[1] and now.practice == PRACTICE


def test_during_a_round_it_is_running_and_between_rounds_it_names_the_next() -> None:
    assert season(WEEKS, at(12)).stage is Stage.RUNNING and season(WEEKS, at(12)).running == WEEKS[1]
    between = season(WEEKS, at(16))
    assert between.stage is Stage.BETWEEN and between.last == WEEKS[1] and between.next == WEEKS[2]


def test_after_the_last_round_it_is_over_on_the_day_the_last_round_closed() -> None:
    over = season(WEEKS, at(30))
    assert over.stage is Stage.OVER and over.ended == at(22) and over.practice == PRACTICE


def test_a_contest_of_practice_only_says_so() -> None:
    assert season((PRACTICE,), at(1)).stage is Stage.PRACTICE_ONLY


def attempt(round_code: str, *, practice: bool = False, finished: bool = True, set_name: str = "bo") -> Attempt:
    return Attempt(1, 7, round_code, set_name, 1, (PaperItem("q1", (0, 1)),), at(12), at(12, 1), practice=practice,
                   status=AttemptStatus.FINISHED if finished else AttemptStatus.OPEN)


def test_a_practice_paper_may_be_reviewed_once_finished() -> None:
    states = [RoundState(r) for r in WEEKS]
    assert may_review(attempt("thu", practice=True), states, now=at(12))
    assert not may_review(attempt("thu", practice=True, finished=False), states, now=at(12))


def test_a_ranked_paper_stays_closed_while_its_round_can_still_be_answered() -> None:
    states = [RoundState(r) for r in WEEKS]
    assert not may_review(attempt("t1"), states, now=at(14))
    assert not may_review(attempt("t1"), states, now=at(15) + timedelta(minutes=14))  # begun at 23:59, still on


def test_a_ranked_paper_stays_closed_while_a_later_round_draws_from_the_same_set() -> None:
    states = [RoundState(r) for r in WEEKS]
    assert not may_review(attempt("t1"), states, now=at(16))  # week 2 will draw from the same questions
    assert may_review(attempt("t1"), states, now=at(23))


def test_a_round_closed_early_by_the_organisers_opens_its_review_when_no_other_round_shares_its_set() -> None:
    alone = week("t1", at(10), at(15), question_set="rieng")
    states = [RoundState(PRACTICE), RoundState(alone, closed_at=at(13)), RoundState(WEEKS[2])]
    assert may_review(attempt("t1", set_name="rieng"), states, now=at(13))
