"""Choosing the reader by file name, as the CLI, the upload page and the bot do."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.importers import read_question_bytes, read_question_file
from quiz.questions import parse_questions

from .files import shown

AIKEN = "Câu hỏi?\nA. Có\nB. Không\nANSWER: A\n"
GIFT = "Câu hỏi? { =Có ~Không }\n"


def test_a_file_on_disk_is_read_with_its_own_name_in_problems(write: Callable[[str, str], Path]) -> None:
    path = write("tuan-1.txt", AIKEN.replace("ANSWER: A", "ANSWER:"))
    raws, problems = read_question_file(path, default_topic="vneid")
    assert (raws, [(p.file, p.where, p.code) for p in problems]) == ([], [("tuan-1.txt", "#1", "missing_answer")])


def test_an_upload_stored_under_another_name_is_reported_under_the_organisers_name(
        write: Callable[[str, str], Path]) -> None:
    path = write("upload-7f3a", GIFT + "\nCâu hai? { =Có =Đúng ~Không }\n")
    raws, problems = read_question_file(path, default_topic="vneid", name="Bộ câu hỏi tuần 1.gift")
    assert [r[0] for r in raws] + [p.file for p in problems] == ["Bộ câu hỏi tuần 1.gift"] * 2


@pytest.mark.parametrize("text", [AIKEN, GIFT])
def test_a_txt_file_is_recognised_as_aiken_or_gift(text: str) -> None:
    raws, problems = read_question_bytes(text.encode(), name="moodle.TXT", default_topic="vneid")
    questions, more = parse_questions(raws, topics={"vneid"})
    assert (problems + more, [(x.text, x.options) for x in questions]) == ([], [("Câu hỏi?", ("Có", "Không"))])


def test_a_txt_file_in_neither_format_and_an_unknown_extension_say_what_is_accepted() -> None:
    accepted = ".xlsx, .xlsm, .csv, .json, .yaml, .yml, .txt, .aiken, .gift"
    _, problems = read_question_bytes("Câu hỏi? Có hay không".encode(), name="a.txt", default_topic=None)
    assert shown(problems) == [f"Không đọc được tệp «.txt»; các định dạng nhận: {accepted}."]
    _, problems = read_question_bytes(b"%PDF-1.7", name="bo-cau-hoi.pdf", default_topic=None)
    assert shown(problems) == [f"Không đọc được tệp «.pdf»; các định dạng nhận: {accepted}."]


@pytest.mark.parametrize("name", ["a.xlsx", "a.csv", "a.json", "a.yaml", "a.txt", "a.aiken", "a.gift"])
def test_an_empty_file_of_any_format_holds_no_questions(name: str) -> None:
    assert shown(read_question_bytes(b" \n", name=name, default_topic=None)[1]) == ["Tệp không có câu hỏi nào."]


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    _, problems = read_question_file(tmp_path / "khong-co.xlsx", default_topic=None)
    assert shown(problems) == ["Không tìm thấy tệp."]
