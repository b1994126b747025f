"""Validity windows as organisers write them: "Hiệu lực từ" / "Hiệu lực đến" in the sheet, valid_from /
valid_until in JSON and YAML; a set written in the template keeps them through a re-import."""
from __future__ import annotations

import io
from datetime import date

from bot.importers import read_question_bytes
from bot.importers.template import write_set
from quiz.imports import make_plan
from quiz.model import QuestionSet

from .files import load, q, shown, xlsx

HEAD = ["STT", "Câu hỏi", "Đáp án A", "Đáp án B", "Đáp án đúng", "Hiệu lực từ", "Hiệu lực đến"]


def test_the_sheets_validity_columns_become_the_questions_window_typed_as_dates_or_text() -> None:
    questions, problems = load(xlsx([HEAD, [1, "Tài khoản mức 2 theo Nghị định 69?", "Có", "Không", "A",
                                            date(2024, 6, 25), ""],
                                      [2, "Trẻ dưới 14 tuổi theo Nghị định 59?", "Có", "Không", "B", "", "30/6/2024"]]),
                               "f.xlsx")
    assert problems == []
    assert [(x.valid_from, x.valid_until) for x in questions] == [(date(2024, 6, 25), None), (None, date(2024, 6, 30))]


def test_an_unreadable_day_or_a_window_that_ends_before_it_starts_is_named_by_row() -> None:
    _questions, problems = load(xlsx([HEAD, [1, "Câu một?", "Có", "Không", "A", "sau tết", ""],
                                      [2, "Câu hai?", "Có", "Không", "A", "01/07/2024", "30/06/2024"]]), "f.xlsx")
    assert shown(problems) == [
        "#2: Ngày ở cột valid_from «sau tết» không đọc được: hãy viết dd/mm/yyyy, ví dụ 25/06/2024.",
        "#3: Câu hỏi hết hiệu lực (30/06/2024) trước khi có hiệu lực (01/07/2024)."]


def test_a_yaml_file_gives_the_window_as_iso_days() -> None:
    questions, problems = load("questions:\n  - {id: a-1, text: 'Câu?', options: [Có, Không], answer: A,\n"
                               "     valid_from: 2024-06-25, valid_until: '2025-06-30'}\n", "f.yaml")
    assert problems == [] and (questions[0].valid_from, questions[0].valid_until) == (date(2024, 6, 25),
                                                                                     date(2025, 6, 30))


def test_a_dated_set_written_in_the_template_reimports_with_no_change() -> None:
    dated = (q("a-1", "Theo Nghị định 69/2024/NĐ-CP, có mấy mức tài khoản?", ["Hai", "Ba"], 0,
               valid_from=date(2024, 6, 25)),
             q("a-2", "Theo Nghị định 59/2022/NĐ-CP, trẻ dưới 14 tuổi đăng ký thế nào?", ["Theo cha mẹ", "Tự đăng ký"],
               0, valid_until=date(2024, 6, 30)), q("a-3", "Câu không hạn?", ["Có", "Không"], 1))
    out = io.BytesIO()
    write_set(out, dated, topics={"vneid": "Định danh"})
    raws, problems = read_question_bytes(out.getvalue(), name="bo.xlsx", default_topic=None)
    plan = make_plan(raws, problems, set_name="s", file="bo.xlsx", topics={"vneid": {}},
                     current=QuestionSet("s", 1, dated))
    assert plan.diff.empty and plan.questions == dated
