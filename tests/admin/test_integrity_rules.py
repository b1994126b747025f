"""The integrity rules of quiz/integrity.py on hand-made traces: no database, no clock."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from quiz.attempts import PaperItem
from quiz.integrity import (
    AttemptTrace,
    FlagKind,
    Registration,
    Thresholds,
    answer_sheet,
    picks,
    referral_bursts,
    same_answers,
    scan,
    too_fast,
)
from quiz.model import Question

T0 = datetime(2024, 6, 20, 2, 0, tzinfo=UTC)


def question(qid: str, options: list[str]) -> Question:
    return Question(id=qid, topic="dvc", text=f"Câu {qid}?", options=tuple(options), correct=0)


def trace(participant: int, *, answered: int = 10, seconds: float = 200, sheet: str = "",
          attempt: int | None = None) -> AttemptTrace:
    return AttemptTrace(participant, attempt or participant * 10, answered, T0, T0 + timedelta(seconds=seconds),
                        fingerprint=sheet or f"sheet-{participant}")


def joined(participant: int, minute: float, code: str = "CLB-XA") -> Registration:
    return Registration(participant, code, T0 + timedelta(minutes=minute))


def test_an_attempt_faster_than_two_seconds_a_question_is_flagged() -> None:
    flags = too_fast([trace(1, seconds=15), trace(2, seconds=25), trace(3, seconds=19.9)])
    assert [(f.participant_id, f.detail["seconds_per_answer"]) for f in flags] == [(1, 1.5), (3, 1.99)]
    assert all(f.kind is FlagKind.TOO_FAST and f.attempt_id == f.participant_id * 10 for f in flags)


def test_a_few_quick_answers_say_nothing_about_reading_speed() -> None:
    assert too_fast([trace(1, answered=4, seconds=2)]) == []
    assert too_fast([trace(1, answered=4, seconds=2)], Thresholds(min_answers=3)) != []


def test_identical_sheets_flag_every_participant_sharing_them() -> None:
    flags = same_answers([trace(1, sheet="x"), trace(2, sheet="x"), trace(3, sheet="x"), trace(4, sheet="y")])
    assert {f.participant_id: f.detail["others"] for f in flags} == {1: [2, 3], 2: [1, 3], 3: [1, 2]}
    assert {f.detail["group"] for f in flags} == {3}


def test_one_person_repeating_their_own_sheet_is_not_copying() -> None:
    assert same_answers([trace(1, sheet="x", attempt=10), trace(1, sheet="x", attempt=11)]) == []


def test_the_answer_sheet_sees_the_option_chosen_not_where_it_was_shown() -> None:
    # The same answers on two papers that drew the questions in another order and shuffled their options.
    questions = {q.id: q for q in (question("q1", ["Có", "Không", "Tuỳ nơi", "Chưa rõ"]),
                                   question("q2", ["A", "B", "C", "D"]))}
    a = (PaperItem("q1", (0, 1, 2, 3)), PaperItem("q2", (3, 2, 1, 0)))
    b = (PaperItem("q2", (0, 1, 2, 3)), PaperItem("q1", (2, 0, 1, 3)))
    same = answer_sheet(picks(a, {0: 1, 1: 0}), questions)  # "Không" for q1, "D" for q2
    assert answer_sheet(picks(b, {0: 3, 1: 2}), questions) == same
    assert answer_sheet(picks(b, {0: 3, 1: 1}), questions) != same  # "Có" for q1
    assert answer_sheet(picks(a, {0: 1}), questions) != same  # one question left unanswered


def test_five_accounts_from_one_referral_code_within_ten_minutes_are_a_burst() -> None:
    flags = referral_bursts([joined(p, minute) for p, minute in [(1, 0), (2, 2), (3, 4), (4, 6), (5, 9.5), (6, 30)]])
    assert [f.participant_id for f in flags] == [1, 2, 3, 4, 5]
    assert flags[0].detail == {"referral": "CLB-XA", "accounts": 5, "minutes": 10}


def test_the_same_number_spread_over_an_afternoon_or_over_codes_is_no_burst() -> None:
    spread = [joined(p, p * 15) for p in range(1, 8)]
    codes = [joined(p, p, code=f"M{p % 2}") for p in range(1, 8)]
    assert referral_bursts(spread) == [] and referral_bursts(codes) == []


def test_a_scan_reports_each_participant_once_per_rule_and_bursts_only_of_those_taking_part() -> None:
    traces = [trace(1, seconds=10, sheet="x", attempt=10), trace(1, seconds=12, sheet="x", attempt=11),
              trace(2, sheet="x"), trace(3)]
    registrations = [joined(p, p) for p in (1, 2, 3, 7, 8)]  # 7 and 8 registered but never played this round
    flags = scan(traces, registrations)
    assert sorted((f.kind.value, f.participant_id) for f in flags) == [
        ("referral_burst", 1), ("referral_burst", 2), ("referral_burst", 3),
        ("same_answers", 1), ("same_answers", 2), ("too_fast", 1)]
