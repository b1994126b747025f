"""/baocao in the organisers' group: the report for Telegram admins, a polite no for anyone else."""
from __future__ import annotations

import itertools
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.types import Update

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.routers import build_dispatcher
from bot.channels.telegram.sender import Sender
from bot.compose import App
from bot.service import daily_reports

from .conftest import ADMIN, CITIZEN, ORGANISERS, PhotoTelegram, sent

_ids = itertools.count(1)


@pytest.fixture
def dp(app: App, tg_sender: Sender) -> Dispatcher:
    channel = TelegramChannel(app.dispatcher, app.translator, tg_sender, username="cds_test_bot")
    return build_dispatcher(channel, reports=daily_reports(app), admins=[ADMIN], organiser_chat_id=ORGANISERS)


async def say(dp: Dispatcher, bot: Bot, *, user: int, chat: int, text: str) -> None:
    chat_info: dict[str, Any] = {"id": chat, "type": "supergroup", "title": "Ban Tổ chức"} if chat < 0 else \
        {"id": chat, "type": "private", "first_name": "An"}
    update = {"update_id": next(_ids), "message": {
        "message_id": next(_ids), "date": 1718850000, "chat": chat_info, "text": text,
        "from": {"id": user, "is_bot": False, "first_name": "An", "language_code": "vi"},
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]}}
    await dp.feed_update(bot, Update.model_validate(update, context={"bot": bot}))


async def test_an_admin_gets_the_report_in_the_organisers_group(
        dp: Dispatcher, tg_sender: Sender, telegram: PhotoTelegram) -> None:
    await say(dp, tg_sender.bot, user=ADMIN, chat=ORGANISERS, text="/baocao@cds_test_bot")
    [photo] = sent(telegram, "sendPhoto")
    assert photo["chat_id"] == ORGANISERS and photo["caption"].startswith("📊 Báo cáo ngày")
    assert telegram.photos[0].startswith(b"\x89PNG")


@pytest.mark.parametrize("user, chat", [(CITIZEN, ORGANISERS), (ADMIN, ADMIN), (CITIZEN, CITIZEN)])
async def test_anyone_else_or_anywhere_else_is_refused(
        dp: Dispatcher, tg_sender: Sender, telegram: PhotoTelegram, user: int, chat: int) -> None:
    await say(dp, tg_sender.bot, user=user, chat=chat, text="/baocao")
    assert sent(telegram, "sendPhoto") == []
    [refusal] = sent(telegram, "sendMessage")
    assert refusal["chat_id"] == chat and "chỉ dành cho quản trị viên" in refusal["text"]


async def test_a_command_for_another_bot_is_left_alone(dp: Dispatcher, tg_sender: Sender,
                                                       telegram: PhotoTelegram) -> None:
    await say(dp, tg_sender.bot, user=ADMIN, chat=ORGANISERS, text="/baocao@other_bot")
    assert telegram.delivered() == []
