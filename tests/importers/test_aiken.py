"""Aiken files (Moodle's plain-text format): good ones load, bad ones say which question and why."""
from __future__ import annotations

from .files import load, q, shown

GOOD = """\
Tài khoản định danh điện tử mức 2 do cơ quan nào cấp?
A. Cơ quan Công an
B. Ủy ban nhân dân xã
C. Bưu điện
ANSWER: A

Cổng Dịch vụ công quốc gia
có địa chỉ nào?
A) vneid.gov.vn
B) dichvucong.gov.vn
ANSWER: b
Ứng dụng VNeID do đơn vị nào phát triển?
A. Bộ Công an
B. Bộ Y tế
ANSWER: A
"""


def test_a_good_file_gives_every_question_named_by_its_first_line() -> None:
    questions, problems = load(GOOD, "vneid.txt")

    assert problems == []
    assert questions == [
        q("q1", "Tài khoản định danh điện tử mức 2 do cơ quan nào cấp?",
          ["Cơ quan Công an", "Ủy ban nhân dân xã", "Bưu điện"], 0),
        q("q7", "Cổng Dịch vụ công quốc gia có địa chỉ nào?", ["vneid.gov.vn", "dichvucong.gov.vn"], 1),
        q("q12", "Ứng dụng VNeID do đơn vị nào phát triển?", ["Bộ Công an", "Bộ Y tế"], 0),
    ]


def test_questions_take_the_topic_chosen_for_the_import() -> None:
    questions, _ = load(GOOD, "dvc.aiken", default_topic="dvc")
    assert {x.topic for x in questions} == {"dvc"}


def test_a_question_without_an_answer_line_is_named_and_the_others_still_load() -> None:
    text = GOOD.replace("C. Bưu điện\nANSWER: A\n", "C. Bưu điện\n")
    questions, problems = load(text, "a.aiken")

    assert shown(problems) == ["#1: Thiếu dòng «ANSWER: …» (đáp án đúng) sau các phương án."]
    assert [x.id for x in questions] == ["q6", "q11"]


def test_an_answer_letter_without_its_option_names_the_letters_there_are() -> None:
    _, problems = load("Câu hỏi?\nA. Có\nB. Không\nANSWER: C\n", "a.aiken")
    assert shown(problems) == ["#1: Đáp án đúng «C» không hợp lệ: phải là một chữ cái trong AB."]


def test_options_out_of_order_and_an_empty_answer_are_named() -> None:
    _, problems = load("Câu hỏi?\nA. Có\nC. Không\nANSWER: A\n\nCâu hai?\nA. Có\nB. Không\nANSWER:\n", "a.aiken")
    assert shown(problems) == ["#1: Phương án «C» ở dòng 3 không đúng thứ tự: cần «B».",
                               "#6: Thiếu đáp án đúng."]


def test_an_answer_line_that_belongs_to_no_question_is_named() -> None:
    questions, problems = load(GOOD + "\nANSWER: B\n", "a.aiken")
    assert shown(problems) == ["#17: Dòng «ANSWER: B» không thuộc câu hỏi nào."]
    assert len(questions) == 3


def test_duplicate_options_and_questions_are_caught_by_the_same_checks_as_every_format() -> None:
    text = ("Câu hỏi?\nA. Có\nB. Không\nANSWER: A\n\ncau hoi\nA. Một\nB. Hai\nANSWER: A\n\n"
            "Câu ba?\nA. Có\nB. có\nANSWER: A\n")
    _, problems = load(text, "a.aiken")
    assert shown(problems) == ["#6 (q6): Câu hỏi trùng (sau khi bỏ dấu, chữ hoa) với a.aiken #1 (q1).",
                               "#11: Có hai phương án trả lời giống nhau."]
