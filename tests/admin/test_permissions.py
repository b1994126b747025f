"""Organisers see; only admins see phone numbers and reach admin pages."""
from __future__ import annotations

import re

from bot.compose import App

from .conftest import Visitor
from .seed import play, register

FULL_PHONE = "0912345678"
MASKED = "09xx xxx 678"


async def seeded(app: App, clock) -> int:
    pid = await register(app, user="an", phone=FULL_PHONE, name="Nguyễn Văn An")
    await play(app, clock, pid, right=9, seconds_per_answer=1)  # fast enough to be flagged
    other = await register(app, user="binh", phone="0987654321", name="Trần Thị Bình", unit="T-B-1")
    await play(app, clock, other, right=6)
    return pid


async def test_an_organiser_sees_masked_phone_numbers_everywhere(app: App, clock, organiser: Visitor) -> None:
    await seeded(app, clock)
    await organiser.post("/admin/integrity/scan", {"round": "chinh"})
    for path in ("/admin/leaderboard?round=chinh", "/admin/winners?round=chinh", "/admin/integrity?round=chinh"):
        await organiser.get(path)
        assert MASKED in organiser.text, path
        assert FULL_PHONE not in organiser.text, path


async def test_an_admin_sees_full_phone_numbers(app: App, clock, administrator: Visitor) -> None:
    await seeded(app, clock)
    await administrator.post("/admin/integrity/scan", {"round": "chinh"})
    for path in ("/admin/leaderboard?round=chinh", "/admin/winners?round=chinh", "/admin/integrity?round=chinh"):
        await administrator.get(path)
        assert FULL_PHONE in administrator.text, path


async def test_an_organiser_cannot_open_admin_pages_nor_see_their_links(organiser: Visitor,
                                                                        administrator: Visitor) -> None:
    response = await organiser.get("/admin/users")
    assert response.status == 403 and "chỉ dành cho quản trị viên" in organiser.text
    await organiser.get("/admin/")
    assert 'href="/admin/users"' not in organiser.text
    assert (await administrator.get("/admin/users")).status == 200
    assert "bantochuc" in administrator.text and 'href="/admin/users"' in administrator.text


async def test_only_an_admin_can_search_by_phone(app: App, clock, organiser: Visitor, administrator: Visitor) -> None:
    await seeded(app, clock)
    await organiser.get("/admin/leaderboard?round=chinh&q=0912345678")
    assert "Nguyễn Văn An" not in organiser.text and "Không tìm thấy" in organiser.text
    for typed in ("0912345678", "+84 912 345 678", "345 678"):
        await administrator.get("/admin/leaderboard", params={"round": "chinh", "q": typed})
        assert "Nguyễn Văn An" in administrator.text and "Trần Thị Bình" not in administrator.text, typed


async def test_a_name_search_ignores_accents_and_case(app: App, clock, organiser: Visitor) -> None:
    await seeded(app, clock)
    await organiser.get("/admin/leaderboard?round=chinh&q=TRAN thi binh")
    assert "Trần Thị Bình" in organiser.text and "Nguyễn Văn An" not in organiser.text
    assert "1 kết quả" in organiser.text


async def test_the_leaderboard_shows_fifty_a_page(app: App, clock, organiser: Visitor) -> None:
    for k in range(53):
        pid = await register(app, user=f"u{k}", phone=f"09{k:08d}", name=f"Người Thứ {chr(65 + k % 26)}")
        await play(app, clock, pid, right=k % 11)
    await organiser.get("/admin/leaderboard?round=chinh")
    assert organiser.text.count("<tr><td class=\"num\">") == 50 and "Trang 1/2" in organiser.text
    await organiser.get("/admin/leaderboard?round=chinh&page=2")
    ranks = re.findall(r'<tr><td class="num">(\d+)</td>', organiser.text)
    assert ranks == ["51", "52", "53"]


async def test_names_are_shown_as_text_never_as_markup(app: App, clock, administrator: Visitor) -> None:
    pid = await register(app, user="x", phone="0911111111", name='<img src=x onerror="alert(1)">')
    await play(app, clock, pid, right=5)
    await administrator.get("/admin/leaderboard?round=chinh")
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in administrator.text
    assert "<img" not in administrator.text


async def test_pages_are_never_cached_and_cannot_be_framed(organiser: Visitor) -> None:
    response = await organiser.get("/admin/")
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


async def test_a_page_that_does_not_exist_says_so_in_the_dashboard(organiser: Visitor) -> None:
    response = await organiser.get("/admin/khong-co")
    assert response.status == 404 and "Không có trang này" in organiser.text and "nav" in organiser.text
