"""Exports for organisers: leaderboard, winners, participation by unit and by day, as XLSX or CSV.

Plain functions over iterables of rows, so a million rows stream through with bounded
memory: XLSX through openpyxl's write-only mode, CSV in chunks of text. Phone numbers
are masked unless the reader is an admin (Decree 13/2023/NĐ-CP)."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO, TextIO, Union

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from quiz.units import UnitStats

Cell = Union[str, int, float, datetime, date, None]
Target = Union[str, Path, BinaryIO]
CHUNK_ROWS = 2000
BOM = "\ufeff"  # lets Excel read the CSV as UTF-8 (Vietnamese names)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def mask_phone(phone: str | None) -> str:
    """A phone number with its middle hidden: "0912345678" → "09xx xxx 678"."""
    if not phone:
        return ""
    if len(phone) < 6:
        return "x" * len(phone)
    hidden = "x" * (len(phone) - 5)
    return f"{phone[:2]}{hidden[:2]} {hidden[2:]} {phone[-3:]}".replace("  ", " ")


def shown_phone(phone: str | None, *, show_phone: bool) -> str:
    return (phone or "") if show_phone else mask_phone(phone)


@dataclass(frozen=True, slots=True)
class BoardRow:
    """One line of a round's leaderboard, with times already in the contest's local time."""

    rank: int
    full_name: str
    unit: str
    phone: str | None
    correct: int
    total: int
    duration_ms: int
    prediction: int | None
    submitted_at: datetime  # naive local time: spreadsheets have no time zones


@dataclass(frozen=True, slots=True)
class WinnerRow:
    prize: str  # e.g. "Giải Nhất"
    row: BoardRow


@dataclass(frozen=True, slots=True)
class DayRow:
    day: date
    registered: int
    participants: int
    attempts: int


@dataclass(frozen=True, slots=True)
class Sheet:
    """A header and the rows under it, produced lazily."""

    title: str
    header: tuple[str, ...]
    rows: Iterable[Sequence[Cell]]
    widths: tuple[int, ...] = ()


_BOARD_HEADER = ("Hạng", "Họ và tên", "Đơn vị", "Số điện thoại", "Số câu đúng", "Tổng số câu", "Thời gian (giây)",
                 "Dự đoán", "Nộp bài lúc")
_BOARD_WIDTHS = (7, 28, 30, 15, 12, 12, 15, 10, 20)


def _board_cells(r: BoardRow, show_phone: bool) -> list[Cell]:
    return [r.rank, r.full_name, r.unit, shown_phone(r.phone, show_phone=show_phone), r.correct, r.total,
            round(r.duration_ms / 1000, 1), r.prediction, r.submitted_at]


def leaderboard_sheet(rows: Iterable[BoardRow], *, show_phone: bool) -> Sheet:
    return Sheet("Xếp hạng", _BOARD_HEADER, (_board_cells(r, show_phone) for r in rows), _BOARD_WIDTHS)


def winners_sheet(rows: Iterable[WinnerRow], *, show_phone: bool) -> Sheet:
    return Sheet("Giải cá nhân", ("Giải", *_BOARD_HEADER),
                 ([w.prize, *_board_cells(w.row, show_phone)] for w in rows), (16, *_BOARD_WIDTHS))


def units_sheet(rows: Iterable[UnitStats]) -> Sheet:
    def cells(u: UnitStats) -> list[Cell]:
        rate = round(u.rate * 100, 2) if u.rate is not None else None
        return [u.code, "    " * u.depth + u.name, u.depth, u.population, u.participants, u.attempts, rate]
    return Sheet("Theo đơn vị", ("Mã đơn vị", "Đơn vị", "Cấp", "Dân số", "Thí sinh", "Lượt thi", "Tỷ lệ tham gia (%)"),
                 (cells(u) for u in rows), (16, 36, 6, 12, 12, 12, 18))


def days_sheet(rows: Iterable[DayRow]) -> Sheet:
    return Sheet("Theo ngày", ("Ngày", "Đăng ký mới", "Người thi", "Lượt thi"),
                 ([d.day, d.registered, d.participants, d.attempts] for d in rows), (14, 14, 12, 12))


def _safe(value: Cell) -> Cell:
    """Text that a spreadsheet would run as a formula is kept as text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# writers
def write_xlsx(sheet: Sheet, target: Target) -> int:
    """Write one sheet in write-only mode (rows go straight to the zip); the number of rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet.title)
    for i, width in enumerate(sheet.widths):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    head = []
    for title in sheet.header:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = bold
        head.append(cell)
    ws.append(head)
    count = 0
    for row in sheet.rows:
        ws.append([_safe(v) for v in row])
        count += 1
    wb.save(target)
    return count


def _csv_text(value: Cell) -> Cell:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return _safe(value)


def csv_chunks(sheet: Sheet, *, rows_per_chunk: int = CHUNK_ROWS, header: bool = True) -> Iterator[str]:
    """The CSV as pieces of text, each of at most `rows_per_chunk` rows; with `header`, the BOM
    and the header line come first (a later batch of the same file leaves them out)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header:
        buffer.write(BOM)
        writer.writerow(sheet.header)
    pending = 0
    for row in sheet.rows:
        writer.writerow([_csv_text(v) for v in row])
        pending += 1
        if pending >= rows_per_chunk:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


def write_csv(sheet: Sheet, stream: TextIO) -> None:
    for chunk in csv_chunks(sheet):
        stream.write(chunk)


# one function per export, for callers and benchmarks
def write_leaderboard_xlsx(rows: Iterable[BoardRow], target: Target, *, show_phone: bool) -> int:
    return write_xlsx(leaderboard_sheet(rows, show_phone=show_phone), target)


def write_leaderboard_csv(rows: Iterable[BoardRow], stream: TextIO, *, show_phone: bool) -> None:
    write_csv(leaderboard_sheet(rows, show_phone=show_phone), stream)


def write_winners_xlsx(rows: Iterable[WinnerRow], target: Target, *, show_phone: bool) -> int:
    return write_xlsx(winners_sheet(rows, show_phone=show_phone), target)


def write_winners_csv(rows: Iterable[WinnerRow], stream: TextIO, *, show_phone: bool) -> None:
    write_csv(winners_sheet(rows, show_phone=show_phone), stream)


def write_units_xlsx(rows: Iterable[UnitStats], target: Target) -> int:
    return write_xlsx(units_sheet(rows), target)


def write_units_csv(rows: Iterable[UnitStats], stream: TextIO) -> None:
    write_csv(units_sheet(rows), stream)


def write_days_xlsx(rows: Iterable[DayRow], target: Target) -> int:
    return write_xlsx(days_sheet(rows), target)


def write_days_csv(rows: Iterable[DayRow], stream: TextIO) -> None:
    write_csv(days_sheet(rows), stream)
