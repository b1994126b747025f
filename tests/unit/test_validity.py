"""Questions valid for part of a contest, and difficulty quotas: what a paper may draw, and the rounds
the editor, a pack and a publication refuse because they would run short."""
from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz.attempts import DrawError, draw_paper, paper_for
from quiz.imports import guard
from quiz.model import Difficulty, Question, QuestionSet, Round
from quiz.pack import round_fit_problems
from quiz.problems import Invalid
from quiz.rounds import changed_round

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
LEVELS = [Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD]
BANK = [Question(f"q{i}", "a" if i % 2 else "b", f"Q{i}?", ("x", "y", "z", "w"), i % 4, difficulty=LEVELS[i % 3])
        for i in range(30)]
WEEK_1 = datetime(2024, 6, 18, 8, tzinfo=TZ)


def dated(q: Question, **window: date) -> Question:
    return Question(q.id, q.topic, q.text, q.options, q.correct, difficulty=q.difficulty, **window)


def week(count: int = 10, **kw: object) -> Round:
    return Round("tuan-1", {"vi": "Tuần 1"}, "s", count, timedelta(minutes=15), opens=WEEK_1,
                 closes=WEEK_1 + timedelta(days=6), **kw)  # type: ignore[arg-type]


@given(st.integers(0, 10**6))
def test_every_paper_has_exactly_the_difficulty_quotas_and_still_the_topic_quota(seed: int) -> None:
    by_id = {q.id: q for q in BANK}
    paper = draw_paper(BANK, count=9, quotas={"a": 5}, levels={"easy": 3, "medium": 3, "hard": 3},
                       rng=random.Random(seed))
    drawn = [by_id[p.question_id] for p in paper]
    assert Counter(q.difficulty.value for q in drawn) == {"easy": 3, "medium": 3, "hard": 3}
    assert sum(q.topic == "a" for q in drawn) >= 5 and len({q.id for q in drawn}) == 9


def test_quotas_the_bank_cannot_meet_together_are_a_draw_error() -> None:
    few_hard_a = [q for q in BANK if not (q.topic == "a" and q.difficulty is Difficulty.HARD)]
    with pytest.raises(DrawError):  # every "a" question is easy or medium: 8 a's and 8 hard ones need 16 of 10
        draw_paper(few_hard_a, count=10, quotas={"a": 8}, levels={"hard": 5, "easy": 5}, rng=random.Random(1))


def test_a_paper_takes_no_question_that_expires_or_starts_during_the_attempt() -> None:
    bank = [dated(q, valid_until=date(2024, 6, 18)) if i < 10 else
            dated(q, valid_from=date(2024, 6, 19)) if i < 20 else q for i, q in enumerate(BANK)]
    late_evening = datetime(2024, 6, 18, 23, 50, tzinfo=TZ)  # the deadline falls on the 19th
    drawn = {p.question_id for _ in range(20)
             for p in paper_for(week(10), bank, start=late_evening, tz=TZ, rng=random.Random())}
    assert drawn == {f"q{i}" for i in range(20, 30)}


def test_a_round_that_runs_short_when_questions_expire_is_refused_with_the_day() -> None:
    bank = [dated(q, valid_until=date(2024, 6, 20)) if i < 25 else q for i, q in enumerate(BANK)]
    problems = round_fit_problems(week(10), sets={"s": QuestionSet("s", 1, tuple(bank))}, topics={"a": {}, "b": {}},
                                  tz=TZ)
    assert [(p.code, p.params["have"], p.params["day"]) for p in problems] == [("valid_too_few", 5, "20/06/2024 23:45")]


def test_the_round_editor_refuses_difficulty_quotas_the_set_cannot_give() -> None:
    sets = {"s": QuestionSet("s", 1, tuple(BANK))}
    with pytest.raises(Invalid) as refused:
        changed_round(week(10), {"difficulty_quotas": {"hard": 11}}, code="tuan-1", tz=TZ, sets=sets,
                      topics={"a": {}, "b": {}})
    assert {p.code for p in refused.value.problems} >= {"level_too_small", "quotas_exceed_count"}
    kept = changed_round(week(10), {"difficulty_quotas": {"easy": 4, "medium": 3, "hard": 3}}, code="tuan-1", tz=TZ,
                         sets=sets, topics={"a": {}, "b": {}})
    assert kept.difficulty_quotas == {"easy": 4, "medium": 3, "hard": 3}


def test_publishing_questions_that_expire_while_a_live_round_runs_is_refused() -> None:
    bank = [dated(q, valid_until=date(2024, 6, 21)) if i < 25 else q for i, q in enumerate(BANK)]
    during = WEEK_1 + timedelta(days=1)
    assert [p.code for p in guard(bank, [week(10)], file="f.xlsx", tz=TZ, now=during)] == ["live_valid_too_few"]
    assert guard(bank, [week(5)], file="f.xlsx", tz=TZ, now=during) == []
