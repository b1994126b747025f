"""Admins importing question files: on the dashboard's upload page, and by sending the file to the bot."""
from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.types import Update

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.routers import build_dispatcher
from bot.channels.telegram.sender import Limits, Sender
from bot.compose import App
from telegram.conftest import TOKEN, VirtualTime
from telegram.fake_api import BOT_USERNAME, FakeTelegram
from telegram.people import Citizen
from telegram.recording import RecordingSession

from .site import admin_, browsers, organiser_, site  # noqa: F401  (the web app with staff signed in)

ADMIN_ID = 9001


class FilesTelegram(FakeTelegram):
    """The pretend Bot API, also holding the files people send (getFile and the file download)."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.files: dict[str, bytes] = {}
        self.downloads: list[str] = []

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getFile" and params["file_id"] in self.files:
            fid = params["file_id"]
            return {"file_id": fid, "file_unique_id": f"u{fid}", "file_size": len(self.files[fid]),
                    "file_path": f"documents/{fid}"}
        return super()._result(method, params)


class FilesSession(RecordingSession):
    fake: FilesTelegram

    async def stream_content(self, url: str, headers: dict[str, Any] | None = None, timeout: int = 30,
                             chunk_size: int = 65536, raise_for_status: bool = True) -> AsyncGenerator[bytes, None]:
        fid = url.rsplit("/", 1)[-1]
        self.fake.downloads.append(fid)
        data = self.fake.files[fid]
        for i in range(0, len(data), chunk_size):
            yield data[i:i + chunk_size]


class Admin(Citizen):
    """A Telegram user who can also send documents."""

    async def send_file(self, data: bytes, name: str, *, caption: str | None = None,
                        declared: int | None = None) -> None:
        fake: FilesTelegram = self.fake  # type: ignore[assignment]
        fid = f"f{len(fake.files) + 1}"
        fake.files[fid] = data
        document = {"file_id": fid, "file_unique_id": f"u{fid}", "file_name": name,
                    "file_size": len(data) if declared is None else declared}
        await self.deliver(self._message(document=document, **({"caption": caption} if caption else {})))


@pytest.fixture
def fake() -> FilesTelegram:
    return FilesTelegram(clock=VirtualTime())


@pytest.fixture
def telegram_dp(app: App, fake: FilesTelegram) -> tuple[Bot, Dispatcher]:
    time_ = VirtualTime()
    bot = Bot(token=TOKEN, session=FilesSession(fake))
    sender = Sender(bot, Limits(), clock=time_, sleep=time_.sleep)
    channel = TelegramChannel(app.dispatcher, app.translator, sender, username=BOT_USERNAME)
    return bot, build_dispatcher(channel, imports=app.imports, admins=[ADMIN_ID])


@pytest.fixture
def person(fake: FilesTelegram, telegram_dp: tuple[Bot, Dispatcher]) -> Callable[..., Admin]:
    bot, dp = telegram_dp

    async def deliver(update: dict[str, Any]) -> None:
        await dp.feed_update(bot, Update.model_validate(update, context={"bot": bot}))

    return lambda user_id=ADMIN_ID, **kw: Admin(fake, deliver, user_id=user_id, **kw)
