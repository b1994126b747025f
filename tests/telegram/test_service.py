"""`dcbot run` with a token: Telegram starts inside the service, says how, and stops with it."""
from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from bot import service
from bot.channels.telegram.runner import TelegramHandle, TelegramStartError, start_telegram
from bot.channels.telegram.webhook import TelegramConfigError
from bot.health import Backoff
from bot.service import serve

from . import fake_server
from .conftest import settings_for
from .fake_server import FakeBotApiServer
from .test_runner import SECRET, START


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def until(check: Callable[[], bool], seconds: float = 10) -> None:
    async with asyncio.timeout(seconds):
        while not check():
            await asyncio.sleep(0.02)


async def test_the_service_polls_telegram_when_a_token_is_set(
        tmp_path: Path, bot_api: FakeBotApiServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.service")
    stop = asyncio.Event()
    settings = settings_for(tmp_path, telegram_api_base=bot_api.base, web_host="127.0.0.1", web_port=free_port(),
                            web_secret="test")
    running = asyncio.create_task(serve(settings, stop=stop))
    await until(lambda: any(c.method == "getUpdates" for c in bot_api.fake.calls))
    stop.set()
    await asyncio.wait_for(running, timeout=10)

    assert "telegram: long polling as @cds_test_bot" in caplog.text


async def test_a_telegram_start_that_fails_in_any_way_is_tried_again_while_the_rest_serves(
        tmp_path: Path, bot_api: FakeBotApiServer, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    failures: list[BaseException] = [TelegramStartError("telegram: the Bot API is unreachable"),
                                      RedisConnectionError("Connection refused"),  # Redis restarting, say
                                      TelegramStartError("telegram: the Bot API is unreachable")]

    async def flaky(*args: Any, **kwargs: Any) -> TelegramHandle:
        if failures:
            raise failures.pop(0)
        return await start_telegram(*args, **kwargs)

    monkeypatch.setattr(service, "start_telegram", flaky)
    monkeypatch.setattr(service, "Backoff", lambda: Backoff(first=0.05, most=0.05))
    caplog.set_level(logging.INFO, logger="bot.service")
    stop = asyncio.Event()
    settings = settings_for(tmp_path, telegram_api_base=bot_api.base, web_host="127.0.0.1", web_port=free_port(),
                            web_secret="test")
    running = asyncio.create_task(serve(settings, stop=stop))
    await until(lambda: any(c.method == "getUpdates" for c in bot_api.fake.calls))  # up after all three
    stop.set()
    await asyncio.wait_for(running, timeout=10)
    assert not failures and "telegram: could not start" in caplog.text and "Connection refused" not in caplog.text


async def test_the_service_serves_the_telegram_webhook_on_its_web_app_and_a_reply_under_way_at_stop_goes_once(
        tmp_path: Path, bot_api: FakeBotApiServer, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.INFO, logger="bot.service")
    sending, read = asyncio.Event(), fake_server.fields

    async def slowly(request: Any, uploads: dict[str, bytes]) -> Any:
        received = await read(request, uploads)
        if request.path.endswith("/sendMessage"):  # received, not yet answered when the service stops
            sending.set()
            await asyncio.sleep(1)
        return received

    monkeypatch.setattr(fake_server, "fields", slowly)
    port, stop = free_port(), asyncio.Event()
    settings = settings_for(tmp_path, telegram_api_base=bot_api.base, web_host="127.0.0.1", web_port=port,
                            web_secret="test", telegram_webhook_url="https://thi.example.vn",
                            telegram_webhook_secret=SECRET)
    running = asyncio.create_task(serve(settings, stop=stop))
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    async with aiohttp.ClientSession() as http:
        await until(lambda: "web chat:" in caplog.text)
        async with http.post(url, json=START, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}) as response:
            assert response.status == 401
        async with http.post(url, json=START, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
            assert response.status == 200
    await asyncio.wait_for(sending.wait(), timeout=5)
    stop.set()  # a deploy's SIGTERM, say
    await asyncio.wait_for(running, timeout=10)

    assert "telegram: webhook at https://thi.example.vn/telegram/webhook as @cds_test_bot" in caplog.text
    assert len(bot_api.fake.delivered("sendMessage")) == 1  # not cut off and sent again: the citizen reads it once


async def test_the_service_will_not_run_a_webhook_without_its_secret(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, telegram_webhook_url="https://thi.example.vn", web_port=free_port(),
                            web_secret="test")
    with pytest.raises(TelegramConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        await serve(settings)
