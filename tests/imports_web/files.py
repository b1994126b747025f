"""Question files as the organisers' Excel would hold them: the fixture pack's set, with changes."""
from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

from bot.content import read_pack
from quiz.model import LETTERS, Question

PACK = Path(__file__).resolve().parents[1] / "fixtures" / "pack"
SET = "bo-thu"
HEADER = ["STT", "Câu hỏi", "Đáp án A", "Đáp án B", "Đáp án C", "Đáp án D", "Đáp án đúng", "Giải thích", "Chủ đề",
          "Độ khó", "Nguồn", "Mã"]
NEW = Question("q-016", "vneid", "Ứng dụng nào dùng để định danh điện tử?", ("VNeID", "Zalo", "Facebook", "TikTok"), 0,
               "VNeID là ứng dụng định danh điện tử của Bộ Công an.")


def fixture_questions() -> list[Question]:
    return list(read_pack(PACK).question_sets[0].questions)


def row(number: int, q: Question) -> list[object]:
    options = list(q.options) + [""] * (4 - len(q.options))
    return [number, q.text, *options[:4], LETTERS[q.correct], q.explanation, q.topic, q.difficulty.value, q.source,
            q.id]


def workbook(questions: Sequence[Question], *, broken: dict[int, dict[int, object]] | None = None,
             ids: bool = True) -> bytes:
    """An .xlsx of `questions`; `broken` overwrites cells: {question index: {column index: value}};
    without `ids`, the Mã column is left empty, as most organisers' own files have it."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Câu hỏi"
    sheet.append(HEADER)
    for i, q in enumerate(questions):
        cells = row(i + 1, q)
        for column, value in (broken or {}).get(i, {}).items():
            cells[column] = value
        if not ids:
            cells[-1] = None
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rekeyed(q: Question, correct: int) -> Question:
    return Question(q.id, q.topic, q.text, q.options, correct, q.explanation, q.source, q.difficulty)


def version_two() -> list[Question]:
    """The set with one new question and the key of q-003 corrected to B."""
    questions = fixture_questions()
    questions[2] = rekeyed(questions[2], 1)
    return [*questions, NEW]


def with_a_bad_row() -> bytes:
    """Version two with the fifth question's right answer given as "E" (it has four options): row 6."""
    return workbook(version_two(), broken={4: {6: "E"}})
