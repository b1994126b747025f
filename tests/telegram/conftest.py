"""Fixtures for the Telegram channel: a fresh database per test, a pretend Bot API, citizens."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.types import Update

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.routers import build_dispatcher
from bot.channels.telegram.sender import Limits, Sender
from bot.compose import App, build
from bot.config import Settings

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
