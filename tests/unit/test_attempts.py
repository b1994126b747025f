"""Drawing papers and the rules of one attempt."""
from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz.attempts import Attempt, CapReached, DrawError, PaperItem, Verdict, check_answer, check_cap, draw_paper, score
from quiz.model import Question, Round

T0 = datetime(2024, 6, 18, 1, 0, tzinfo=UTC)
QUESTIONS = [Question(f"q{i}", "a" if i < 6 else "b", f"Q{i}?", ("x", "y", "z", "w"), i % 4) for i in range(20)]


@given(st.integers(1, 20), st.integers(0, 6), st.integers(0, 10**6))
def test_a_paper_has_distinct_questions_meeting_the_quota(count: int, quota: int, seed: int) -> None:
    quota = min(quota, count)
    paper = draw_paper(QUESTIONS, count=count, quotas={"a": quota}, rng=random.Random(seed))
    ids = [p.question_id for p in paper]
    assert len(ids) == len(set(ids)) == count
    assert sum(1 for i in ids if int(i[1:]) < 6) >= quota
    assert all(sorted(p.order) == [0, 1, 2, 3] for p in paper)


def test_options_are_shuffled_across_papers() -> None:
    rng = random.Random(1)
    orders = Counter(draw_paper(QUESTIONS, count=20, quotas={}, rng=rng)[0].order for _ in range(50))
    assert len(orders) > 5


def test_a_set_too_small_for_the_paper_or_quota_is_an_error() -> None:
    with pytest.raises(DrawError):
        draw_paper(QUESTIONS, count=21, quotas={}, rng=random.Random())
    with pytest.raises(DrawError):
        draw_paper(QUESTIONS, count=10, quotas={"a": 7}, rng=random.Random())


def attempt(**kw: object) -> Attempt:
    paper = (PaperItem("q0", (1, 0, 2, 3)), PaperItem("q1", (0, 1, 2, 3)))
    base = dict(id=1, participant_id=7, round_code="r", set_name="s", set_version=1, paper=paper,
                started_at=T0, deadline=T0 + timedelta(minutes=10))
    base.update(kw)
    return Attempt(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(("who", "pos", "choice", "minutes", "verdict"), [
    (7, 0, 1, 1, Verdict.ACCEPTED),
    (8, 0, 1, 1, Verdict.NOT_YOURS),
    (7, 5, 1, 1, Verdict.NO_SUCH_QUESTION),
    (7, 0, 9, 1, Verdict.NO_SUCH_OPTION),
    (7, 0, 1, 10, Verdict.TIME_UP),
])
def test_every_answer_is_checked_against_the_stored_attempt(who: int, pos: int, choice: int, minutes: int,
                                                            verdict: Verdict) -> None:
    assert check_answer(attempt(), participant_id=who, position=pos, choice=choice,
                        now=T0 + timedelta(minutes=minutes)) is verdict


def test_the_score_follows_the_shuffled_order() -> None:
    att = attempt()
    questions = {q.id: q for q in QUESTIONS}
    # q0's correct option is 0, shown second (order (1, 0, …)); q1's correct is 1, shown second too
    assert score(att.paper, {0: 1, 1: 1}, questions) == 2
    assert score(att.paper, {0: 0, 1: 0}, questions) == 0


def test_caps_per_round_and_per_day() -> None:
    per_round = Round("r", {"vi": "r"}, "s", 10, timedelta(minutes=10), attempts_per_round=2)
    per_day = Round("d", {"vi": "d"}, "s", 10, timedelta(minutes=10), attempts_per_day=1)
    check_cap(per_round, in_round=1, today=1)
    with pytest.raises(CapReached):
        check_cap(per_round, in_round=2, today=0)
    check_cap(per_day, in_round=5, today=0)
    with pytest.raises(CapReached):
        check_cap(per_day, in_round=5, today=1)
