"""Starting the channel: webhook mode needs its secret, checks it, and handles an update before answering."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.telegram.runner import start_telegram
from bot.channels.telegram.webhook import TelegramConfigError, public_url
from bot.compose import App, build
from bot.service import telegram_parts
from bot.storage.inbound import InboundEvents

from .conftest import settings_for
from .fake_server import FakeBotApiServer

SECRET = "s3cret_Token-for-tests"
START = {"update_id": 77, "message": {"message_id": 1, "date": 1_718_850_000, "text": "/start",
                                      "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                                      "chat": {"id": 1001, "type": "private", "first_name": "An"},
                                      "from": {"id": 1001, "is_bot": False, "first_name": "An", "language_code": "vi"}}}


async def test_webhook_mode_refuses_to_start_without_a_secret(tmp_path: Path, application: App) -> None:
    settings = settings_for(tmp_path, telegram_webhook_url="https://thi.example.vn")
    with pytest.raises(TelegramConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        await start_telegram(settings, web.Application(), **telegram_parts(application))


def test_the_webhook_url_ends_in_the_route_the_web_app_serves() -> None:
    assert public_url("https://thi.example.vn/") == "https://thi.example.vn/telegram/webhook"
    assert public_url("https://example.vn/cds/telegram/webhook") == "https://example.vn/cds/telegram/webhook"


async def test_webhook_checks_the_secret_and_stores_the_update_before_answering(
        tmp_path: Path, bot_api: FakeBotApiServer) -> None:
    settings = settings_for(tmp_path, telegram_api_base=bot_api.base, telegram_webhook_url="https://thi.example.vn",
                            telegram_webhook_secret=SECRET)
    application = await build(settings, migrate=True)
    web_app = web.Application()
    telegram = await start_telegram(settings, web_app, **telegram_parts(application))
    client = TestClient(TestServer(web_app))
    await client.start_server()
    try:
        async def post(update: dict[str, Any], secret: str | None) -> int:
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
            async with client.post("/telegram/webhook", json=update, headers=headers) as response:
                return response.status

        assert await post(START, None) == 401
        assert await post(START, "wrong") == 401
        assert bot_api.fake.delivered("sendMessage") == [], "a refused update is not handled"
        assert await post(START, SECRET) == 200
        inbound = InboundEvents(application.engine, "telegram")
        assert await inbound.standing("77") is not None, "stored when Telegram gets its 200"
        async with asyncio.timeout(20):  # … handled, and its replies sent, right after
            while not ((standing := await inbound.standing("77")) and standing.done and not standing.unsent):
                await asyncio.sleep(0.01)
        welcome = bot_api.fake.delivered("sendMessage")
        assert await post(START, SECRET) == 200  # Telegram redelivers the same update
        assert len(bot_api.fake.delivered("sendMessage")) == len(welcome), "a redelivered update is handled once"
    finally:
        await client.close()
        await telegram.stop()
        await application.close()

    assert len(welcome) == 1 and "Nghị định 13" in welcome[0].params["text"]
    hook = bot_api.fake.delivered("setWebhook")[0].params
    assert hook["url"] == "https://thi.example.vn/telegram/webhook" and hook["secret_token"] == SECRET
    assert "deleteWebhook" not in {c.method for c in bot_api.fake.calls}
