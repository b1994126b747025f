"""Excel workbooks (.xlsx) in the official layout → raw questions, streamed in read-only mode."""
from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from bot.importers.layout import COLUMNS, ErrorValue, MergedAcross, UncomputedFormula, column_letter
from bot.importers.table import HEADER_SEARCH, MAX_ROWS, read_table
from quiz.aiken import RawQuestion
from quiz.problems import Problem
from quiz.text import squash

MAX_COLUMNS = 40  # the layout has 16; sheets formatted to column XFD stay cheap
_OLE2 = b"\xd0\xcf\x11\xe0"  # Excel 97–2003 .xls
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _cell_text(cell: Any, formula: str | None) -> str:
    value = cell.value
    if formula is not None and value is None:
        return UncomputedFormula(formula)
    if getattr(cell, "data_type", None) == "e":
        return ErrorValue(value or "#?")
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time():
        value = value.date()
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")  # Excel turns "1/7/2024" into a date; give it back as typed
    return str(value)


def _sheet(workbook: Any) -> Any:  # openpyxl's stubs do not describe read-only sheets
    """The sheet named "Câu hỏi" if there is one, else the first."""
    wanted = squash(COLUMNS[1].header)
    for sheet in workbook.worksheets:
        if squash(sheet.title) == wanted:
            return sheet
    return workbook.worksheets[0]


def _cells(sheet: Any, max_row: int | None = None) -> Iterator[tuple[int, tuple[Any, ...]]]:
    sheet.reset_dimensions()  # a stale "A1:XFD1048576" would pad a million empty rows
    yield from enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, max_row=max_row), start=1)


def _formulas(data: bytes, sheet: Any) -> dict[tuple[int, int], str]:
    """Formula texts by (row, column), read in a second pass only when the sheet has any.

    Values come from what Excel computed and saved; a formula saved without its value
    would otherwise read as an empty cell and its row could vanish unnoticed.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(sheet._worksheet_path) as xml:  # no public name
        tail = b""
        while chunk := xml.read(1 << 20):
            if _FORMULA_TAG.search(tail + chunk):
                break
            tail = chunk[-16:]
        else:
            return {}
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        return {(r, c): str(getattr(cell.value, "text", cell.value)) for r, cells in _cells(book[sheet.title],
                                                                                            MAX_ROWS + HEADER_SEARCH)
                for c, cell in enumerate(cells) if cell.data_type == "f"}
    finally:
        book.close()


def _column(letters: bytes) -> int:
    index = 0
    for ch in letters.decode():
        index = index * 26 + ord(ch) - 64
    return index - 1


def _merges(data: bytes, sheet: Any) -> dict[tuple[int, int], tuple[int, int, str, bool]]:
    """Cells inside merged ranges (row, column) → the range's first cell and its name, e.g. "A2:A9".
    Excel keeps a merged range's text in its first cell only."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(sheet._worksheet_path) as xml:  # no public name
        found = _MERGE.findall(xml.read())
    out: dict[tuple[int, int], tuple[int, int, str, bool]] = {}
    for c1, r1, c2, r2 in found:
        top, left, bottom, right = int(r1), _column(c1), int(r2), _column(c2)
        if (bottom - top + 1) * (right - left + 1) > 100_000:
            continue  # a whole-sheet merge says nothing about questions
        name = f"{column_letter(left)}{top}:{column_letter(right)}{bottom}"
        for r in range(top, bottom + 1):
            for c in range(left, right + 1):
                if (r, c) != (top, left):
                    out[(r, c)] = (top, left, name, right > left)
    return out


def _rows(data: bytes, sheet: ReadOnlyWorksheet) -> Iterator[tuple[int, Sequence[str]]]:
    """Cell texts row by row. A range merged down a column (a topic for several questions) gives each
    of its rows the text; one merged across columns is named, since no question reads it that way."""
    formulas = _formulas(data, sheet)
    merges = _merges(data, sheet)
    firsts: dict[tuple[int, int], str] = {}
    wanted = {(top, left) for top, left, _name, _across in merges.values()}
    for number, cells in _cells(sheet):
        texts = [_cell_text(cell, formulas.get((number, c))) for c, cell in enumerate(cells)]
        for c, text in enumerate(texts):
            if (number, c) in wanted:
                firsts[(number, c)] = text
            merged = merges.get((number, c))
            if merged is not None and not text:
                top, left, name, across = merged
                texts[c] = MergedAcross(name) if across else firsts.get((top, left), "")
        yield number, texts


def read_xlsx(data: bytes, *, file: str, default_topic: str | None) -> tuple[list[RawQuestion], list[Problem]]:
    """Raw questions and row problems from the bytes of an .xlsx workbook."""
    if data.startswith(_OLE2):
        return [], [Problem(file, "", "old_excel")]
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return [], [Problem(file, "", "not_xlsx")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it drops
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 — any archive that is not a workbook
            return [], [Problem(file, "", "not_xlsx")]
        try:
            if not workbook.worksheets:
                return [], [Problem(file, "", "empty_file")]
            return read_table(_rows(data, _sheet(workbook)), file=file, default_topic=default_topic)
        except Exception as exc:  # noqa: BLE001 — a damaged sheet inside a valid archive
            return [], [Problem(file, "", "unreadable_file", {"detail": type(exc).__name__})]
        finally:
            workbook.close()
