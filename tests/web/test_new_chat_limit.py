"""The new-chat limit never blocks reading. A script cannot open chat identities without end, but the
61st visitor behind one address (a school lab, a commune event, a carrier's shared address) still reads
the rules, tips and FAQ; only registering, attempts and link codes wait until the limit frees up."""
from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient, TestServer

from bot.compose import build
from bot.service import web_app_for
from bot.state import MemoryStates
from bot.web.identity import COOKIE
from bot.web.limits import NewChatLimiter

from .conftest import WebChat, settings_for


async def test_the_limit_is_per_address_and_frees_up_after_the_window() -> None:
    now = [0.0]
    limiter = NewChatLimiter(MemoryStates(clock=lambda: now[0]), limit=2, window_s=60)
    assert [await limiter.allow("10.0.0.1") for _ in range(3)] == [True, True, False]
    assert await limiter.allow("10.0.0.2")
    now[0] = 61
    assert await limiter.allow("10.0.0.1")


@pytest.fixture
async def full(tmp_path: Path) -> AsyncIterator[tuple[TestClient[Any, Any], WebChat]]:
    """The web app with room for 3 new chats per address, all 3 already taken; and the first of them."""
    settings = settings_for(tmp_path).model_copy(update={"web_new_chats_per_address": 3})
    application = await build(settings, migrate=True)
    try:
        async with TestClient(TestServer(web_app_for(application)), cookie_jar=DummyCookieJar()) as client:
            first = WebChat(client)
            await first.start()
            for _ in range(2):
                await WebChat(client).start()
            yield client, first
    finally:
        await application.close()


async def test_the_next_visitor_is_welcomed_and_reads_the_rules_and_the_faq(
        full: tuple[TestClient[Any, Any], WebChat]) -> None:
    late = WebChat(full[0])
    shown = await late.start()
    assert shown.get("guest") is True and late.cookie is None  # no new identity was opened
    assert "Chào mừng bạn đến với Cuộc thi thử nghiệm!" in late.text()
    assert "đăng ký và dự thi tạm chờ khoảng 10 phút" in late.text()
    assert [b["label"] for row in late.last()["buttons"] for b in row] == [
        "📜 Thể lệ", "💡 Mẹo dịch vụ số", "🏆 Bảng xếp hạng", "❔ Trợ giúp", "🌐 Ngôn ngữ"]

    await late.tap("Thể lệ")
    assert "Đối tượng dự thi" in [b["label"] for row in late.last()["buttons"] for b in row]
    await late.tap("Đối tượng dự thi")
    assert "Mọi công dân sinh sống trong tỉnh." in late.text()
    await late.type("thoi gian thi")
    assert "Cuộc thi diễn ra trong bốn tuần." in late.text()
    await late.tap("Mẹo")
    assert "💡 Mẹo" in late.text()


async def test_the_next_visitor_is_told_when_registering_can_go_on(full: tuple[TestClient[Any, Any], WebChat]) -> None:
    late = WebChat(full[0])
    await late.start()
    for action in ("m:join", "c:contest:y", "m:play", "d:link", "lk:code"):
        await late.press(action)
        assert "tạm chờ khoảng 10 phút" in late.text(), action
    await late.type("/lienket ABCD-1234")  # no guessing link codes from behind the limit either
    assert "tạm chờ khoảng 10 phút" in late.text()


async def test_a_browser_already_chatting_goes_on_registering(full: tuple[TestClient[Any, Any], WebChat]) -> None:
    first = full[1]
    await first.tap("Tôi đồng ý")
    assert "đoạt giải" in first.text() and "guest" not in first.shown
    response = await full[0].post("/api/chat/start", json={})  # while a cookie-less one still reads only
    body: dict[str, Any] = await response.json()
    assert response.status == 200 and body["guest"] and COOKIE not in response.cookies
