"""Exports: what opens in Excel or a CSV reader, masked unless an admin asked."""
from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from bot.compose import App
from bot.exports import (
    BOM,
    BoardRow,
    DayRow,
    csv_chunks,
    leaderboard_sheet,
    write_days_csv,
    write_leaderboard_csv,
    write_leaderboard_xlsx,
    write_units_xlsx,
)
from quiz.privacy import mask_phone
from quiz.services.standings import Standings
from quiz.units import UnitStats

from .conftest import Visitor
from .seed import play, register

HEADER = ["Hạng", "Họ và tên", "Đơn vị", "Số điện thoại", "SĐT đã xác minh", "Số câu đúng", "Tổng số câu",
          "Thời gian (giây)", "Dự đoán", "Nộp bài lúc", "Xét duyệt"]


def board(n: int) -> list[BoardRow]:
    return [BoardRow(k, f"Thí Sinh {k}", "Xã Đông Sơn, Huyện An Bình", f"09{k:08d}", 10 - k % 10, 10, 61_250 + k,
                     None if k % 3 else 42, datetime(2024, 6, 20, 9, 30, k % 60), verified=k % 2 == 0,
                     review="Trả lời quá nhanh: Hợp lệ (đã gọi điện)" if k == 1 else "") for k in range(1, n + 1)]


def test_phone_numbers_are_masked_in_the_middle() -> None:
    assert mask_phone("0912345678") == "09xx xxx 678"
    assert mask_phone(None) == "" and mask_phone("") == ""
    assert "345" not in mask_phone("0912345678")


def read_rows(path: Path) -> list[tuple[object, ...]]:
    """Every row of the first sheet; the read-only workbook is closed, its file with it."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(book.active.iter_rows(values_only=True))
    finally:
        book.close()


def test_an_xlsx_leaderboard_has_every_row_masked_for_organisers(tmp_path: Path) -> None:
    path = tmp_path / "board.xlsx"
    assert write_leaderboard_xlsx(iter(board(2500)), path, show_phone=False) == 2500
    rows = read_rows(path)
    assert list(rows[0]) == HEADER and len(rows) == 2501
    assert rows[1] == (1, "Thí Sinh 1", "Xã Đông Sơn, Huyện An Bình", "09xx xxx 001", "Không", 9, 10, 61.3, None,
                       datetime(2024, 6, 20, 9, 30, 1), "Trả lời quá nhanh: Hợp lệ (đã gọi điện)")
    assert rows[3][8] == 42 and rows[2][4] == "Có"
    assert all(r[3].startswith("09xx xxx ") for r in rows[1:])


def test_an_admins_xlsx_keeps_the_phone_numbers(tmp_path: Path) -> None:
    path = tmp_path / "board.xlsx"
    write_leaderboard_xlsx(board(3), path, show_phone=True)
    rows = read_rows(path)
    assert [r[3] for r in rows[1:]] == ["0900000001", "0900000002", "0900000003"]


def test_a_csv_opens_with_its_header_and_comes_in_bounded_chunks() -> None:
    chunks = list(csv_chunks(leaderboard_sheet(board(4500), show_phone=False), rows_per_chunk=1000))
    assert len(chunks) == 5 and chunks[0].startswith(BOM)
    rows = list(csv.reader(io.StringIO("".join(chunks)[1:])))
    assert rows[0] == HEADER and len(rows) == 4501
    assert rows[1] == ["1", "Thí Sinh 1", "Xã Đông Sơn, Huyện An Bình", "09xx xxx 001", "Không", "9", "10", "61.3",
                       "", "2024-06-20 09:30:01", "Trả lời quá nhanh: Hợp lệ (đã gọi điện)"]


def test_text_that_a_spreadsheet_would_run_stays_text(tmp_path: Path) -> None:
    row = BoardRow(1, "=HYPERLINK(\"http://evil\")", "+unit", None, 1, 10, 1000, None, datetime(2024, 6, 20))
    out = io.StringIO()
    write_leaderboard_csv([row], out, show_phone=True)
    assert "'=HYPERLINK" in out.getvalue() and "'+unit" in out.getvalue()
    path = tmp_path / "x.xlsx"
    write_leaderboard_xlsx([row], path, show_phone=True)
    cell = openpyxl.load_workbook(path).active["B2"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://evil")'  # text, as typed
    with zipfile.ZipFile(path) as xlsx:
        assert "<f>" not in xlsx.read("xl/worksheets/sheet1.xml").decode()  # no formula anywhere


def test_units_and_days_export_their_figures(tmp_path: Path) -> None:
    units = [UnitStats("T", "Tỉnh", 0, 1000, 30, 40, 0), UnitStats("T-A", "Huyện A", 1, None, 10, 12, 0)]
    path = tmp_path / "units.xlsx"
    write_units_xlsx(units, path)
    rows = read_rows(path)
    assert rows[1] == ("T", "Tỉnh", 0, 1000, 30, 40, 3.0)
    assert rows[2][:6] == ("T-A", "    Huyện A", 1, None, 10, 12) and not any(rows[2][6:])  # no rate: empty
    out = io.StringIO()
    write_days_csv([DayRow(date(2024, 6, 20), 5, 7, 9)], out)
    assert out.getvalue() == BOM + "Ngày,Đăng ký mới,Người thi,Lượt thi\r\n2024-06-20,5,7,9\r\n"


async def seed(app: App, clock, n: int = 20) -> None:
    for k in range(n):
        pid = await register(app, user=f"u{k}", phone=f"09{k:08d}", name=f"Người Thi {chr(65 + k)}",
                             unit="T-A-1" if k % 2 else "T-B-1")
        await play(app, clock, pid, right=k % 11)


def read_csv(body: bytes) -> list[list[str]]:
    text = body.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:])))


async def test_an_organiser_downloads_the_leaderboard_as_csv_masked(app: App, clock, organiser: Visitor) -> None:
    await seed(app, clock)
    response = await organiser.get("/admin/export/leaderboard.csv?round=chinh")
    assert response.status == 200 and response.content_type == "text/csv"
    assert 'filename="bang-xep-hang-chinh-2024-06-20.csv"' in response.headers["Content-Disposition"]
    rows = read_csv(await response.read())
    assert rows[0] == HEADER and len(rows) == 21
    assert [r[0] for r in rows[1:]] == [str(k) for k in range(1, 21)]
    assert all(r[3].startswith("09xx xxx ") for r in rows[1:])


async def test_an_admin_downloads_the_leaderboard_as_xlsx_with_phones(app: App, clock, administrator: Visitor,
                                                                      tmp_path: Path) -> None:
    await seed(app, clock)
    response = await administrator.get("/admin/export/leaderboard.xlsx?round=chinh")
    assert response.status == 200
    path = tmp_path / "board.xlsx"
    path.write_bytes(await response.read())
    rows = read_rows(path)
    assert len(rows) == 21 and rows[1][5] == 10  # the best first
    assert sorted(r[3] for r in rows[1:]) == [f"09{k:08d}" for k in range(20)]


async def test_an_export_right_after_a_change_holds_it_however_large_the_round(
        app: App, clock, organiser: Visitor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Standings, "BOARD_SYNC", 1)  # every board counts as large: pages may lag a little
    await seed(app, clock)
    await organiser.get("/admin/leaderboard?round=chinh")  # the board is built and held
    assert "Người Thi K" in organiser.text
    first = await app.people.holder("0900000010")  # "Người Thi K", 10/10: first place
    assert first is not None
    await app.people.erase(participant_id=first.id, now=clock())  # the citizen erases their data
    rows = read_csv(await (await organiser.get("/admin/export/leaderboard.csv?round=chinh")).read())
    assert len(rows) == 20 and [r[0] for r in rows[1:]] == [str(k) for k in range(1, 20)]  # 19 ranked, from 1
    assert rows[1][1] != "Người Thi K" and "—" not in {r[1] for r in rows}
    winners = read_csv(await (await organiser.get("/admin/export/winners.csv?round=chinh")).read())
    assert len(winners) == 6 and "—" not in {r[2] for r in winners}


async def test_the_leaderboard_page_says_when_its_board_was_built_and_that_a_change_is_on_its_way(
        app: App, clock, organiser: Visitor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Standings, "BOARD_SYNC", 1)  # every board counts as large: pages may lag a little
    await seed(app, clock)
    built = f"bảng lập lúc {clock().astimezone(app.runtime.tz):%H:%M:%S %d/%m}"  # Hà Giang's time
    await organiser.get("/admin/leaderboard?round=chinh")
    assert built in organiser.text and "đang cập nhật" not in organiser.text
    first = await app.people.holder("0900000010")  # "Người Thi K", first place
    assert first is not None
    await app.people.erase(participant_id=first.id, now=clock())
    await organiser.get("/admin/leaderboard?round=chinh")  # the board as held, while it is built again
    assert "đang cập nhật theo thay đổi mới nhất: tải lại trang sau ít giây" in organiser.text
    for _ in range(200):
        if not app.standings.updating("chinh"):
            break
        await asyncio.sleep(0.01)
    await organiser.get("/admin/leaderboard?round=chinh")
    assert "đang cập nhật" not in organiser.text and "Người Thi K" not in organiser.text


async def test_the_winners_export_follows_the_prize_ladder(app: App, clock, organiser: Visitor,
                                                           tmp_path: Path) -> None:
    await seed(app, clock)
    response = await organiser.get("/admin/export/winners.xlsx?round=chinh")
    path = tmp_path / "winners.xlsx"
    path.write_bytes(await response.read())
    rows = read_rows(path)
    # The fixture contest gives 1 first, 1 second, 1 third and 2 encouragement prizes.
    assert [r[:2] for r in rows[1:]] == [("Giải Nhất", 1), ("Giải Nhì", 2), ("Giải Ba", 3),
                                         ("Giải Khuyến khích", 4), ("Giải Khuyến khích", 5)]


async def test_participation_by_unit_and_by_day_export_as_csv(app: App, clock, organiser: Visitor) -> None:
    await seed(app, clock, n=6)
    units = read_csv(await (await organiser.get("/admin/export/units.csv")).read())
    assert units[0] == ["Mã đơn vị", "Đơn vị", "Cấp", "Dân số", "Thí sinh", "Lượt thi", "Tỷ lệ tham gia (%)"]
    assert units[1] == ["T", "Tỉnh Thử Nghiệm", "0", "1000", "6", "6", "0.6"]
    assert [r[0] for r in units[1:]] == ["T", "T-A", "T-A-1", "T-A-2", "T-B", "T-B-1"]
    days = read_csv(await (await organiser.get("/admin/export/days.csv")).read())
    assert days == [["Ngày", "Đăng ký mới", "Người thi", "Lượt thi"], ["2024-06-20", "6", "6", "6"]]


async def test_an_empty_round_still_exports_its_header(organiser: Visitor) -> None:
    rows = read_csv(await (await organiser.get("/admin/export/leaderboard.csv?round=chinh")).read())
    assert rows == [HEADER]
    assert (await organiser.get("/admin/export/secrets.csv")).status == 404
