"""The web chat through its HTTP API: a reload brings the conversation back from the server, a restart
forgets no registration step, and what the page needs to mark the stored answer is in each reply."""
from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient, TestServer

from bot.compose import App, build
from bot.service import web_app_for
from conftest import Clock

from .conftest import WebChat, register, settings_for

Serve = Callable[[], Any]


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime.now(UTC))


@pytest.fixture
def serve(tmp_path: Path, clock: Clock) -> Callable[[], Any]:
    """The web app over one SQLite file, built anew each time it is served (a restart of the service)."""
    @asynccontextmanager
    async def serving() -> AsyncIterator[TestClient[Any, Any]]:
        application: App = await build(settings_for(tmp_path), migrate=True, clock=clock, rng=random.Random(3))
        try:
            async with TestClient(TestServer(web_app_for(application)), cookie_jar=DummyCookieJar()) as client:
                yield client
        finally:
            await application.close()

    return serving


async def test_a_reload_brings_back_the_conversation_and_carries_on_where_it_was(serve: Serve) -> None:
    async with serve() as client:
        chat = WebChat(client)
        await chat.start()
        await chat.tap("Tôi đồng ý")
        await chat.tap("Đồng ý liên hệ khi đoạt giải")
        await chat.tap("Không, cảm ơn")
        await chat.type("Nguyễn Văn An")
        again = await chat.start()  # the page reloaded

    earlier = again["history"]
    assert {"user": "Nguyễn Văn An"} in earlier
    assert any("Nghị định 13/2023" in " ".join(b.get("parts", [])) for b in earlier)
    consent = next(b for b in earlier if "Nghị định 13/2023" in " ".join(b.get("parts", [])))
    assert consent["chosen"] == "c:contest:y"  # the choice made, to draw as chosen
    assert "Bạn đang đăng ký dở" in chat.text() and "Bước 2/4" in chat.text()


async def test_a_restart_without_redis_forgets_no_registration_step(serve: Serve) -> None:
    async with serve() as client:
        chat = WebChat(client)
        await chat.start()
        await chat.tap("Tôi đồng ý")
        await chat.tap("Đồng ý liên hệ khi đoạt giải")
        await chat.tap("Không, cảm ơn")
        await chat.type("Nguyễn Văn An")
    async with serve() as client:  # the service restarted; the browser kept its cookie
        chat.client = client
        await chat.type("1990")
        assert "Bước 3/4" in chat.text()
        assert (await chat.start())["history"], "the conversation is still there after the restart"


async def test_deleting_ones_data_deletes_the_kept_conversation_too(serve: Serve) -> None:
    async with serve() as client:
        chat = WebChat(client)
        await register(chat)
        await chat.tap("Dữ liệu của tôi")
        await chat.tap("Xoá dữ liệu của tôi")
        await chat.tap("Xoá vĩnh viễn")
        again = await chat.start()
    shown = str(again["history"])
    assert "Nguyễn Văn An" not in shown and "0912345678" not in shown


async def test_a_second_tap_after_a_lost_reply_names_the_answer_kept_for_the_page_to_mark(serve: Serve) -> None:
    async with serve() as client:
        chat = WebChat(client)
        await register(chat)
        await chat.tap("Thi ngay")
        await chat.tap("Vòng chính")
        keys = [b["action"] for b in chat.last()["buttons"][0] + chat.last()["buttons"][1]]
        await chat.press(keys[0])  # this reply is lost on the way
        shown = await chat.press(keys[1])

    assert shown["chosen"] == keys[0] and shown["toast"] == "Câu 1 đã ghi nhận đáp án A"
    assert shown["replies"][-1]["progress"]["position"] == 2


async def test_when_the_countdown_ends_the_page_asks_where_the_attempt_is_and_hears_time_is_up(
        serve: Serve, clock: Clock) -> None:
    async with serve() as client:
        chat = WebChat(client)
        await register(chat)
        await chat.tap("Thi ngay")
        await chat.tap("Vòng chính")
        resume = chat.last()["progress"]["resume"]
        assert resume.startswith("go:")
        clock.advance(minutes=10, seconds=1)
        await chat.press(resume)
    assert "⏰ Hết giờ! Bài đã được nộp tự động với 0/10 câu đã trả lời." in chat.text()
    assert chat.last()["progress"] is None
