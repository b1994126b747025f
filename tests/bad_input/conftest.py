"""Every route of `dcbot run` on one test server (web chat, dashboard, Telegram and Zalo webhooks on
their fakes), a signed-in admin, and a picture of everything stored to compare before and after."""
from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from admin.conftest import Visitor
from admin.seed import add_staff
from bot.channels.telegram.runner import TelegramHandle, start_telegram
from bot.channels.zalo.api import Limits
from bot.channels.zalo.runner import ZaloHandle, start_zalo
from bot.compose import App
from bot.service import telegram_parts, web_app_for, zalo_parts
from bot.storage.tables import metadata
from telegram.conftest import bot_api  # noqa: F401 - the fake Bot API's fixture
from telegram.fake_server import FakeBotApiServer
from zalo.fake_server import FakeZalo
from zalo.fixtures import fake_zalo, zalo_settings  # noqa: F401
from zalo.harness import APP_ID, OA_SECRET

TELEGRAM_SECRET = "bad-input-secret"
TELEGRAM_TOKEN = "123456:TEST"


@dataclass
class Site:
    app: App = field(repr=False)
    server: TestServer = field(repr=False)
    client: TestClient[Any, Any] = field(repr=False)
    zalo: ZaloHandle | None = field(default=None, repr=False)
    telegram: TelegramHandle | None = field(default=None, repr=False)
    zalo_app_id: str = APP_ID
    zalo_secret: str = OA_SECRET
    telegram_secret: str = TELEGRAM_SECRET


@pytest.fixture
async def site(app: App) -> AsyncIterator[Site]:
    """The web app as `dcbot run` serves it: the web chat and the dashboard."""
    server = TestServer(web_app_for(app))
    client: TestClient[Any, Any] = TestClient(server)
    await client.start_server()
    try:
        yield Site(app, server, client)
    finally:
        await client.close()


@pytest.fixture
async def hooked(app: App, fake_zalo: FakeZalo, bot_api: FakeBotApiServer) -> AsyncIterator[Site]:  # noqa: F811
    """The web app with both platforms configured in webhook mode, on their fakes."""
    settings = zalo_settings(app, fake_zalo, telegram_bot_token=TELEGRAM_TOKEN, telegram_api_base=bot_api.base,
                             telegram_webhook_url="https://thi.example.vn", telegram_webhook_secret=TELEGRAM_SECRET)
    web_app = web_app_for(app)
    telegram = await start_telegram(settings, web_app, **telegram_parts(app))
    zalo = await start_zalo(settings, web_app, limits=Limits(per_second=1000, burst=1000), sweep_every=None,
                            **zalo_parts(app))
    server = TestServer(web_app)
    client: TestClient[Any, Any] = TestClient(server)
    await client.start_server()
    try:
        yield Site(app, server, client, zalo, telegram)
    finally:
        await client.close()
        await zalo.stop()
        await telegram.stop()


@pytest.fixture
async def admin_visitor(site: Site) -> AsyncIterator[Visitor]:
    await add_staff(site.app, "quantri", "admin")
    visitor = Visitor(site.server)
    response = await visitor.login("quantri")
    assert response.status == 200 and response.url.path == "/admin/", visitor.text
    yield visitor
    await visitor.close()


Stored = dict[str, list[str]]
# What a request may change without changing anything anyone stored: a session's last activity.
VOLATILE = {"staff_sessions"}


async def stored(app: App) -> Stored:
    """Every row of every table (and every conversation state), as text, in a stable order."""
    found: Stored = {}
    async with app.engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name in VOLATILE:
                continue
            found[table.name] = sorted(repr(tuple(row)) for row in (await conn.execute(select(table))).all())
    states = getattr(app.states, "_states", {})
    found["conversation states"] = sorted(f"{k}={v}" for k, v in states.items())
    return found


def changed(before: Stored, after: Stored) -> list[str]:
    return [name for name in after if before.get(name) != after[name]]


Snapshot = Callable[[], Any]
