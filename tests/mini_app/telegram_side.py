"""The two sides of one citizen: the Telegram chat with the bot (aiogram with a recording Bot API, in this
process) and the Mini App, both on the same running service."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.types import Update

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.routers import build_dispatcher
from bot.channels.telegram.sender import Limits, Sender
from bot.compose import App
from bot.config import Settings
from telegram.conftest import PACK, ROOT, TOKEN, VirtualTime
from telegram.fake_api import BOT_USERNAME, FakeTelegram
from telegram.people import Citizen
from telegram.recording import RecordingSession

from .signing import init_data

PUBLIC = "https://thi.example.vn"


def settings_for(tmp_path: Path, **given: Any) -> Settings:
    """A fresh SQLite file, the fixture pack, a bot token and the public address that turns the Mini App on."""
    values: dict[str, Any] = {"telegram_bot_token": TOKEN, "web_public_url": PUBLIC, "telegram_webhook_url": None,
                              "telegram_api_base": None, "redis_url": None, **given}
    return Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/db.sqlite", contest_pack=PACK, web_secret="test",
                    locales_dir=ROOT / "locales", **values)


class TelegramSide:
    """The bot's chats, as `dcbot run` would hand it updates; its messages go to `fake`."""

    def __init__(self, app: App) -> None:
        self.fake = FakeTelegram(clock=VirtualTime())
        clock = VirtualTime()
        self.bot = Bot(token=TOKEN, session=RecordingSession(self.fake))
        sender = Sender(self.bot, Limits(), clock=clock, sleep=clock.sleep)
        channel = TelegramChannel(app.dispatcher, app.translator, sender, username=BOT_USERNAME,
                                  mini_app=app.settings.mini_app_url)
        self.dp = build_dispatcher(channel)

    def citizen(self, user_id: int) -> Citizen:
        async def deliver(update: dict[str, Any]) -> None:
            await self.dp.feed_update(self.bot, Update.model_validate(update, context={"bot": self.bot}))
        return Citizen(self.fake, deliver, user_id=user_id)

    def messages_sent(self) -> int:
        """Bot API calls that put something in a chat: what Telegram would rate-limit."""
        return sum(1 for c in self.fake.delivered() if c.method in ("sendMessage", "editMessageText",
                                                                    "editMessageReplyMarkup", "answerCallbackQuery"))


def opened_by(user_id: int, *, token: str = TOKEN, age_s: int = 5, language_code: str = "vi") -> str:
    """The initData Telegram hands the Mini App when this user opens it."""
    return init_data(token, user_id=user_id, auth_date=int(time.time()) - age_s, language_code=language_code)
