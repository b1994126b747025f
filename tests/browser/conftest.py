"""The real web app on 127.0.0.1 and Debian's headless Chromium driven by Playwright."""
from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import Browser, Page, async_playwright, expect

from bot.compose import App, build
from bot.config import Settings
from bot.service import web_app_for

PACK = Path(__file__).resolve().parents[1] / "fixtures" / "pack"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DESKTOP = {"width": 1280, "height": 900}


@asynccontextmanager
async def serving(application: App) -> AsyncIterator[str]:
    """The whole web app on a free port of 127.0.0.1; closes the application afterwards."""
    runner = web.AppRunner(web_app_for(application), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()
        await application.close()


async def sign_in(browser: Browser, base_url: str, username: str, password: str, *,
                  screenshot: Path | None = None, downloads: bool = False) -> Page:
    """A dashboard user signs in through the login page and lands on the overview."""
    context = await browser.new_context(viewport=DESKTOP, locale="vi-VN", accept_downloads=downloads)
    page = await context.new_page()
    await page.goto(base_url + "/admin")
    await expect(page).to_have_url(re.compile(r"/admin/login"))
    if screenshot is not None:
        await page.screenshot(path=str(screenshot))
    await page.get_by_label("Tên đăng nhập").fill(username)
    await page.get_by_label("Mật khẩu").fill(password)
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_role("heading", name="Tổng quan", exact=True)).to_be_visible()
    return page


@pytest.fixture
async def base_url(tmp_path: Path) -> AsyncIterator[str]:
    """The web chat served from a fresh SQLite file with the fixture pack."""
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/db.sqlite", contest_pack=PACK,
                        web_secret="test")
    async with serving(await build(settings, migrate=True)) as url:
        yield url


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("no /usr/bin/chromium: run `make chromium` (apt-get install chromium)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
