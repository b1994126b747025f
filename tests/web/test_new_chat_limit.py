"""A script cannot open new web-chat identities without end; people already chatting are unaffected."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient, TestServer

from bot.compose import build
from bot.service import web_app_for
from bot.web.limits import NewChatLimiter

from .conftest import WebChat, settings_for


def test_the_limit_is_per_address_and_frees_up_after_the_window() -> None:
    now = [0.0]
    limiter = NewChatLimiter(limit=2, window_s=60, clock=lambda: now[0])
    assert [limiter.allow("10.0.0.1") for _ in range(3)] == [True, True, False]
    assert limiter.allow("10.0.0.2")
    now[0] = 61
    assert limiter.allow("10.0.0.1")


async def test_too_many_new_chats_from_one_address_get_429_while_an_open_chat_goes_on(tmp_path: Path) -> None:
    settings = settings_for(tmp_path).model_copy(update={"web_new_chats_per_address": 3})
    application = await build(settings, migrate=True)
    try:
        async with TestClient(TestServer(web_app_for(application)), cookie_jar=DummyCookieJar()) as client:
            first = WebChat(client)
            await first.start()
            for _ in range(2):
                await WebChat(client).start()
            refused = await client.post("/api/chat/start", json={})
            body: dict[str, Any] = await refused.json()
            assert refused.status == 429 and "try again" in body["error"]
            assert refused.headers["Retry-After"] == str(settings.web_new_chats_window_s)
            shown = await first.press("m:rules")  # the browser that already has its cookie is not counted
            assert any("Thể lệ" in part for reply in shown["replies"] for part in reply["parts"])
    finally:
        await application.close()
