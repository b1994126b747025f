"""The real bot in long polling against a fake Bot API server on 127.0.0.1: a whole attempt, and a 429."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.channels.telegram.runner import start_telegram
from bot.channels.telegram.sender import Limits
from bot.compose import build
from bot.service import telegram_parts

from .conftest import settings_for
from .fake_server import FakeBotApiServer
from .journey import answer_all, register, start_attempt
from .people import Citizen

FLOOD = {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
         "parameters": {"retry_after": 1}}
QUICK = Limits(private_per_second=20)  # Telegram's 1/s per chat is tested on a virtual clock in test_sender


async def test_a_citizen_registers_and_plays_a_whole_attempt_over_long_polling(
        tmp_path: Path, bot_api: FakeBotApiServer) -> None:
    fake = bot_api.fake
    settings = settings_for(tmp_path, telegram_api_base=bot_api.base)
    application = await build(settings, migrate=True)
    telegram = await start_telegram(settings, web.Application(), limits=QUICK, polling_timeout=1,
                                    **telegram_parts(application))

    async def deliver(update: dict[str, Any]) -> None:
        """Queue the update and return once the bot has confirmed it (it only does so after handling it)."""
        bot_api.push(update)
        while bot_api.confirmed_below <= update["update_id"]:
            await asyncio.sleep(0.01)

    c = Citizen(fake, deliver, user_id=1001)
    fake.fail("sendMessage", 429, FLOOD)  # the welcome message is refused once
    try:
        async with asyncio.timeout(60):
            await register(c)
            question = await start_attempt(c)
            result = await answer_all(c, question)
    finally:
        await telegram.stop()
        await application.close()

    assert "10/10" in result
    tries = [call for call in fake.calls if call.method == "sendMessage" and "Nghị định 13" in call.params["text"]]
    assert [t.status for t in tries] == [429, 200], "refused once, sent again, and exactly once"
    assert tries[1].at - tries[0].at >= 1.0, "the sender waited retry_after before sending again"
    assert {"deleteWebhook", "setMyCommands"} <= {call.method for call in fake.calls}


async def test_an_update_is_confirmed_only_after_its_reply_was_sent(tmp_path: Path, bot_api: FakeBotApiServer) -> None:
    fake = bot_api.fake
    settings = settings_for(tmp_path, telegram_api_base=bot_api.base)
    application = await build(settings, migrate=True)
    telegram = await start_telegram(settings, web.Application(), limits=QUICK, polling_timeout=1,
                                    **telegram_parts(application))
    sent: list[int] = []

    async def deliver(update: dict[str, Any]) -> None:
        bot_api.push(update)
        sent.append(update["update_id"])
        while bot_api.confirmed_below <= update["update_id"]:
            await asyncio.sleep(0.01)

    try:
        async with asyncio.timeout(30):
            await Citizen(fake, deliver, user_id=1002).send("/start")
    finally:
        await telegram.stop()
        await application.close()

    reply = next(i for i, call in enumerate(fake.calls) if call.method == "sendMessage")
    confirm = next(i for i, call in enumerate(fake.calls)
                   if call.method == "getUpdates" and int(call.params.get("offset") or 0) > sent[0])
    assert reply < confirm
