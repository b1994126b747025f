"""An organiser's morning in Debian's headless Chromium: sign in, see today's participation by
district on a chart, open every page, download the week's winners as XLSX, sign out."""
from __future__ import annotations

import asyncio
import random
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from playwright.async_api import Browser, expect

from admin.seed import PASSWORD, add_staff, play, register
from bot.compose import App, build
from bot.config import Settings

from .conftest import serving, sign_in

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "content" / "ha-giang"
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vàng", "Giàng", "Sùng", "Lò", "Hầu", "Ma", "Nông"]
MIDDLE = ["Văn", "Thị", "Minh", "Thị Thu", "Đức", "Ngọc", "Mí", "Seo"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hùng", "Lan", "Mai", "Nam", "Pà", "Sính", "Thảo", "Tú", "Vân", "Xuân"]
# How busy each district is, so the chart has a shape.
WEIGHTS = {"HG-TP": 9, "HG-VX": 7, "HG-BQ": 6, "HG-QBI": 4, "HG-HSP": 3, "HG-XM": 3, "HG-BM": 2, "HG-YM": 5,
           "HG-QBA": 2, "HG-DV": 4, "HG-MV": 1}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def communes(application: App) -> dict[str, list[str]]:
    tree = application.runtime.units
    return {d: [u.code for u in tree.children(d)] for d in WEIGHTS}


async def seed(application: App, clock: Clock) -> None:
    """Three days of week 1 of the Hà Giang contest (18–20/6/2024), busier each day."""
    rng = random.Random(2024)
    places = communes(application)
    districts = [d for d, w in WEIGHTS.items() for _ in range(w)]
    n = 0
    for day, people in ((18, 30), (19, 45), (20, 70)):
        clock.now = datetime(2024, 6, day, 2, 0, tzinfo=UTC)  # 09:00 in Hà Giang

        async def one(k: int, name: str, unit: str, right: int, pace: int, prediction: int, n: int = n) -> None:
            pid = await register(application, user=f"u{k}", phone=f"09{k:08d}", name=name, unit=unit)
            own = Clock(clock.now + timedelta(minutes=3 * (k - n)))  # each citizen at their own pace
            await play(application, own, pid, round_code="tuan-1", right=right, seconds_per_answer=pace,
                       prediction=prediction)

        people_today = [(n + k, f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                         rng.choice(places[rng.choice(districts)]), rng.choice([20, 19, 18, 17, 15, 12]),
                         rng.choice([6, 9, 12]), rng.randint(20, 60)) for k in range(people)]
        for start in range(0, people, 15):  # together, as citizens answer at the same time
            await asyncio.gather(*(one(*p) for p in people_today[start:start + 15]))
        n += people
    clock.now = datetime(2024, 6, 20, 8, 0, tzinfo=UTC)  # 15:00 on the third day


@pytest.fixture
async def dashboard_url(tmp_path: Path) -> AsyncIterator[str]:
    clock = Clock(datetime(2024, 6, 18, 2, 0, tzinfo=UTC))
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/db.sqlite", contest_pack=PACK, web_secret="test")
    application = await build(settings, migrate=True, clock=clock, rng=random.Random(7))
    await seed(application, clock)
    await add_staff(application, "bantochuc", "organiser")  # the real argon2 cost: build's default hasher
    async with serving(application) as url:
        yield url


async def test_an_organiser_sees_today_by_district_opens_every_page_and_downloads_winners(
        browser: Browser, dashboard_url: str, artifacts: Path, tmp_path: Path) -> None:
    page = await sign_in(browser, dashboard_url, "bantochuc", PASSWORD,
                         screenshot=artifacts / "dashboard-login.png", downloads=True)

    chart = page.locator('svg[aria-labelledby^="today-by-unit"]')
    await expect(chart).to_be_visible()
    labels = await chart.locator("text.label").all_text_contents()
    assert len(labels) == 11 and "Thành phố Hà Giang" in labels and "Huyện Mèo Vạc" in labels  # quiet ones too
    counts = [int(v.split(" ")[0]) for v in await chart.locator("text.value").all_text_contents()]
    assert counts == sorted(counts, reverse=True) and sum(counts) == 70  # busiest first; 70 took part today
    await expect(page.locator(".card").first).to_contain_text("145")
    await page.screenshot(path=str(artifacts / "dashboard-overview.png"), full_page=True)

    links = page.locator("nav.tabs a")
    labels = await links.all_text_contents()
    assert {"Theo đơn vị", "Theo ngày", "Bảng xếp hạng", "Giải thưởng", "Câu hỏi", "Kiểm tra gian lận"} <= set(labels)
    shots = {"Theo đơn vị": "units", "Theo ngày": "days", "Câu hỏi": "questions"}
    for label in labels:  # every page an organiser can reach, pages added by others included
        async with page.expect_response(lambda r: r.request.resource_type == "document") as answered:
            await links.filter(has_text=label).first.click()
        assert (await answered.value).status == 200, label
        await expect(page.locator("nav.tabs a[aria-current=page]")).to_have_text(label)
        await expect(page.locator("h1")).to_be_visible()
        if label in shots:
            await page.screenshot(path=str(artifacts / f"dashboard-{shots[label]}.png"))
        if label == "Theo đơn vị":  # Hà Giang's districts have their 2019 census population: a real rate
            await expect(page.locator("tbody tr").nth(1).locator("td").nth(4)).to_have_text(re.compile(r"^\d+,\d+%$"))
    await expect(page.locator("nav.tabs").get_by_role("link", name="Tài khoản")).to_have_count(0)  # admins only

    await page.locator("nav.tabs").get_by_role("link", name="Bảng xếp hạng").click()
    await expect(page.locator("table.board tbody tr")).to_have_count(50)
    await expect(page.locator("table.board tbody tr").first.locator("td").nth(3)).to_have_text(
        re.compile(r"^09xx xxx \d{3} (tự nhập|✓ đã xác minh)$"))  # masked, and whether the number is proven
    await page.screenshot(path=str(artifacts / "dashboard-leaderboard.png"), full_page=False)

    await page.locator("nav.tabs").get_by_role("link", name="Giải thưởng").click()
    async with page.expect_download() as info:
        await page.get_by_role("link", name="Excel (XLSX)").click()
    download = await info.value
    assert download.suggested_filename == "giai-thuong-tuan-1-2024-06-20.xlsx"
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    book = openpyxl.load_workbook(saved, read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    book.close()
    assert rows[0][:3] == ("Giải", "Hạng", "Họ và tên")
    assert [r[0] for r in rows[1:]] == ["Giải Nhất"] + ["Giải Nhì"] * 2 + ["Giải Ba"] * 3 + ["Giải Khuyến khích"] * 10
    assert all(re.fullmatch(r"09xx xxx \d{3}", r[4]) for r in rows[1:])  # an organiser's file is masked too
    await page.screenshot(path=str(artifacts / "dashboard-winners.png"), full_page=True)

    await page.locator("nav.tabs").get_by_role("link", name="Kiểm tra gian lận").click()
    await page.get_by_role("button", name="Quét lại vòng này").click()
    await expect(page.get_by_role("status")).to_contain_text("Đã quét")
    await page.screenshot(path=str(artifacts / "dashboard-integrity.png"))

    await page.get_by_role("button", name="Đăng xuất").click()
    await expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    await page.goto(dashboard_url + "/admin/units")
    await expect(page).to_have_url(re.compile(r"/admin/login\?next="))
