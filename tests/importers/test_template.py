"""The template organisers download: the official columns, helpful in Excel, and readable back."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.importers.template import write_template

from .files import HEADER, load, shown


def _template(**kwargs: object) -> bytes:
    out = io.BytesIO()
    write_template(out, **kwargs)  # type: ignore[arg-type]
    return out.getvalue()


def test_the_template_has_the_official_columns_a_styled_header_and_readable_widths() -> None:
    sheet = load_workbook(io.BytesIO(_template()))["Câu hỏi"]

    header = [c.value for c in sheet[1]]
    assert header[: len(HEADER)] == HEADER
    assert header[len(HEADER):] == ["Độ khó", "Nguồn", "Mã", "Hiệu lực từ", "Hiệu lực đến"]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.column_dimensions["B"].width >= 50 and sheet.column_dimensions["A"].width < 10
    assert sheet.freeze_panes == "C2"


def test_the_correct_answer_and_the_topic_are_chosen_from_lists() -> None:
    book = load_workbook(io.BytesIO(_template(topics={"vneid": "Định danh điện tử", "dvc": "Dịch vụ công"})))
    lists = {str(v.sqref): v.formula1 for v in book["Câu hỏi"].data_validations.dataValidation}

    assert lists == {"I2:I1000": '"A,B,C,D,E,F"', "K2:K1000": "'Chủ đề'!$A$2:$A$3"}
    assert [[c.value for c in row] for row in book["Chủ đề"].iter_rows()] == [
        ["Mã chủ đề", "Tên chủ đề"], ["vneid", "Định danh điện tử"], ["dvc", "Dịch vụ công"]]


def test_without_topics_there_is_no_topic_list() -> None:
    book = load_workbook(io.BytesIO(_template()))
    assert book.sheetnames == ["Câu hỏi"]
    assert [str(v.sqref) for v in book["Câu hỏi"].data_validations.dataValidation] == ["I2:I1000"]


def test_the_two_example_rows_must_be_replaced_before_an_import() -> None:
    questions, problems = load(_template(topics=["vneid", "dvc"]), "mau.xlsx")
    assert questions == []
    assert shown(problems) == ["#2: Đây là câu ví dụ của tệp mẫu: hãy xoá dòng này trước khi nhập."] + [
        "#3: Đây là câu ví dụ của tệp mẫu: hãy xoá dòng này trước khi nhập."]


def test_a_template_filled_in_by_editing_the_examples_imports_cleanly() -> None:
    book = load_workbook(io.BytesIO(_template(topics=["vneid", "dvc"])))
    sheet = book["Câu hỏi"]
    sheet["B2"] = "Tài khoản VNeID mức 2 cần những giấy tờ gì?"
    sheet["B3"] = "Nộp hồ sơ trực tuyến ở đâu?"
    out = io.BytesIO()
    book.save(out)

    questions, problems = load(out.getvalue(), "mau.xlsx")
    assert problems == []
    assert [(x.text, x.topic, len(x.options)) for x in questions] == [
        ("Tài khoản VNeID mức 2 cần những giấy tờ gì?", "vneid", 4), ("Nộp hồ sơ trực tuyến ở đâu?", "dvc", 3)]


def test_a_set_exported_in_the_template_reimports_with_no_change_reported() -> None:
    from pathlib import Path

    from bot.content import read_pack
    from bot.importers import read_question_bytes
    from bot.importers.template import write_set
    from quiz.imports import make_plan

    pack = read_pack(Path(__file__).resolve().parents[2] / "content" / "ha-giang")
    live = pack.question_sets[0]
    out = io.BytesIO()
    write_set(out, live.questions, topics={code: label["vi"] for code, label in pack.contest.topics.items()})
    raws, problems = read_question_bytes(out.getvalue(), name="bo-cau-hoi.xlsx", default_topic=None)
    plan = make_plan(raws, problems, set_name=live.name, file="bo-cau-hoi.xlsx", topics=pack.contest.topics,
                     current=live)
    assert len(plan.questions) == len(live.questions) > 150
    assert plan.diff.empty and plan.diff.rekeyed == () and plan.questions == live.questions
