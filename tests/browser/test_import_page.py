"""An admin loads the official Excel set with one bad row in Debian's headless Chromium, reads which row
and why, uploads the fixed file and publishes it; the running service then serves version 2."""
from __future__ import annotations

import random
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from admin.seed import PASSWORD, add_staff
from bot.compose import App, build
from bot.config import Settings
from imports_web.files import version_two, with_a_bad_row, workbook

from .conftest import serving, sign_in

PACK = Path(__file__).resolve().parents[1] / "fixtures" / "pack"


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[App, str]]:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/db.sqlite", contest_pack=PACK, web_secret="test")
    application = await build(settings, migrate=True, rng=random.Random(7))
    await add_staff(application, "quantri", "admin")
    async with serving(application) as url:
        yield application, url


async def test_an_admin_fixes_the_bad_row_the_page_names_and_publishes(
        browser: Browser, served: tuple[App, str], artifacts: Path, tmp_path: Path) -> None:
    application, base_url = served
    bad, fixed = tmp_path / "bo-cau-hoi-tuan-2.xlsx", tmp_path / "bo-cau-hoi-tuan-2-da-sua.xlsx"
    bad.write_bytes(with_a_bad_row())
    fixed.write_bytes(workbook(version_two()))
    page = await sign_in(browser, base_url, "quantri", PASSWORD)

    await page.locator("nav.tabs").get_by_role("link", name="Nhập câu hỏi").click()
    await expect(page.get_by_role("heading", name="Nhập bộ câu hỏi")).to_be_visible()
    await expect(page.get_by_label("Tên bộ câu hỏi")).to_have_value("")  # a set rounds use is typed on purpose
    await page.get_by_label("Tên bộ câu hỏi").fill("bo-thu")
    await page.get_by_label("Tệp câu hỏi").set_input_files(bad)
    await page.get_by_role("button", name="Kiểm tra (chạy thử)").click()

    problem = page.locator("table.problems tbody tr")
    await expect(problem).to_have_count(1)
    await expect(problem.locator("td").nth(1)).to_have_text("dòng 6 (STT 5)")
    await expect(problem.locator("td").nth(2)).to_have_text("Đáp án đúng «E» không hợp lệ: phải là một chữ cái "
                                                            "trong ABCD.")
    await expect(page.get_by_text("Không có gì được lưu", exact=False)).to_be_visible()
    await page.screenshot(path=str(artifacts / "import-problems.png"), full_page=True)
    assert application.runtime.sets["bo-thu"].version == 1

    await page.get_by_label("Tệp câu hỏi").set_input_files(fixed)
    await page.get_by_role("button", name="Kiểm tra (chạy thử)").click()
    await expect(page.get_by_text("16 câu hỏi hợp lệ cho bộ «bo-thu»", exact=False)).to_be_visible()
    await expect(page.locator("table.rekeyed tbody tr td").first).to_have_text("q-003")
    await page.screenshot(path=str(artifacts / "import-diff.png"), full_page=True)

    boxes = page.get_by_role("checkbox", name=re.compile("Tôi xác nhận xuất bản khi vòng"))
    await expect(boxes).to_have_count(2)  # the rounds drawing from bo-thu now, each named before it changes
    await page.get_by_role("button", name="Xuất bản").click()
    assert application.runtime.sets["bo-thu"].version == 1  # the browser will not send it unticked
    for box in await boxes.all():
        await box.check()
    await page.get_by_role("button", name="Xuất bản").click()
    await expect(page.locator(".notice.ok")).to_have_text(re.compile(r"Đã xuất bản «bo-thu» phiên bản 2 \(16 câu\)"))
    await expect(page.locator("table tbody tr").filter(has_text="bo-thu").locator("td").nth(1)).to_have_text("2")
    await page.screenshot(path=str(artifacts / "import-published.png"), full_page=True)
    assert application.runtime.sets["bo-thu"].version == 2
