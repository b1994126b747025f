"""A Bot session with no network: each call is encoded as aiogram would send it and answered by FakeTelegram."""
from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

from .fake_api import FakeTelegram


class RecordingSession(BaseSession):
    def __init__(self, fake: FakeTelegram) -> None:
        super().__init__()
        self.fake = fake

    async def make_request(self, bot: Bot, method: TelegramMethod[TelegramType],
                           timeout: int | None = None) -> TelegramType:
        form: dict[str, str] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files={})
            if prepared:
                form[key] = str(prepared)
        status, payload = self.fake.answer(method.__api_method__, form)
        response = self.check_response(bot=bot, method=method, status_code=status, content=json.dumps(payload))
        return response.result  # type: ignore[return-value]

    async def stream_content(self, url: str, headers: dict[str, Any] | None = None, timeout: int = 30,
                             chunk_size: int = 65536, raise_for_status: bool = True) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError("no files in these tests")
        yield b""  # pragma: no cover

    async def close(self) -> None:
        pass
