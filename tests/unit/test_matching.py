"""A question keeps its identity across re-imports however the rows move; options keep theirs too."""
from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.imports import make_plan
from quiz.matching import align_options, identify, rekeyed, right_options
from quiz.model import Question, QuestionSet

WORDS = ("tài khoản", "định danh", "điện tử", "dịch vụ công", "trực tuyến", "mật khẩu", "mã OTP", "ứng dụng",
         "VNeID", "thanh toán", "ngân hàng", "hồ sơ", "chữ ký số", "bảo mật", "Cổng", "quốc gia", "thủ tục",
         "công dân", "xã", "phường")
OTHER_WORDS = ("lừa đảo", "tin nhắn", "đường link", "cuộc gọi", "giả mạo", "mạng xã hội", "camera", "wifi",
               "sao lưu", "virus", "cập nhật", "phần mềm", "email", "tên miền", "hóa đơn", "thuế", "bảo hiểm",
               "giáo dục", "y tế", "giao thông")
TOPICS = {"chung": {"vi": "Kiến thức chung"}}


def question(k: int, *, correct: int = 0) -> Question:
    """Question k: its own words, so no two of them are alike (questions from 100 on, other words)."""
    vocabulary = WORDS if k < 100 else OTHER_WORDS
    words = [vocabulary[(k * 7 + i * 3) % len(vocabulary)] for i in range(5)]
    return Question(f"s{k}", "chung", f"Câu {k}: {' '.join(words)} ({k * 13 % 97}) là gì?",
                    (f"Phương án một của câu {k}", f"Phương án hai của câu {k}", f"Phương án ba của câu {k}")
                    if k < 100 else (f"{words[0]} {k}", f"{words[1]} {k}", f"{words[2]} {k}"), correct)


def raw(q: Question, row: int, *, with_id: bool = False) -> tuple[str, int, dict[str, object]]:
    entry: dict[str, object] = {"text": q.text, "options": list(q.options), "answer": "ABC"[q.correct],
                                "topic": q.topic}
    if with_id:
        entry["id"] = q.id
    return ("bo.xlsx", row, entry)


def stored(n: int) -> QuestionSet:
    return QuestionSet("bo", 1, tuple(question(k) for k in range(n)))


def plan_for(current: QuestionSet, rows: list[Question]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...],
                                                                   tuple[str, ...]]:
    made = make_plan([raw(q, i + 1) for i, q in enumerate(rows)], [], set_name="bo", file="bo.xlsx",
                     topics=TOPICS, current=current, used_ids=[q.id for q in current.questions])
    d = made.diff
    return d.added, d.removed, d.changed, d.rekeyed


def test_a_row_inserted_at_the_top_is_one_question_added_and_nothing_else() -> None:
    current = stored(12)
    added, removed, changed, keyed = plan_for(current, [question(100), *current.questions])
    assert (len(added), removed, changed, keyed) == (1, (), (), ())


def test_sorted_rows_change_nothing() -> None:
    current = stored(12)
    assert plan_for(current, sorted(current.questions, key=lambda q: q.text[::-1])) == ((), (), (), ())


@settings(max_examples=60, deadline=None)
@given(order=st.permutations(range(15)), dropped=st.sets(st.integers(0, 14), max_size=5),
       inserted=st.sets(st.integers(100, 140), max_size=5), at=st.lists(st.integers(0, 20), min_size=5, max_size=5))
def test_any_reordering_insertion_or_deletion_reimports_as_exactly_those_adds_and_removes(
        order: list[int], dropped: set[int], inserted: set[int], at: list[int]) -> None:
    current = stored(15)
    rows = [current.questions[k] for k in order if k not in dropped]
    for position, k in zip(at, sorted(inserted), strict=False):
        rows.insert(min(position, len(rows)), question(k))
    added, removed, changed, keyed = plan_for(current, rows)
    assert len(added) == len(inserted) and not set(added) & {q.id for q in current.questions}
    assert set(removed) == {f"s{k}" for k in dropped}
    assert (changed, keyed) == ((), ())


def test_a_reworded_question_is_the_same_question_edited() -> None:
    current = stored(5)
    typo = replace(current.questions[2], text=current.questions[2].text.replace("là gì", "là gi"))
    added, removed, changed, keyed = plan_for(current, [*current.questions[:2], typo, *current.questions[3:]])
    assert (added, removed, changed, keyed) == ((), (), ("s2",), ())


def test_a_different_question_in_a_removed_ones_place_is_new_not_an_edit() -> None:
    current = stored(5)
    added, removed, _changed, _keyed = plan_for(current, [*current.questions[:4], question(50)])
    assert len(added) == 1 and removed == ("s4",)


def test_a_moved_key_is_a_key_change_but_a_typo_in_the_right_option_is_not() -> None:
    old = question(1)
    assert rekeyed(old, replace(old, correct=2))
    fixed = replace(old, options=("Phương án một của câu 1.", *old.options[1:]))  # same option, a full stop added
    assert not rekeyed(old, fixed) and right_options(old, fixed) == frozenset({0})
    reordered = replace(old, options=(old.options[2], old.options[0], old.options[1]), correct=1)
    assert not rekeyed(old, reordered) and align_options(old.options, reordered.options) == {0: 2, 1: 0, 2: 1}


def test_a_new_question_never_takes_an_id_an_earlier_version_used() -> None:
    questions, _ = identify([question(7)], [False], [], used=["q1", "q2", "q9", "s3"])
    assert questions[0].id == "q10"


def test_the_file_ids_win_over_content() -> None:
    current = stored(3)
    swapped = [replace(current.questions[0], id="s1"), replace(current.questions[1], id="s0")]
    made = make_plan([raw(q, i + 1, with_id=True) for i, q in enumerate(swapped)], [], set_name="bo",
                     file="bo.xlsx", topics=TOPICS, current=current)
    assert set(made.diff.changed) == {"s0", "s1"} and made.diff.removed == ("s2",)
