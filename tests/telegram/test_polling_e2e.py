"""The real bot in long polling against a fake Bot API server on 127.0.0.1: a whole attempt, a 429, an
update served twice, and chats that never wait for each other."""
from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.channels.telegram.runner import TelegramHandle, start_telegram
from bot.channels.telegram.sender import Limits
from bot.compose import App, build
from bot.service import telegram_parts
from bot.storage.inbound import InboundEvents

from .conftest import settings_for
from .fake_api import Call
from .fake_server import FakeBotApiServer
from .journey import answer_all, register, start_attempt
from .people import Citizen

FLOOD = {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 1",
         "parameters": {"retry_after": 1}}
QUICK = Limits(private_per_second=20)  # Telegram's 1/s per chat is tested on a virtual clock in test_sender
_ids = itertools.count(500_000)


@asynccontextmanager
async def polling(tmp_path: Path, bot_api: FakeBotApiServer, *,
                  limits: Limits = QUICK) -> AsyncIterator[tuple[App, TelegramHandle]]:
    settings = settings_for(tmp_path, telegram_api_base=bot_api.base)
    application = await build(settings, migrate=True)
    telegram = await start_telegram(settings, web.Application(), limits=limits, polling_timeout=1,
                                    **telegram_parts(application))
    try:
        async with asyncio.timeout(60):
            yield application, telegram
    finally:
        await telegram.stop()
        await application.close()


def handled_by(application: App, bot_api: FakeBotApiServer) -> Callable[[dict[str, Any]], Awaitable[None]]:
    """Queue the update and return once the bot has finished it and sent its replies (its record says so)."""
    inbound = InboundEvents(application.engine, "telegram")

    async def deliver(update: dict[str, Any]) -> None:
        bot_api.push(update)
        while not ((standing := await inbound.standing(str(update["update_id"]))) and standing.done
                   and not standing.unsent):
            await asyncio.sleep(0.01)
    return deliver


def text_update(user_id: int, text: str) -> dict[str, Any]:
    update_id = next(_ids)
    entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] if text.startswith("/") else []
    person = {"id": user_id, "is_bot": False, "first_name": "An", "language_code": "vi"}
    return {"update_id": update_id, "message": {"message_id": update_id, "date": 1_718_850_000, "text": text,
                                                "chat": {"id": user_id, "type": "private", "first_name": "An"},
                                                "from": person, **({"entities": entities} if entities else {})}}


def sent_to(bot_api: FakeBotApiServer, chat_id: int) -> list[Call]:
    return [c for c in bot_api.fake.delivered("sendMessage") if c.params["chat_id"] == chat_id]


async def until(check: Callable[[], bool]) -> None:
    while not check():
        await asyncio.sleep(0.01)


async def test_a_citizen_registers_and_plays_a_whole_attempt_over_long_polling(
        tmp_path: Path, bot_api: FakeBotApiServer) -> None:
    fake = bot_api.fake
    async with polling(tmp_path, bot_api) as (application, _):
        c = Citizen(fake, handled_by(application, bot_api), user_id=1001)
        fake.fail("sendMessage", 429, FLOOD)  # the welcome message is refused once
        await register(c)
        question = await start_attempt(c)
        result = await answer_all(c, question)

    assert "10/10" in result
    tries = [call for call in fake.calls if call.method == "sendMessage" and "Nghị định 13" in call.params["text"]]
    assert [t.status for t in tries] == [429, 200], "refused once, sent again, and exactly once"
    assert tries[1].at - tries[0].at >= 1.0, "the sender waited retry_after before sending again"
    assert {"deleteWebhook", "setMyCommands"} <= {call.method for call in fake.calls}


async def test_an_update_is_recorded_before_telegram_is_told_it_arrived(
        tmp_path: Path, bot_api: FakeBotApiServer) -> None:
    start = text_update(1002, "/start")
    async with polling(tmp_path, bot_api) as (application, _):
        inbound = InboundEvents(application.engine, "telegram")
        recorded_at_confirm: list[bool] = []
        serve = bot_api._updates

        async def watching(params: dict[str, Any]) -> dict[str, Any]:
            if int(params.get("offset") or 0) > start["update_id"] and not recorded_at_confirm:
                recorded_at_confirm.append(await inbound.standing(str(start["update_id"])) is not None)
            return await serve(params)

        bot_api._updates = watching  # type: ignore[method-assign]
        await handled_by(application, bot_api)(start)
        await until(lambda: bool(recorded_at_confirm))

    assert recorded_at_confirm == [True]
    assert len(sent_to(bot_api, 1002)) == 1


async def test_an_update_served_again_after_a_restart_is_handled_once(
        tmp_path: Path, bot_api: FakeBotApiServer) -> None:
    start = text_update(1003, "/start")
    async with polling(tmp_path, bot_api) as (application, _):
        await handled_by(application, bot_api)(start)
    async with polling(tmp_path, bot_api) as (application, _):
        bot_api.push(start)  # Telegram never heard the offset: the same update again
        await handled_by(application, bot_api)(text_update(1003, "/help"))

    welcomes = [c for c in sent_to(bot_api, 1003) if "Nghị định 13" in c.params["text"]]
    assert len(welcomes) == 1 and len(sent_to(bot_api, 1003)) == 2


async def test_a_chat_waiting_out_a_retry_after_holds_up_no_other_chat(
        tmp_path: Path, bot_api: FakeBotApiServer) -> None:
    fake = bot_api.fake
    slow = {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 2",
            "parameters": {"retry_after": 2}}
    async with polling(tmp_path, bot_api) as (application, _):
        fake.fail("sendMessage", 429, slow)
        bot_api.push(text_update(1004, "/start"))
        await until(lambda: any(c.status == 429 for c in fake.calls))  # chat 1004 now waits 2 s
        await handled_by(application, bot_api)(text_update(1005, "/start"))
        waited = sent_to(bot_api, 1004)
        await until(lambda: bool(sent_to(bot_api, 1004)))

    assert waited == [], "chat 1005 was answered while chat 1004 was still waiting"
    assert len(sent_to(bot_api, 1005)) == 1


async def test_a_burst_from_one_chat_holds_up_no_other_chat_and_keeps_its_order(
        tmp_path: Path, bot_api: FakeBotApiServer) -> None:
    burst = [text_update(1006, "/thele" if i % 2 else "/help") for i in range(12)]
    async with polling(tmp_path, bot_api, limits=Limits(private_per_second=8, burst=1)) as (application, _):
        inbound = InboundEvents(application.engine, "telegram")
        for update in burst:
            bot_api.push(update)
        await until(lambda: len(sent_to(bot_api, 1006)) >= 1)
        await handled_by(application, bot_api)(text_update(1007, "/help"))
        answered_before_other = len(sent_to(bot_api, 1006))
        for update in burst:
            while not ((standing := await inbound.standing(str(update["update_id"]))) and standing.done):
                await asyncio.sleep(0.01)

    assert answered_before_other < len(burst), "chat 1007 did not wait for chat 1006's twelve messages"
    replies = [c.params["text"] for c in sent_to(bot_api, 1006)]
    assert len(replies) == len(burst)
    assert all(("Thể lệ" in text) == bool(i % 2) for i, text in enumerate(replies)), "one chat, in order"
