"""Fixtures for the Telegram channel: a fresh database per test, a pretend Bot API, citizens."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.routers import build_dispatcher
from bot.channels.telegram.runner import start_telegram
from bot.channels.telegram.sender import Limits, Sender
from bot.compose import App, build
from bot.config import Settings
from bot.service import telegram_parts, web_app_for

from .fake_api import BOT_USERNAME, FakeTelegram
from .fake_server import FakeBotApiServer
from .people import Citizen
from .recording import RecordingSession

ROOT = Path(__file__).resolve().parents[2]
PACK = ROOT / "tests" / "fixtures" / "pack"
TOKEN = "123456:TEST"


def settings_for(tmp_path: Path, **telegram: Any) -> Settings:
    """A fresh SQLite file and the fixture pack; Telegram settings as given (none from the environment)."""
    given: dict[str, Any] = {"telegram_bot_token": TOKEN, "telegram_webhook_url": None, "telegram_webhook_secret": None,
                             "telegram_api_base": None, **telegram}
    return Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/db.sqlite", contest_pack=PACK, redis_url=None,
                    locales_dir=ROOT / "locales", **given)


async def webhook_worker(stack: AsyncExitStack, db_url: str, api_base: str, *, secret: str,
                         sweep_s: float = 0.2, ack_within_s: float | None = None,
                         intake_port: int | None = None) -> tuple[App, TestClient[Any, Any]]:
    """One worker as `dcbot run` starts it with a webhook, on the shared database, against the fake Bot API at
    `api_base`: a short lease, so a test sees another worker take over in a second; `ack_within_s`, when
    given, its TELEGRAM_ACK_WITHIN_S; `intake_port`, its TELEGRAM_INTAKE_PORT. Closed with `stack`."""
    settings = Settings(database_url=db_url, contest_pack=PACK, redis_url=None, web_secret="test",
                        locales_dir=ROOT / "locales", telegram_bot_token=TOKEN, telegram_api_base=api_base,
                        telegram_webhook_url="https://thi.example.vn", telegram_webhook_secret=secret,
                        telegram_lease_s=1.0, telegram_sweep_s=sweep_s,
                        telegram_intake_port=intake_port,
                        **({} if ack_within_s is None else {"telegram_ack_within_s": ack_within_s}))
    app = await build(settings, migrate=True)
    stack.push_async_callback(app.close)
    web_app = web_app_for(app)
    telegram = await start_telegram(settings, web_app, **telegram_parts(app))
    stack.push_async_callback(telegram.stop)
    client: TestClient[Any, Any] = TestClient(TestServer(web_app))
    await client.start_server()
    stack.push_async_callback(client.close)
    return app, client


@pytest.fixture
async def application(tmp_path: Path) -> AsyncIterator[App]:
    app = await build(settings_for(tmp_path), migrate=True)
    yield app
    await app.close()


class VirtualTime:
    """A clock for pacing: a sleeper wakes, without real waiting, once every earlier sleeper has woken."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []
        self._wakes: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        wake = self.now + max(seconds, 0.0)
        self._wakes.append(wake)
        try:
            while True:
                for _ in range(3):  # let every runnable task reach its own sleep first
                    await asyncio.sleep(0)
                if wake <= min(self._wakes):
                    self.now = max(self.now, wake)
                    return
        finally:
            self._wakes.remove(wake)


@pytest.fixture
def time_() -> VirtualTime:
    return VirtualTime()


@pytest.fixture
def fake(time_: VirtualTime) -> FakeTelegram:
    return FakeTelegram(clock=time_)


@pytest.fixture
def bot(fake: FakeTelegram) -> Bot:
    return Bot(token=TOKEN, session=RecordingSession(fake))


@pytest.fixture
def sender(bot: Bot, time_: VirtualTime) -> Sender:
    return Sender(bot, Limits(), clock=time_, sleep=time_.sleep)


@pytest.fixture
def dp(application: App, sender: Sender) -> Dispatcher:
    channel = TelegramChannel(application.dispatcher, application.translator, sender, username=BOT_USERNAME)
    return build_dispatcher(channel)


@pytest.fixture
def citizen(fake: FakeTelegram, bot: Bot, dp: Dispatcher) -> Callable[..., Citizen]:
    """Citizens whose updates go through Dispatcher.feed_update, as polling or a webhook would hand them over."""

    async def deliver(update: dict[str, Any]) -> None:
        await dp.feed_update(bot, Update.model_validate(update, context={"bot": bot}))

    def make(user_id: int = 1001, **kw: Any) -> Citizen:
        return Citizen(fake, deliver, user_id=user_id, **kw)

    return make


@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotApiServer]:
    """The fake Bot API over HTTP on 127.0.0.1 (random port), on the real clock."""
    server = FakeBotApiServer(FakeTelegram())
    await server.start()
    yield server
    await server.stop()
