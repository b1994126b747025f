"""The official question template organisers download, fill in Excel and upload again; and a question
set written in that template, Mã column filled, so that editing and re-importing it changes only what
the organiser changed."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from bot.importers.layout import COLUMNS, EXAMPLES, column_letter
from quiz.model import LETTERS, Difficulty, Question

SHEET = "Câu hỏi"
TOPIC_SHEET = "Chủ đề"
ROWS = 1000  # rows that carry the drop-down lists
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="C0392B")  # the contest's red
_THIN = Side(style="thin", color="999999")
DIFFICULTY_NAMES = {Difficulty.EASY: "Dễ", Difficulty.MEDIUM: "Trung bình", Difficulty.HARD: "Khó"}


def _letter(key: str) -> str:
    return column_letter(next(i for i, c in enumerate(COLUMNS) if c.key == key))


def _header(sheet: Worksheet) -> None:
    sheet.append([c.header for c in COLUMNS])
    for i, column in enumerate(COLUMNS):
        cell = sheet.cell(row=1, column=i + 1)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(bottom=_THIN)
        sheet.column_dimensions[column_letter(i)].width = column.width
    sheet.row_dimensions[1].height = 30
    sheet.freeze_panes = "C2"  # STT and the question stay in view while scrolling the options


def _rows(sheet: Worksheet, rows: Sequence[Mapping[str, object]]) -> None:
    for values in rows:
        sheet.append([values.get(c.key, "") for c in COLUMNS])
    for row in sheet.iter_rows(min_row=2, max_row=1 + len(rows)):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if isinstance(cell.value, date | datetime):
                cell.number_format = "DD/MM/YYYY"  # as organisers write a day; read back the same


def _examples(topics: Sequence[str]) -> list[dict[str, object]]:
    return [{**example, "topic": example["topic"] if not topics or example["topic"] in topics else topics[0],
             "number": int(example["number"])} for example in EXAMPLES]


def question_row(number: int, q: Question) -> dict[str, object]:
    """A question as one row of the template."""
    return {"number": number, "text": q.text, **dict(zip(LETTERS, q.options, strict=False)),
            "answer": LETTERS[q.correct], "explanation": q.explanation, "topic": q.topic,
            "difficulty": DIFFICULTY_NAMES[q.difficulty], "source": q.source, "id": q.id,
            "valid_from": q.valid_from or "", "valid_until": q.valid_until or ""}


def _validations(sheet: Worksheet, topic_range: str | None, rows: int = ROWS) -> None:
    answer = DataValidation(type="list", formula1=f'"{",".join(LETTERS)}"', allow_blank=True,
                            showErrorMessage=True, errorTitle="Đáp án đúng",
                            error=f"Chọn một chữ cái {LETTERS[0]}–{LETTERS[-1]}.")
    answer.add(f"{_letter('answer')}2:{_letter('answer')}{rows}")
    sheet.add_data_validation(answer)
    if topic_range:
        topic = DataValidation(type="list", formula1=topic_range, allow_blank=True, showErrorMessage=True,
                               errorTitle="Chủ đề", error="Chọn một chủ đề trong danh sách (trang «Chủ đề»).")
        topic.add(f"{_letter('topic')}2:{_letter('topic')}{rows}")
        sheet.add_data_validation(topic)


def _topic_sheet(book: Workbook, topics: Mapping[str, str]) -> str:
    """A sheet listing topic codes and names; returns the range the drop-down reads."""
    sheet = book.create_sheet(TOPIC_SHEET)
    sheet.append(["Mã chủ đề", "Tên chủ đề"])
    for cell in sheet[1]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for code, name in topics.items():
        sheet.append([code, name])
    sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width = 18, 60
    return f"'{TOPIC_SHEET}'!$A$2:$A${len(topics) + 1}"


def _write(target: Path | IO[bytes], rows: Sequence[Mapping[str, object]], named: Mapping[str, str]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    _header(sheet)
    _rows(sheet, rows)
    _validations(sheet, _topic_sheet(book, named) if named else None, max(ROWS, len(rows) + 100))
    book.save(target)


def write_template(target: Path | IO[bytes], *, topics: Mapping[str, str] | Sequence[str] | None = None) -> None:
    """Write the official .xlsx template; `topics` (code → name) adds a drop-down on "Chủ đề"."""
    named = dict(topics) if isinstance(topics, Mapping) else {code: code for code in topics or ()}
    _write(target, _examples(list(named)), named)


def write_set(target: Path | IO[bytes], questions: Sequence[Question], *, topics: Mapping[str, str]) -> None:
    """Write a question set in the official template, each question's Mã filled in, in set order."""
    _write(target, [question_row(n, q) for n, q in enumerate(questions, start=1)], dict(topics))
