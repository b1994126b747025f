"""The official question template organisers download, fill in Excel and upload again."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from bot.importers.layout import COLUMNS, EXAMPLES, column_letter
from quiz.model import LETTERS

SHEET = "Câu hỏi"
TOPIC_SHEET = "Chủ đề"
ROWS = 1000  # rows that carry the drop-down lists
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="C0392B")  # the contest's red
_THIN = Side(style="thin", color="999999")


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


def _examples(sheet: Worksheet, topics: Sequence[str]) -> None:
    for example in EXAMPLES:
        topic = example["topic"] if not topics or example["topic"] in topics else topics[0]
        cells = {**example, "topic": topic, "number": int(example["number"])}
        sheet.append([cells.get(c.key, "") for c in COLUMNS])
    for row in sheet.iter_rows(min_row=2, max_row=1 + len(EXAMPLES)):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)


def _validations(sheet: Worksheet, topic_range: str | None) -> None:
    answer = DataValidation(type="list", formula1=f'"{",".join(LETTERS)}"', allow_blank=True,
                            showErrorMessage=True, errorTitle="Đáp án đúng",
                            error=f"Chọn một chữ cái {LETTERS[0]}–{LETTERS[-1]}.")
    answer.add(f"{_letter('answer')}2:{_letter('answer')}{ROWS}")
    sheet.add_data_validation(answer)
    if topic_range:
        topic = DataValidation(type="list", formula1=topic_range, allow_blank=True, showErrorMessage=True,
                               errorTitle="Chủ đề", error="Chọn một chủ đề trong danh sách (trang «Chủ đề»).")
        topic.add(f"{_letter('topic')}2:{_letter('topic')}{ROWS}")
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


def write_template(target: Path | IO[bytes], *, topics: Mapping[str, str] | Sequence[str] | None = None) -> None:
    """Write the official .xlsx template; `topics` (code → name) adds a drop-down on "Chủ đề"."""
    named = dict(topics) if isinstance(topics, Mapping) else {code: code for code in topics or ()}
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    _header(sheet)
    _examples(sheet, list(named))
    _validations(sheet, _topic_sheet(book, named) if named else None)
    book.save(target)
