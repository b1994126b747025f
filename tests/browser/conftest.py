"""The real web app on 127.0.0.1 and Debian's headless Chromium driven by Playwright."""
from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import Browser, async_playwright

from bot.compose import build
from bot.config import Settings
from bot.web.app import create_web_app

PACK = Path(__file__).resolve().parents[1] / "fixtures" / "pack"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture
async def base_url(tmp_path: Path) -> AsyncIterator[str]:
    """The web chat served from a fresh SQLite file with the fixture pack."""
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/db.sqlite", contest_pack=PACK,
                        web_secret="test")
    application = await build(settings, migrate=True)
    runner = web.AppRunner(create_web_app(application), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()
        await application.close()


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
