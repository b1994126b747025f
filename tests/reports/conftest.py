"""A pretend Bot API that also takes photos, and a recording session that keeps the files sent."""
from __future__ import annotations

import json
from typing import Any

import pytest
from aiogram import Bot
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import BufferedInputFile

from bot.channels.telegram.sender import Limits, Sender
from telegram.fake_api import FakeTelegram, decode_form
from telegram.recording import RecordingSession

TOKEN = "123456:TEST"
ORGANISERS = -100200300  # the organisers' group
ADMIN, CITIZEN = 7001, 7002


class PhotoTelegram(FakeTelegram):
    """FakeTelegram that answers sendPhoto like Telegram, keeping each photo's bytes."""

    def __init__(self) -> None:
        super().__init__()
        self.photos: list[bytes] = []

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "sendPhoto":
            return {"message_id": len(self.calls) + 9000, "date": 0, "chat": {"id": int(params["chat_id"]),
                    "type": "supergroup", "title": "BTC"}, "photo": [{"file_id": "p", "file_unique_id": "p",
                                                                     "width": 960, "height": 600}]}
        return super()._result(method, params)


class FileRecordingSession(RecordingSession):
    """Encodes each call as aiogram would, with uploaded files kept in the fake."""

    fake: PhotoTelegram

    async def make_request(self, bot: Bot, method: TelegramMethod[TelegramType],
                           timeout: int | None = None) -> TelegramType:
        files: dict[str, Any] = {}
        form: dict[str, str] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if prepared:
                form[key] = str(prepared)
        self.fake.photos += [f.data for f in files.values() if isinstance(f, BufferedInputFile)]
        status, payload = self.fake.answer(method.__api_method__, form)
        response = self.check_response(bot=bot, method=method, status_code=status, content=json.dumps(payload))
        return response.result  # type: ignore[return-value]


@pytest.fixture
def telegram() -> PhotoTelegram:
    return PhotoTelegram()


@pytest.fixture
def tg_sender(telegram: PhotoTelegram) -> Sender:
    async def no_wait(_seconds: float) -> None:
        return None

    bot = Bot(token=TOKEN, session=FileRecordingSession(telegram))
    return Sender(bot, Limits(attempts=1), sleep=no_wait)


def sent(telegram: PhotoTelegram, method: str) -> list[dict[str, Any]]:
    return [c.params for c in telegram.delivered(method)]


__all__ = ["ADMIN", "CITIZEN", "ORGANISERS", "PhotoTelegram", "decode_form", "sent"]
